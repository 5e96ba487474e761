"""What partners send us, into the pipeline (the ``stix`` parser), keeping provenance and markings:
the TAXII 2.1 client that reads a partner's collection since the last pull, and the envelopes
partners POST to our own TAXII server.

The sources are listed in a TOML file (setting ``share_sources``)::

    [[source]]
    name = "cert-xy"                                   # how Tocsin calls it (feed taxii:cert-xy)
    partner = "CERT XY"                                # feed.provider of what comes (the name)
    url = "https://taxii.cert-xy.example/taxii2/api/"  # the partner's API root
    collection = "9c0e5a2e-…"                          # the collection's id
    user = "national-csirt"
    password_env = "TOCSIN_PULL_CERT_XY"              # the secret is read from this variable
    tlp = "AMBER"                                      # for objects that carry no marking
    every = 3600                                       # seconds between two pulls

What one pull receives (every page, since an observed-data and the observables it refers to may
come on different pages) is kept as one file under ``data_dir/taxii/<name>/`` and ingested like
any feed file, so a row that cannot be mapped is quarantined with its file and position. Where a
pull stopped (the last ``X-TAXII-Date-Added-Last``) is saved once its objects are stored: a pull
that crashes and is run again fetches them again, and the pipeline's fingerprints store nothing
twice. Every event pulled names the partner (``feed.provider``) and the source
(``feed.name`` ``taxii:<name>``), whatever its objects say of their producer.

A partner's server is not trusted to end its answers: one pull takes at most ``pull_max_pages``
pages, ``pull_max_page_bytes`` per page, ``pull_max_bytes`` in all and ``pull_max_seconds`` (by the
injected clock), and stops when a ``next`` cursor comes back or an answer is not a TAXII envelope.
Past any of these the pull fails with ``InputUnreadable`` saying which, before anything of it is
stored: what earlier pulls stored stays, the pull mark does not move, and nothing is half-stored.

One module past 400 lines on purpose: the pull's bounds (pages, bytes, time, a repeated cursor)
and the all-or-nothing store of one pull only hold if read together with the client's loop.

One module past 400 lines on purpose: the client's paging, the file a pull keeps and where it
stopped must change together, or a crash between them would lose or repeat objects.
"""

from __future__ import annotations

import base64
import logging
import os
import tomllib
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import orjson

from tocsin.errors import ConfigError, InputUnreadable, InvalidValue, TocsinError
from tocsin.model.people import Principal, Role
from tocsin.model.tlp import TLP
from tocsin.pipeline.runner import Summary
from tocsin.services.ingest import ingest
from tocsin.settings import Settings
from tocsin.share.sharing import Sharing
from tocsin.share.taxii import TAXII
from tocsin.store.base import Store

PAGE = 1000
TIMEOUT = 60
WATCH_SECONDS = 60  # how often the server looks for sources that are due
CHUNK = 64 * 1024  # bytes read at a time from a partner's answer
JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}
NOTHING_STORED = "nothing of this pull was stored, and the next pull starts from the same point"
log = logging.getLogger("tocsin.share")


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    url: str
    collection: str
    user: str = ""
    password_env: str = ""
    tlp: str = "AMBER"
    every: int = 3600
    partner: str = ""  # the partner's name, for feed.provider; the source's name when not given

    @property
    def provider(self) -> str:
        return self.partner or self.name

    @property
    def objects_url(self) -> str:
        return f"{self.url.rstrip('/')}/collections/{self.collection}/objects/"

    def authorization(self) -> str | None:
        if not self.user:
            return None
        secret = os.environ.get(self.password_env, "") if self.password_env else ""
        if self.password_env and not secret:
            raise ConfigError(f"source {self.name}: the variable {self.password_env} is not set")
        return "Basic " + base64.b64encode(f"{self.user}:{secret}".encode()).decode()


@dataclass(slots=True)
class Pulled:
    source: str
    pages: int = 0
    objects: int = 0
    accepted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    last_added: str | None = None
    files: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Limits:
    """How far one pull may go (the settings ``pull_max_*``)."""

    pages: int
    page_bytes: int
    bytes: int
    seconds: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            settings.pull_max_pages,
            settings.pull_max_page_bytes,
            settings.pull_max_bytes,
            settings.pull_max_seconds,
        )


Fetch = Callable[[str, str | None], tuple[bytes, dict[str, str]]]


def load_sources(path: str) -> list[Source]:
    if not path:
        return []
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the TAXII sources file {path}: {exc}") from None
    sources = []
    for n, item in enumerate(data.get("source", []), 1):
        try:
            source = Source(**item)
        except TypeError as exc:
            raise ConfigError(f"{path}: source {n}: {exc}") from None
        if not source.name or not source.url.startswith(("http://", "https://")):
            raise ConfigError(f"{path}: source {n} needs a name and an http(s) url")
        try:
            TLP.parse(source.tlp)
        except ValueError as exc:
            raise ConfigError(f"{path}: source {source.name}: tlp: {exc}") from None
        sources.append(source)
    return sources


class Pulls:
    """The scheduler's job of the partners' pulls: each source whose ``every`` has passed. A
    source that fails is logged and tried again after its ``every``, not at the next run, and
    never stops the others; the job fails (and says which) when one did. ``after`` sees each
    pull that arrived."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        sources: list[Source],
        now: Callable[[], int],
        after: Callable[[Pulled], None] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.sources = sources
        self.now = now
        self.after = after
        self.failed: dict[str, int] = {}  # source name -> when it may be tried again

    def __call__(self) -> None:
        moment = self.now()
        failures = []
        for source in due(self.store, self.sources, moment):
            if self.failed.get(source.name, 0) > moment:
                continue
            try:
                got = pull(self.settings, self.store, source, now=self.now)
            except Exception as exc:  # one partner down must not stop the others; logged
                log.warning("TAXII pull from %s failed: %s", source.name, exc)
                self.failed[source.name] = moment + source.every
                failures.append(source.name)
                continue
            self.failed.pop(source.name, None)
            log.info("TAXII pull from %s: %s objects", source.name, got.objects)
            if self.after is not None:
                self.after(got)
        if failures:
            raise TocsinError(f"TAXII pull failed from {', '.join(failures)}")


def pull_sources(
    settings: Settings,
    store: Store,
    *,
    now: Callable[[], int],
    name: str | None = None,
    every: bool = False,
) -> list[Pulled]:
    """``tocsin share pull``: the source named, or every source (``every``), or those due."""
    sources = load_sources(settings.share_sources)
    if name is not None:
        chosen = [s for s in sources if s.name == name]
        if not chosen:
            raise InvalidValue("source", name, "not in the share_sources file")
    else:
        chosen = sources if every else due(store, sources, now())
    return [pull(settings, store, source, now=now) for source in chosen]


def due(store: Store, sources: list[Source], now: int) -> list[Source]:
    """The sources whose last pull is at least ``every`` seconds old (or that never ran)."""
    last = store.share.pulled_at
    return [s for s in sources if (last(_mark(s)) or 0) + s.every <= now]


def pull(
    settings: Settings,
    store: Store,
    source: Source,
    *,
    now: Callable[[], int],
    fetch: Fetch | None = None,
) -> Pulled:
    """Fetch what the collection added since the last pull, page by page, into the pipeline;
    ``InputUnreadable``, storing nothing of this pull, when the partner's answers pass a limit
    (see the module)."""
    limits = Limits.of(settings)
    deadline = now() + limits.seconds
    get = fetch or _getter(limits.page_bytes, lambda: now() > deadline)
    result = Pulled(source.name)
    after = store.share.pull_mark(_mark(source))
    pages = _Pages(source, limits, deadline, now)
    objects = pages.read(get, after)
    result.pages, result.last_added = pages.count, pages.last_added
    if objects:
        # One document for the whole pull: an observed-data and the observables it refers to
        # may come on different pages.
        path, summary = take_in(
            settings,
            store,
            source.name,
            objects,
            tlp=source.tlp,
            now=now,
            options={"partner": source.provider, "feed": f"taxii:{source.name}"},
        )
        result.files.append(str(path))
        result.objects = len(objects)
        result.accepted, result.duplicates = summary.accepted, summary.duplicates
        result.quarantined = summary.quarantined
    with store.transaction() as conn:
        store.share.set_pull_mark(conn, _mark(source), result.last_added or after or "", now())
    return result


class _Pages:
    """The pages of one pull, each checked against the limits before the next is asked for."""

    def __init__(
        self, source: Source, limits: Limits, deadline: int, now: Callable[[], int]
    ) -> None:
        self.source, self.limits, self.deadline, self.now = source, limits, deadline, now
        self.count = 0
        self.bytes = 0
        self.cursors: set[str] = set()
        self.last_added: str | None = None

    def read(self, get: Fetch, after: str | None) -> list[Any]:
        objects: list[Any] = []
        cursor: str | None = None
        while True:
            params: dict[str, str] = {"limit": str(PAGE)}
            if after:
                params["added_after"] = after
            if cursor:
                params["next"] = cursor
            url = self.source.objects_url + "?" + urllib.parse.urlencode(params)
            try:
                body, headers = get(url, self.source.authorization())
            except InputUnreadable as exc:
                raise InputUnreadable(f"{exc}; {NOTHING_STORED}") from None
            found, cursor = self._page(body)
            objects.extend(found)
            if found and headers.get("x-taxii-date-added-last"):
                self.last_added = headers["x-taxii-date-added-last"]
            if cursor is None:
                return objects

    def _page(self, body: bytes) -> tuple[list[Any], str | None]:
        """The objects of one answer and the cursor of the next page (None: the last page)."""
        self.count += 1
        self.bytes += len(body)
        if len(body) > self.limits.page_bytes:
            self._refuse(f"a page of over {self.limits.page_bytes} bytes (pull_max_page_bytes)")
        if self.bytes > self.limits.bytes:
            self._refuse(f"over {self.limits.bytes} bytes in one pull (pull_max_bytes)")
        envelope = self._envelope(body)
        found = envelope.get("objects") or []
        if not isinstance(found, list):
            self._refuse("an envelope whose objects are not a list")
        if not (envelope.get("more") and envelope.get("next")):
            return found, None
        cursor = str(envelope["next"])
        if cursor in self.cursors:
            self._refuse(f"the next cursor {cursor[:80]!r} a second time")
        if self.count >= self.limits.pages:
            self._refuse(f"more than {self.limits.pages} pages in one pull (pull_max_pages)")
        if self.now() > self.deadline:
            self._refuse(f"pages for over {self.limits.seconds} s (pull_max_seconds)")
        self.cursors.add(cursor)
        return found, cursor

    def _envelope(self, body: bytes) -> dict[str, Any]:
        try:
            envelope = orjson.loads(body) if body.strip() else {}
        except orjson.JSONDecodeError:
            self._refuse("an answer that is not JSON")
        if not isinstance(envelope, dict):
            kind = JSON_KINDS.get(type(envelope), "value")
            self._refuse(f"a JSON {kind}, not a TAXII envelope (an object)")
        return envelope

    def _refuse(self, what: str) -> NoReturn:
        raise InputUnreadable(
            f"{self.source.name}: the server sent {what} on page {self.count}; {NOTHING_STORED}"
        )


def take_in(
    settings: Settings,
    store: Store,
    name: str,
    objects: list[Any],
    *,
    tlp: str = "AMBER",
    now: Callable[[], int],
    options: dict[str, Any] | None = None,
) -> tuple[Path, Summary]:
    """STIX objects received from a partner (pulled, or posted to our TAXII server) into the
    pipeline, kept first as one file under ``data_dir/taxii/<name>/``; ``options`` are the
    ``stix`` parser's (who sent them)."""
    folder = Path(settings.data_dir) / "taxii" / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now()}-{uuid.uuid4().hex[:8]}.json"
    path.write_bytes(orjson.dumps({"objects": objects}))
    summary = ingest(
        settings, store, [str(path)], "stix", tlp=tlp, options=options, workers=0, now=now
    )
    return path, summary


def receive(
    sharing: Sharing,
    settings: Settings,
    store: Store,
    who: Principal,
    key: str,
    objects: list[Any],
) -> dict[str, Any]:
    """A POSTed envelope: stored in the collection (for the team and the sender only, when a
    partner sends it), and what a partner sent goes into the pipeline too, as if pulled, named
    after the partner, through ``store``. Returns the TAXII status resource."""
    status = sharing.add_envelope(who, key, objects)
    if who.role is not Role.PARTNER or not status["success_count"]:
        return status
    accepted = {s["id"] for s in status["successes"]}
    chosen = [o for o in objects if isinstance(o, dict) and o.get("id") in accepted]
    org = sharing.org_name(who.org_id or -1, "partner")
    take_in(
        settings, store, f"posted-{who.org_id}", chosen, now=sharing.now, options={"provider": org}
    )
    return status


def _mark(source: Source) -> str:
    return f"{source.name} {source.objects_url}"


def _getter(most: int, expired: Callable[[], bool]) -> Fetch:
    """A GET that reads at most ``most`` bytes of an answer (one more tells it is longer) and
    stops reading when ``expired`` says the pull has had its time."""

    def get(url: str, authorization: str | None) -> tuple[bytes, dict[str, str]]:
        request = urllib.request.Request(url, headers={"Accept": TAXII})  # noqa: S310 (http(s) checked)
        if authorization:
            request.add_header("Authorization", authorization)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
                headers = {k.lower(): v for k, v in answer.headers.items()}
                return _read(url, answer, most, expired), headers
        except urllib.error.HTTPError as exc:
            detail: Any = exc.read(300)
            raise InputUnreadable(
                f"{url}: HTTP {exc.code}: {detail.decode(errors='replace')}"
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise InputUnreadable(f"{url}: {exc}") from None

    return get


def _read(url: str, answer: Any, most: int, expired: Callable[[], bool]) -> bytes:
    """The body, in chunks: one byte past ``most`` is enough to know the page is too large."""
    chunks: list[bytes] = []
    size = 0
    while size <= most:
        if expired():
            raise InputUnreadable(
                f"{url}: the answer took longer than the pull may (pull_max_seconds)"
            )
        chunk = answer.read(min(CHUNK, most + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
