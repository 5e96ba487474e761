"""Collectors: fetching feeds from where they are published, pure of the store.

A domain package beside ``pipeline``: it knows protocols (HTTP, the Shadowserver Reports API, a
drop folder), the collectors file and the raw archive, and nothing of parsing or storage; the
orchestration (fetch, archive, ingest, record) is ``services/collectors.py``. Each kind is a
module that registers itself in ``base.KINDS``; the contract a kind keeps is ``base.Collector``.
"""

from __future__ import annotations

from tocsin.collect import directory as directory
from tocsin.collect import http as http  # each kind registers itself
from tocsin.collect import imap as imap
from tocsin.collect import shadowserver as shadowserver
from tocsin.collect.base import KINDS, Batch, Collector, Fetched, Spec, build, register
from tocsin.collect.config import load

__all__ = ["KINDS", "Batch", "Collector", "Fetched", "Spec", "build", "load", "register"]
