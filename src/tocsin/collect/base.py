"""The contract every kind of collector keeps, and the registry of kinds.

A collector fetches; it never touches the store. ``services/collectors.py`` archives what it
fetched, runs it through the pipeline, records the run and keeps the state between runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from tocsin.errors import ConfigError
from tocsin.model.clock import Now
from tocsin.model.collector import CollectorState


@dataclass(frozen=True, slots=True)
class Fetched:
    """One object as received: its ``name`` (a file name; parsers may read the report type from
    it), its bytes, and what the source said of it (``metadata``: content type, report id and
    type…, never a credential). ``feed`` overrides the collector's parser for this object."""

    name: str
    data: bytes
    metadata: Mapping[str, str] = field(default_factory=dict)
    feed: str | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """What one fetch found, and the validators to send next time (HTTP's ``ETag`` and
    ``Last-Modified``; None where the source gave none). Nothing new: no objects."""

    objects: list[Fetched]
    etag: str | None = None
    last_modified: str | None = None


class Collector(Protocol):
    """One configured source of one kind.

    The contract, which the orchestration (``services/collectors.py``) relies on:

    - ``fetch(state, clock)`` reads the source once and returns a ``Batch``: every object it
      found whole, as received (bytes, not parsed). ``state`` is the collector's stored state
      (the validators of the last batch taken in, its failures); ``clock`` is the desk's clock,
      the only time a collector may read (for the day of a report list, or a deadline).
    - A fetch either returns everything it found or raises: ``InputUnreadable`` (the source
      answered wrongly, passed a limit, could not be reached) or ``ConfigError`` (a credential's
      variable is unset). It never returns half an object. Nothing it raises or logs may hold a
      credential: name the variable, never its value.
    - ``fetch`` changes nothing at the source: an object stays there until ``settle``.
    - ``settle(fetched, error)`` is called once per object after the desk has taken it in
      (``error`` None: archived and ingested, or already taken in before) or failed to
      (``error`` says why). A kind that keeps its objects (a drop folder, a mailbox) moves the
      object aside then, into a folder for what was done or for what failed, and deletes
      nothing; a kind that only reads (HTTP) does nothing.
    - The same content fetched twice is taken in once: the desk keeps a digest per collector,
      so a kind need not remember what it returned before.
    """

    spec: Spec

    def fetch(self, state: CollectorState, clock: Now) -> Batch: ...

    def settle(self, fetched: Fetched, error: str | None) -> None: ...


MAX_BYTES = 256 * 1024 * 1024  # one object, as received and unpacked
MAX_SECONDS = 600  # one fetch


@dataclass(frozen=True, slots=True)
class Spec:
    """One ``[[collector]]`` table of the collectors file: the keys every kind has, and the
    kind's own (``options``, as written, checked by the kind when it is built)."""

    name: str
    kind: str
    feed: str
    every: int
    tlp: str | None = None
    mapping: str | None = None
    max_bytes: int = MAX_BYTES
    max_seconds: int = MAX_SECONDS
    options: Mapping[str, Any] = field(default_factory=dict)

    def fail(self, key: str, reason: str) -> ConfigError:
        """The error of a bad value, naming the collector and its key."""
        return ConfigError(f"collector {self.name}: {key}: {reason}")


Build = Callable[[Spec], Collector]
KINDS: dict[str, Build] = {}
PLANNED = ("http", "shadowserver", "imap", "directory")  # the kinds the collectors file names


def register(kind: str, build: Build) -> None:
    """Make a kind of collector available: ``build`` makes one from its ``Spec`` (raising
    ``ConfigError`` for a bad key), and is called once per configured collector."""
    KINDS[kind] = build


def build(spec: Spec) -> Collector:
    """The collector for ``spec``; a ``ConfigError`` for a kind not available."""
    maker = KINDS.get(spec.kind)
    if maker is None:
        if spec.kind in PLANNED:
            raise spec.fail("kind", f"{spec.kind!r} is not available yet")
        raise spec.fail("kind", f"unknown kind {spec.kind!r}; known: {', '.join(sorted(KINDS))}")
    return maker(spec)


__all__ = ["KINDS", "Batch", "Build", "Collector", "Fetched", "Spec", "build", "register"]
