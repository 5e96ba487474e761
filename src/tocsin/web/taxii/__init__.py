"""TAXII 2.1 under ``/taxii2/``: discovery, one API root (``/taxii2/api/``), its collections,
objects, manifests, versions and status. The routes (``routes``) parse and render only: what a
partner sees is decided by ``Sharing`` from its agreement. Who is asking is checked in ``auth``;
the answers and TAXII's own errors are written in ``answers``.
"""

from __future__ import annotations

from tocsin.web.taxii.answers import taxii_error
from tocsin.web.taxii.routes import router

__all__ = ["router", "taxii_error"]
