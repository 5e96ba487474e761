"""What partners send us, into the pipeline (the ``stix`` parser), keeping provenance and markings:
the TAXII 2.1 client that reads a partner's collection since the last pull, and the envelopes
partners POST to our own TAXII server.

The sources are listed in a TOML file (setting ``share_sources``)::

    [[source]]
    name = "cert-xy"                                   # how Tocsin calls it (feed taxii:cert-xy)
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
twice.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
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
from typing import Any

import orjson

from tocsin.errors import ConfigError, InputUnreadable, InvalidValue
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


async def watch_pulls(
    settings: Settings,
    store: Store,
    sources: list[Source],
    stop: asyncio.Event,
    *,
    now: Callable[[], int],
    every: float = WATCH_SECONDS,
    after: Callable[[Pulled], None] | None = None,
) -> None:
    """While the server runs: pull each source when its ``every`` has passed, until ``stop`` is
    set. A source that fails is logged and tried again after its ``every``, not at once; a pull
    in progress finishes first (so the store is never closed under it)."""
    failed: dict[str, int] = {}  # source name -> when it may be tried again
    while not stop.is_set():
        moment = now()
        for source in due(store, sources, moment):
            if failed.get(source.name, 0) > moment:
                continue
            try:
                got = await asyncio.to_thread(pull, settings, store, source, now=now)
            except Exception as exc:  # one partner down must not stop the others; logged
                log.warning("TAXII pull from %s failed: %s", source.name, exc)
                failed[source.name] = moment + source.every
                continue
            failed.pop(source.name, None)
            log.info("TAXII pull from %s: %s objects", source.name, got.objects)
            if after is not None:
                after(got)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)


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
    fetch: Callable[[str, str | None], tuple[bytes, dict[str, str]]] | None = None,
) -> Pulled:
    """Fetch what the collection added since the last pull, page by page, into the pipeline."""
    get = fetch or _get
    result = Pulled(source.name)
    after = store.share.pull_mark(_mark(source))
    cursor: str | None = None
    objects: list[Any] = []
    while True:
        params: dict[str, str] = {"limit": str(PAGE)}
        if after:
            params["added_after"] = after
        if cursor:
            params["next"] = cursor
        url = source.objects_url + "?" + urllib.parse.urlencode(params)
        body, headers = get(url, source.authorization())
        try:
            envelope = orjson.loads(body) if body.strip() else {}
        except orjson.JSONDecodeError:
            raise InputUnreadable(f"{source.name}: the server's answer is not JSON") from None
        found = envelope.get("objects") or []
        result.pages += 1
        objects.extend(found)
        if found and headers.get("x-taxii-date-added-last"):
            result.last_added = headers["x-taxii-date-added-last"]
        if not (envelope.get("more") and envelope.get("next")):
            break
        cursor = str(envelope["next"])
    if objects:
        # One document for the whole pull: an observed-data and the observables it refers to
        # may come on different pages.
        path, summary = take_in(settings, store, source.name, objects, tlp=source.tlp, now=now)
        result.files.append(str(path))
        result.objects = len(objects)
        result.accepted, result.duplicates = summary.accepted, summary.duplicates
        result.quarantined = summary.quarantined
    with store.transaction() as conn:
        store.share.set_pull_mark(conn, _mark(source), result.last_added or after or "", now())
    return result


def take_in(
    settings: Settings,
    store: Store,
    name: str,
    objects: list[Any],
    *,
    tlp: str = "AMBER",
    now: Callable[[], int],
    provider: str | None = None,
) -> tuple[Path, Summary]:
    """STIX objects received from a partner (pulled, or posted to our TAXII server) into the
    pipeline, kept first as one file under ``data_dir/taxii/<name>/``."""
    folder = Path(settings.data_dir) / "taxii" / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now()}-{uuid.uuid4().hex[:8]}.json"
    path.write_bytes(orjson.dumps({"objects": objects}))
    options = {"provider": provider} if provider else None
    summary = ingest(settings, store, [str(path)], "stix", tlp=tlp, options=options, workers=0)
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
    take_in(settings, store, f"posted-{who.org_id}", chosen, now=sharing.now, provider=org)
    return status


def _mark(source: Source) -> str:
    return f"{source.name} {source.objects_url}"


def _get(url: str, authorization: str | None) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Accept": TAXII})  # noqa: S310 (http(s) checked)
    if authorization:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
            return answer.read(), {k.lower(): v for k, v in answer.headers.items()}
    except urllib.error.HTTPError as exc:
        detail: Any = exc.read()[:300]
        raise InputUnreadable(
            f"{url}: HTTP {exc.code}: {detail.decode(errors='replace')}"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise InputUnreadable(f"{url}: {exc}") from None
