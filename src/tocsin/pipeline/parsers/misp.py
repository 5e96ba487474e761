"""MISP events: every attribute of an event is one row, and so is every object of the templates
``misp_objects`` keeps whole (``file``, ``ip-port``, ``domain-ip``, ``url``, ``email``): its
attributes make its events together, the file name with the hashes, the address with its port.

The format is the MISP core format as docs/feeds.md §7 describes it. One input
file holds ``{"Event": {...}}`` (a feed's ``<uuid>.json``, MISP's JSON export), a bare event
object, MISP's REST search answer ``{"response": [{"Event": ...}, ...]}`` or a JSON list of
``{"Event": ...}``. To read a whole feed directory, ``feed_files`` lists the event files its
``manifest.json`` names; each is then parsed on its own. This module reads the document and its
events; one attribute's fields (the table and the tag rules below) are ``misp_attributes``'.

Attribute types and their fields (a composite value ``a|b`` fills one field per part):

==========================================  ================================================
``ip-src``, ``ip-dst``                      ``source.ip`` (``source.network`` for a CIDR)
``ip-src|port``, ``ip-dst|port``            ``source.ip``, ``source.port``
``domain``, ``hostname``                    ``source.fqdn``
``domain|ip``                               ``source.fqdn``, ``source.ip``
``hostname|port``                           ``source.fqdn``, ``source.port``
``url``                                     ``source.url``, and its host as for other URL feeds
``md5``, ``sha1``, ``sha256``               ``malware.hash.*``
``filename|md5`` (``sha1``, ``sha256``)     ``extra.file_name``, ``malware.hash.*``
``AS``                                      ``source.asn``
``email-src``                               ``source.account``
==========================================  ================================================

Both ``ip-src`` and ``ip-dst`` go to ``source.ip``, as in IntelMQ's MISP parser: MISP's src/dst
tells which end of a connection the indicator was seen at, while Tocsin's ``source.*`` is the
indicator itself, the party to notify. E-mail addresses are personal data: only the sender
(``email-src``, the account that sent the abuse) is kept, in ``source.account`` and nowhere else
(no domain is made up from it); the normalise stage then quarantines such a row for having no
observable, as it does every row without one. ``email-dst`` (a recipient, i.e. a victim),
``email``, ``link`` (a reference to outside analysis, not an indicator), free text and every
other type have no field: each such attribute is a quarantined row naming its type, never dropped
silently. A deleted attribute (``"deleted": true``, or one in a deleted object) is a revocation,
not an indicator: it is not a row, yet it keeps its position, so line numbers do not shift.

Per row: ``misp.event_uuid`` and ``misp.attribute_uuid``; ``feed.provider`` is the creator
organisation (``Orgc.name``); ``comment`` is the attribute's comment (incoming partner text, kept
like any feed's text); ``event_description.text`` is the event's ``info``; ``extra.misp.type``,
``extra.misp.category``, ``extra.misp.to_ids`` and ``extra.misp.object`` say where the value came
from; ``time.source`` is the attribute's ``timestamp`` (Unix seconds), else the event's ``date``.

Tags are read on the attribute, its object and its event:

- ``tlp``: every ``tlp:clear|white|green|amber|amber+strict|red`` tag on the three counts and the
  most restrictive wins; no tag leaves ``tlp`` unset, so the feed's default applies.
- ``classification.type``: an ``rsit:<class>="<type>"`` tag (or ``ecsirt:``, RSIT's former name;
  legacy types map as in IntelMQ), the nearest level first. A level with two different types is
  ambiguous and is passed over like one with none. Without a tag, an attribute marked ``to_ids``
  in a category about malicious activity (Network activity, Payload delivery, Payload
  installation, Artifacts dropped, External analysis) is ``malware`` for a file hash and
  ``blacklist`` for anything else (IntelMQ's types for a listed file and a listed host);
  otherwise the type is left to the normalise stage (``undetermined``). A MISP category says where
  an indicator fits in an attack, not what the abuse is, so nothing more specific is guessed.
- ``malware.name``: a ``malware:<name>`` tag or a cluster of a galaxy of malware families
  (``misp-galaxy:<galaxy>="<name>"`` with galaxy ``malpedia``, ``mitre-malware``,
  ``ransomware``, ``botnet``, ``banker``, ``rat``, ``stealer``, ``backdoor``…; MITRE's
  `` - S0123`` id dropped), the nearest level first, only when that level names one malware.
- ``extra.threat_actor``: likewise a cluster of ``threat-actor``, ``mitre-intrusion-set`` or
  ``microsoft-activity-group`` (the event model has no harmonised field for an actor). Clusters
  are read from the tags (a feed) and from ``Galaxy`` lists (an export or a REST answer).

Line numbers are the attribute's 1-based position in its event, attributes first and then the
attributes of each object in turn (an object's event is at its first attribute's); in a file of
several events the count runs on. ``raw`` is the attribute's compact JSON without ``data`` (the
base64 copy of a malware sample has no place in the quarantine), the object's for an object's
event. A document that is not JSON or
holds no MISP event is one quarantined record; so is each item of a list that is not an event.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import orjson

from tocsin.errors import InputUnreadable
from tocsin.pipeline.parsers.base import (
    MAX_ROW_CHARS,
    Parser,
    Record,
    Source,
    json_document,
    json_kind,
)
from tocsin.pipeline.parsers.misp_attributes import Level, as_flag, as_text, attribute_fields
from tocsin.pipeline.parsers.misp_objects import MAX_EVENTS, TEMPLATES, Whole, object_fields

JSON_RAW_CHARS = 2000
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class MISPParser(Parser):
    """A MISP event file (feed, export or REST answer): one row per attribute."""

    name: ClassVar[str] = "misp"
    help: ClassVar[str] = "MISP events (a feed's event file, JSON export or REST search answer)"
    documentation: ClassVar[str] = "https://github.com/MISP/misp-rfc"

    def parse(self, source: Source) -> Iterator[Record]:
        document, failed = json_document(source, JSON_RAW_CHARS)
        if failed is not None:
            yield failed
            return
        items = _events(document)
        if isinstance(items, str):
            yield Record(1, _preview(document), None, items)
            return
        position = 0
        for item in items:
            event = item.get("Event", item) if isinstance(item, dict) else item
            if not _is_event(event):
                position += 1
                yield Record(position, _preview(item), None, _not_an_event(event))
                continue
            for at, record in _event_records(event, position):
                position = at
                if record is not None:
                    yield record


def feed_files(directory: str | Path) -> list[Path]:
    """The event files of a MISP feed directory, in the order its ``manifest.json`` lists them.

    The manifest is a JSON object keyed by event UUID (docs/feeds.md §7.1); each key names the file
    ``<uuid>.json``. A key that is not a UUID could name a file outside the directory, so it is an
    error, and so is a listed file that is missing: a feed read in part would pass unnoticed.
    """
    root = Path(directory)
    path = root / "manifest.json"
    try:
        manifest = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise InputUnreadable(f"{path}: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise InputUnreadable(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(manifest, dict):
        found = json_kind(manifest)
        raise InputUnreadable(f"{path}: expected an object keyed by event UUID, found {found}")
    files: list[Path] = []
    missing: list[str] = []
    for key in manifest:
        if not _UUID.fullmatch(key):
            raise InputUnreadable(f"{path}: {key!r} is not an event UUID")
        event_file = root / f"{key}.json"
        if not event_file.is_file():
            missing.append(event_file.name)
        files.append(event_file)
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise InputUnreadable(
            f"{root}: the manifest lists event files that are not there: "
            + ", ".join(missing[:5])
            + more
        )
    return files


# --- the document and its events ---------------------------------------------------------------


def _events(document: Any) -> list[Any] | str:
    """The items of a document that should each be an event, or why it holds none."""
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        return _not_an_event(document)
    if "response" in document:
        response = document["response"]
        if isinstance(response, list):
            return response
        return "a MISP REST answer without a list of events (an attribute search?)"
    if "Event" in document or _is_event(document):
        return [document]
    return _not_an_event(document)


def _is_event(item: Any) -> bool:
    """An event object has its title (``info``) and its ``uuid`` or its attributes."""
    return isinstance(item, dict) and "info" in item and ("uuid" in item or "Attribute" in item)


def _not_an_event(item: Any) -> str:
    if isinstance(item, dict):
        return "not a MISP event: an object with neither Event nor info and uuid or Attribute"
    return f"not a MISP event but {json_kind(item)}"


def _event_records(event: dict[str, Any], position: int) -> Iterator[tuple[int, Record | None]]:
    """``(position, record)`` for each attribute of one event, after ``position`` earlier rows.

    The record is ``None`` for a deleted attribute: it is no row, but it keeps its position.
    """
    try:
        attributes = _list(event, "Attribute")
        objects = _list(event, "Object")
    except ValueError as exc:
        yield position + 1, Record(position + 1, _preview(event), None, str(exc))
        return
    context = {
        "misp.event_uuid": as_text(event.get("uuid")),
        "feed.provider": as_text(_get(event.get("Orgc"), "name")),
        "event_description.text": as_text(event.get("info")),
    }
    date = as_text(event.get("date"))
    levels = [Level(event.get("Tag"), event.get("Galaxy"))]
    for attribute in attributes:
        position += 1
        yield position, _record(position, attribute, context, date, levels, None)
    for item in objects:
        if not isinstance(item, dict):
            position += 1
            reason = f"an Object item is {json_kind(item)}, not an object"
            yield position, Record(position, _preview(item), None, reason)
            continue
        try:
            inner = _list(item, "Attribute")
        except ValueError as exc:
            position += 1
            yield position, Record(position, _preview(item), None, str(exc))
            continue
        deleted = as_flag(item.get("deleted"))
        object_levels = [Level(item.get("Tag")), *levels]
        name = as_text(item.get("name"))
        members = list(enumerate(inner, position + 1))
        position += len(inner)
        if deleted:
            yield from ((at, None) for at, _ in members)
        elif name in TEMPLATES:
            yield from _whole(Whole(name, item, members), context, date, object_levels)
        else:
            for at, attribute in members:
                yield at, _record(at, attribute, context, date, object_levels, name)


def _whole(
    whole: Whole, context: Mapping[str, str | None], date: str | None, levels: list[Level]
) -> Iterator[tuple[int, Record | None]]:
    """The rows of an object of a known template, in the order of their positions: its events
    (each at the position of its first attribute), and its other attributes read on their own."""
    found: list[tuple[int, Record | None]] = []
    raw = _object_raw(whole)
    if whole.count() > MAX_EVENTS:
        at = min(at for members in whole.values.values() for at, _ in members)
        reason = f"a MISP {whole.name} object that would make {whole.count()} events"
        found.append((at, Record(at, raw, None, f"{reason} (at most {MAX_EVENTS})")))
    else:
        for chosen in whole.combinations():
            at = min(at for _, (at, _) in chosen)
            fields = object_fields(whole, chosen, context, date, levels)
            found.append((at, Record(at, raw, fields)))
    for at, attribute in whole.alone:
        found.append((at, _record(at, attribute, context, date, levels, whole.name)))
    return iter(sorted(found, key=lambda pair: pair[0]))


def _record(
    position: int,
    attribute: Any,
    context: Mapping[str, str | None],
    date: str | None,
    levels: list[Level],
    object_name: str | None,
) -> Record | None:
    """The row of one attribute; ``None`` for a deleted one (a revocation, not an indicator)."""
    if not isinstance(attribute, dict):
        raw = _preview(attribute)
        return Record(position, raw, None, f"attribute is {json_kind(attribute)}, not an object")
    if as_flag(attribute.get("deleted")):
        return None
    raw = orjson.dumps({k: v for k, v in attribute.items() if k != "data"}).decode()
    raw = raw[:MAX_ROW_CHARS]
    try:
        own = Level(attribute.get("Tag"), attribute.get("Galaxy"))
        fields = attribute_fields(attribute, context, date, [own, *levels])
    except ValueError as exc:
        return Record(position, raw, None, str(exc))
    if object_name:
        fields["extra.misp.object"] = object_name
    return Record(position, raw, fields)


def _object_raw(whole: Whole) -> str:
    """An object's compact JSON, its attributes without ``data`` (a malware sample's copy)."""
    inner = whole.item.get("Attribute")
    attributes = [
        {k: v for k, v in a.items() if k != "data"} if isinstance(a, dict) else a
        for a in (inner if isinstance(inner, list) else [])
    ]
    return orjson.dumps({**whole.item, "Attribute": attributes}).decode()[:MAX_ROW_CHARS]


# --- small readers -----------------------------------------------------------------------------


def _list(item: dict[str, Any], key: str) -> list[Any]:
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{key} is {json_kind(value)}, not a list")
    return value


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else None


def _preview(item: Any) -> str:
    return orjson.dumps(item).decode()[:JSON_RAW_CHARS]


PARSERS: list[type[Parser]] = [MISPParser]
