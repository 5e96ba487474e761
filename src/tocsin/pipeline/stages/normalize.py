"""Normalise: a parser's raw fields become one validated, harmonized event — or a quarantined row.

Every value goes through its type's sanitiser, those a parser hands over as already clean too
(checked once per distinct value: a parser's word is never taken for it, so no parser can store a
malformed value); the first bad value quarantines the row with a reason that names the field, the
value and what is wrong. Feed defaults fill what the row lacks:
``feed.name``, ``feed.provider``, ``time.observation``, ``classification.type`` and ``tlp``; the
taxonomy is always derived from the type.
"""

from __future__ import annotations

from collections.abc import Iterable

from tocsin.errors import InvalidValue
from tocsin.model.fields import FIELDS, sanitizer_for
from tocsin.model.quarantine import Quarantined
from tocsin.model.taxonomy import classification_type, taxonomy_of
from tocsin.model.tlp import tlp
from tocsin.model.types import Sanitizer
from tocsin.pipeline.parsers.base import Record
from tocsin.pipeline.stages.batch import Batch, FeedContext, Origin

OBSERVABLES = (
    "source.ip",
    "source.network",
    "source.fqdn",
    "source.url",
    "source.asn",
    "destination.ip",
    "destination.fqdn",
    "destination.url",
    "malware.hash.sha256",
    "malware.hash.md5",
    "malware.hash.sha1",
)

_OBSERVABLES = frozenset(OBSERVABLES)


def normalize(records: Iterable[Record], ctx: FeedContext) -> Batch:
    """Validate each record's fields into an event; quarantine what cannot be one."""
    batch = Batch()
    default_type = classification_type(ctx.default_type) if ctx.default_type else None
    default_tlp = tlp(ctx.default_tlp)
    known: dict[str, Sanitizer] = dict(FIELDS)
    for record in records:
        batch.read += 1
        event = _event(record, ctx, known)
        if isinstance(event, Quarantined):
            batch.quarantined.append(event)
            continue
        event.setdefault("feed.name", ctx.feed)
        if ctx.provider:
            event.setdefault("feed.provider", ctx.provider)
        event.setdefault("time.observation", ctx.observed)
        event.setdefault("tlp", default_tlp)
        type_ = event.get("classification.type") or default_type or "undetermined"
        event["classification.type"] = type_
        event["classification.taxonomy"] = taxonomy_of(str(type_))
        batch.add(event, Origin(ctx.parser or ctx.feed, ctx.file, record.line, record.raw))
    return batch


def _event(
    record: Record, ctx: FeedContext, known: dict[str, Sanitizer]
) -> dict[str, object] | Quarantined:
    """The record's values sanitised into an event (feed defaults not yet filled), or the
    record quarantined with the reason."""
    if record.fields is None:
        return _quarantine(ctx, record, "parse", record.error or "unparsable")
    event: dict[str, object] = {}
    try:
        if record.clean:
            _verify(record.clean, event, known)
        _sanitize(record.fields, event, known)
    except InvalidValue as exc:
        return _quarantine(ctx, record, "normalize", str(exc))
    if _OBSERVABLES.isdisjoint(event):
        return _quarantine(
            ctx,
            record,
            "normalize",
            "no observable (IP, network, domain, URL, ASN or hash) in this row",
        )
    return event


def _sanitize(
    fields: dict[str, object], event: dict[str, object], known: dict[str, Sanitizer]
) -> None:
    """Each given value through its field's sanitiser into ``event``; ``known`` caches the
    sanitisers looked up so far. The first bad value raises ``InvalidValue``."""
    for name, value in fields.items():
        if value is None or value == "":
            continue
        sanitize = known.get(name)
        if sanitize is None:
            sanitize = known[name] = sanitizer_for(name)
        try:
            event[name] = sanitize(value)
        except InvalidValue:
            raise
        except ValueError as exc:
            raise InvalidValue(name, value, str(exc)) from None


_VERIFIED_LIMIT = 50_000
_verified_text: dict[str, set[str]] = {}  # field → text values known canonical
_verified: set[tuple[str, type, object]] = set()  # (field, type, value) for other values


def _verify(
    clean: dict[str, object], event: dict[str, object], known: dict[str, Sanitizer]
) -> None:
    """A parser's clean values into ``event``, each checked to be its field's canonical value
    (a set lookup for a value seen before). A value that is not canonical is sanitised; a bad
    one raises ``InvalidValue``."""
    for name, value in clean.items():
        if type(value) is str:
            texts = _verified_text.get(name)
            if texts is not None and value in texts:
                event[name] = value
                continue
        elif _known(name, value):
            event[name] = value
            continue
        if value is None or value == "":
            continue
        sanitize = known.get(name)
        if sanitize is None:
            sanitize = known[name] = sanitizer_for(name)
        try:
            canonical = event[name] = sanitize(value)
        except InvalidValue:
            raise
        except ValueError as exc:
            raise InvalidValue(name, value, str(exc)) from None
        if canonical == value and type(canonical) is type(value):
            _remember(name, value)


def _known(name: str, value: object) -> bool:
    try:
        return (name, type(value), value) in _verified
    except TypeError:  # a list or map under extra.*: checked every time
        return False


def _remember(name: str, value: object) -> None:
    """Note that ``value`` is canonical for ``name`` (the memory is bounded)."""
    if type(value) is str:
        texts = _verified_text.setdefault(name, set())
        if len(texts) >= _VERIFIED_LIMIT:
            texts.clear()
        texts.add(value)
        return
    try:
        hash(value)
    except TypeError:
        return
    if len(_verified) >= _VERIFIED_LIMIT:
        _verified.clear()
    _verified.add((name, type(value), value))


def _quarantine(ctx: FeedContext, record: Record, stage: str, reason: str) -> Quarantined:
    return Quarantined(ctx.parser or ctx.feed, ctx.file, record.line, record.raw, stage, reason)
