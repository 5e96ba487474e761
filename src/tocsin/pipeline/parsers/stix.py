"""STIX 2.1 from partner teams: a bundle, a TAXII envelope or a JSON array of objects.

Rows are the ``observed-data`` and ``indicator`` objects; every other object is context that
rows refer to (identities, marking definitions, SCOs, sightings, relationships, malware). Only the
latest version of an object is a row, and a revoked one is none. An indicator that a sighting in
the same input ties to an observed-data of that input is not a row either: the observed-data
says the same and more (this is how Tocsin's own exports read back, one event per event).

- observed-data: one record with the fields of the SCOs it refers to. The sides are read from
  the graph exactly as ``tocsin.formats.stix`` writes them: a network-traffic's ``src_ref`` and
  ``dst_ref`` (with its ports and protocols), a domain-name that ``resolves_to`` a side's ip, an
  AS that a side's ip or network ``belongs_to``, a network that holds a side's ip, a url whose
  host is a side's ip or fqdn; whatever nothing anchors is the source's. Of two values for one
  field the first is kept and the other SCO's id goes to ``extra.stix_unmapped_refs``, with
  every SCO of a type Tocsin has no field for. The SCOs are read in ``stix_observables``.
- indicator: its STIX pattern (read with stix2-patterns), as one event per alternative: an OR
  (between comparisons or observations) gives one event per side, an AND keeps its comparisons
  together in one event (``[a AND b] OR [c]`` is two events: ``a`` with ``b``, and ``c``).
  Comparisons are mapped with ``=`` (``ISSUBSET`` for a network) over ``ipv4-addr:value``,
  ``ipv6-addr:value``, ``domain-name:value``, ``url:value``, ``file:hashes.<MD5|SHA-1|SHA-256>``,
  ``autonomous-system:number`` and ``network-traffic:dst_ref.value|dst_ref.type|dst_port|
  protocols[*]``. What an indicator names is the thing to block, so it goes to ``source.*``
  even when the pattern says ``dst_ref`` (as IntelMQ maps MISP's ``ip-dst``). An alternative
  that maps to nothing (another path or operator, LIKE, an AND giving one field two values) is
  quarantined with the reason and its place (``alternative 2 of 3: …``), the others still become
  events; a whole pattern with FOLLOWEDBY or a qualifier, or another pattern type, is
  quarantined. Patterns are read in ``stix_patterns``. A ``benign`` indicator names what not to
  block: it is context, not a row.
- version: a row without ``spec_version`` is STIX 2.0 (STIX 2.1 §3.2), and one with another
  value than "2.1" is not 2.1 either: quarantined with that reason, never read as 2.1.
- classification.type: an ``rsit:<class>="<type>"`` label (``ecsirt:`` too); else, for an
  indicator, its ``indicator_types``: malicious-activity is ``blacklist`` (``malware`` when the
  pattern names only a file), compromised is ``system-compromise``, anonymization is ``proxy``;
  else nothing (the normalise stage says ``undetermined``). ``identifier:``, ``malware:`` and
  ``feed:`` labels give ``classification.identifier``, ``malware.name`` and ``feed.name``; an
  indicator that ``indicates`` a malware of the input gets that malware's name.
- provenance: ``feed.provider`` is the name of the ``created_by_ref`` identity when the input
  holds it (for what Tocsin pulls from a partner: that partner, and ``feed.name`` is
  ``taxii:<source>``); ``extra.stix_id`` is the object's id, ``extra.stix_created_by`` its
  producer's;
  ``time.source`` is ``last_observed`` or ``valid_from``, ``time.observation`` is ``created``.
- validity: an indicator's ``valid_until`` (of an observed-data, that of the indicator a
  sighting ties it to) is ``tocsin.valid_until``. An indicator already past it is still an
  event, kept as expired: notices and sharing leave it out (``tocsin.model.event.expired``).
- tlp: the most restrictive TLP (2.0 or 1.0) of the object's marking refs and granular markings
  and those of every SCO it refers to, also under marking ids the input defines itself; none
  leaves ``tlp`` unset, so the feed's default applies. A RED object is still read, and stays
  RED. Markings fail closed: a marking of the wrong shape (a string where the list belongs,
  ``[{}]``, an empty list), an id that is neither TLP's nor defined in the input, and a marking
  definition that cannot be read (``extensions`` that is not an object, a colour that is not
  TLP) make the object RED, never lower, and the rest of the input is read as usual.

A JSON document has no lines: a record's ``line`` is the object's 1-based position in the objects
array and its ``raw`` the object's compact JSON. An input that is not JSON or holds no STIX
objects is one quarantined record (line 1, its first 2,000 characters).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeGuard

import orjson

from tocsin.formats.markings import ABSENT, tlp_of_definition, tlp_of_marks
from tocsin.formats.stix import LABELS
from tocsin.model.taxonomy import classification_type
from tocsin.model.tlp import TLP
from tocsin.pipeline.parsers.base import Parser, Record, Source, json_document
from tocsin.pipeline.parsers.stix_observables import Observables
from tocsin.pipeline.parsers.stix_observables import as_list as _list
from tocsin.pipeline.parsers.stix_patterns import Unmappable, read_pattern

__all__ = ["PARSERS", "Graph", "StixParser", "Unmappable", "read_pattern"]

RAW_PREVIEW = 2_000
ROWS = frozenset({"observed-data", "indicator"})
_RSIT = re.compile(r'^(?:rsit|ecsirt):[a-z-]+="([^"]+)"$', re.IGNORECASE)
_FRACTION = re.compile(r"(\.\d{6})\d+")  # STIX allows any precision; Tocsin keeps microseconds
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BY_INDICATOR_TYPE = {
    "malicious-activity": "blacklist",
    "compromised": "system-compromise",
    "anonymization": "proxy",
}


class StixParser(Parser):
    """STIX 2.1 indicators and observed-data, from a bundle, an envelope or an array."""

    name: ClassVar[str] = "stix"
    help: ClassVar[str] = (
        "STIX 2.1 indicators and observed-data (a bundle, TAXII envelope or array)"
    )
    documentation: ClassVar[str] = "https://docs.oasis-open.org/cti/stix/v2.1/stix-v2.1.html"

    def parse(self, source: Source) -> Iterator[Record]:
        document, failed = json_document(source, RAW_PREVIEW)
        if failed is not None:
            yield failed
            return
        objects = _objects(document)
        if isinstance(objects, str):
            yield Record(1, source.text()[:RAW_PREVIEW], None, objects)
            return
        graph = Graph(objects)
        for position, item in enumerate(objects, start=1):
            for record in graph.records(position, item):
                if record.fields is not None:
                    self._provenance(record.fields)
                yield record

    def _provenance(self, fields: dict[str, Any]) -> None:
        """Options: ``provider``, who sent the input, when its objects do not say; ``partner``
        and ``feed``, the partner and the source Tocsin pulled the input from, over what the
        objects say (their producer stays in ``extra.stix_created_by``)."""
        if self.options.get("partner"):
            fields["feed.provider"] = str(self.options["partner"])
        elif self.options.get("provider"):
            fields.setdefault("feed.provider", str(self.options["provider"]))
        if self.options.get("feed"):
            fields["feed.name"] = str(self.options["feed"])


def _objects(document: Any) -> list[Any] | str:
    """The objects of a bundle, an envelope or an array (one object alone too); else why not."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        objects = document.get("objects")
        if isinstance(objects, list):
            return objects
        if "objects" not in document and isinstance(document.get("type"), str):
            return [document]
        return "not STIX: a JSON object without an objects array"
    return "not STIX: neither a bundle, an envelope nor an array of objects"


class Graph:
    """One input's objects by id, with what rows need to know of the others."""

    def __init__(self, objects: list[Any]) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}
        for item in objects:
            if _is_object(item) and _newer(item, self.by_id.get(item["id"])):
                self.by_id[item["id"]] = item
        self.definitions: dict[str, TLP | None] = {}  # every marking definition: its TLP or None
        self.sighted: set[str] = set()  # indicators whose observed-data is in this input
        self.valid_until: dict[str, Any] = {}  # observed-data id → its indicator's valid_until
        self.indicates: dict[str, str] = {}  # indicator id → malware name
        for id_, item in self.by_id.items():
            kind = item["type"]
            if kind == "marking-definition":
                self.definitions[id_] = tlp_of_definition(item)
            elif kind == "sighting":
                self._sighting(item)
            elif kind == "relationship" and item.get("relationship_type") == "indicates":
                malware = self.by_id.get(str(item.get("target_ref")))
                if malware is not None and malware["type"] == "malware" and malware.get("name"):
                    self.indicates.setdefault(str(item.get("source_ref")), str(malware["name"]))

    def _sighting(self, item: Mapping[str, Any]) -> None:
        """A sighting of an indicator in observed-data of this input: the observed-data is the
        row, and holds until the indicator's ``valid_until``."""
        refs = _list(item, "observed_data_refs")
        observed = [r for r in refs if self._kind(r) == "observed-data"]
        if not observed:
            return
        self.sighted.add(str(item.get("sighting_of_ref")))
        indicator = self.by_id.get(str(item.get("sighting_of_ref")))
        until = None if indicator is None else indicator.get("valid_until")
        if until:
            for ref in observed:
                self.valid_until[ref] = until

    def _kind(self, ref: Any) -> str | None:
        found = self.by_id.get(ref) if isinstance(ref, str) else None
        return None if found is None else str(found["type"])

    def records(self, position: int, item: Any) -> list[Record]:
        """The records of one object of the array: none for context, one per event it names (an
        indicator whose pattern has an OR names several), one quarantined per part that names
        none."""
        raw = orjson.dumps(item).decode()
        if not _is_object(item):
            return [Record(position, raw, None, "not a STIX object (an object with type and id)")]
        if item["type"] not in ROWS or self.by_id.get(item["id"]) is not item:
            return []
        if item.get("revoked") is True:
            return []
        try:
            _stix_21(item)
            if item["type"] == "observed-data":
                found: list[dict[str, Any] | Unmappable] = [self.observed(item)]
            else:
                found = self.indicator(item)
        except Unmappable as exc:
            return [Record(position, raw, None, f"{item['id']}: {exc}")]
        except Exception as exc:  # one object of a shape nobody foresaw loses that row only
            return [Record(position, raw, None, f"{item['id']}: cannot be read: {exc!r}")]
        if len(found) == 1 and isinstance(found[0], Unmappable):
            return [Record(position, raw, None, f"{item['id']}: {found[0]}")]
        return [
            Record(position, raw, None, f"{item['id']}: alternative {n} of {len(found)}: {one}")
            if isinstance(one, Unmappable)
            else Record(position, raw, one)
            for n, one in enumerate(found, start=1)
        ]

    def observed(self, item: Mapping[str, Any]) -> dict[str, Any]:
        if "object_refs" not in item and "objects" in item:
            raise Unmappable("STIX 2.0 embedded objects; STIX 2.1 object_refs are expected")
        refs = _list(item, "object_refs")
        scos = [self.by_id[r] for r in refs if isinstance(r, str) and r in self.by_id]
        fields = Observables(scos).fields()
        if not fields:
            parts = []
            if len(refs) > len(scos):
                parts.append(f"{len(refs) - len(scos)} object_refs not in this input")
            if scos:
                kinds = ", ".join(sorted({sco["type"] for sco in scos}))
                parts.append(f"Tocsin has no field for {kinds}")
            raise Unmappable("no observable to map: " + ("; ".join(parts) or "no object_refs"))
        self._common(item, fields, scos)
        if item.get("last_observed"):
            fields["time.source"] = _time(item["last_observed"])
        if item["id"] in self.valid_until:
            fields["tocsin.valid_until"] = _time(self.valid_until[item["id"]])
        return fields

    def indicator(self, item: Mapping[str, Any]) -> list[dict[str, Any] | Unmappable]:
        """One event per alternative of the pattern (``stix_patterns``), or why it has none;
        nothing for an indicator that is context."""
        kind = item.get("pattern_type")
        if kind != "stix":
            raise Unmappable(f"pattern_type {kind!r}: only STIX patterns are mapped")
        if item["id"] in self.sighted:
            return []
        types = [t for t in _list(item, "indicator_types") if isinstance(t, str)]
        if types and all(t == "benign" for t in types):
            return []
        found = read_pattern(str(item.get("pattern", "")))
        for fields in found:
            if not isinstance(fields, Unmappable):
                self._indicated(item, fields, types)
        return found

    def _indicated(self, item: Mapping[str, Any], fields: dict[str, Any], types: list[str]) -> None:
        """What an indicator adds to the fields of one event its pattern names."""
        for type_ in types:
            guess = _BY_INDICATOR_TYPE.get(type_)
            if guess is not None:
                only_file = all(k.startswith("malware.hash.") for k in fields)
                guessed = "malware" if guess == "blacklist" and only_file else guess
                fields["classification.type"] = guessed
                break
        if item["id"] in self.indicates:
            fields["malware.name"] = self.indicates[item["id"]]
        self._common(item, fields, ())
        if item.get("valid_from"):
            fields["time.source"] = _time(item["valid_from"])
        if item.get("valid_until"):
            fields["tocsin.valid_until"] = _time(item["valid_until"])

    def _common(
        self, item: Mapping[str, Any], fields: dict[str, Any], scos: Iterable[Mapping[str, Any]]
    ) -> None:
        """Labels, provenance, times and TLP: what every row takes from its object."""
        for label in _list(item, "labels"):
            if isinstance(label, str):
                _label(label, fields)
        creator = item.get("created_by_ref")
        if isinstance(creator, str):
            fields["extra.stix_created_by"] = creator
            identity = self.by_id.get(creator)
            if identity is not None and identity["type"] == "identity" and identity.get("name"):
                fields["feed.provider"] = identity["name"]
        fields["extra.stix_id"] = item["id"]
        if item.get("created"):
            fields["time.observation"] = _time(item["created"])
        label = self.tlp(item, *scos)
        if label is not None:
            fields["tlp"] = label.value_name

    def tlp(self, *items: Mapping[str, Any]) -> TLP | None:
        """The most restrictive TLP marking the objects; a malformed marking is RED."""
        labels = [
            tlp_of_marks(
                item.get("object_marking_refs", ABSENT),
                item.get("granular_markings", ABSENT),
                definitions=self.definitions,
            )
            for item in items
        ]
        found = [label for label in labels if label is not None]
        return max(found) if found else None


def _stix_21(item: Mapping[str, Any]) -> None:
    """Unmappable unless the row is STIX 2.1: an indicator or observed-data without
    ``spec_version`` is STIX 2.0 (STIX 2.1 section 3.2), whose properties mean other things."""
    spec = item.get("spec_version")
    if spec != "2.1":
        said = "no spec_version: a STIX 2.0 object" if spec is None else f"spec_version {spec!r}"
        raise Unmappable(f"{said}; Tocsin reads STIX 2.1")


def _label(label: str, fields: dict[str, Any]) -> None:
    """Read one label: an RSIT machine tag, or one of the prefixes Tocsin writes."""
    matched = _RSIT.match(label)
    if matched:
        with suppress(ValueError):  # a type outside the taxonomy: as if there were no tag
            fields["classification.type"] = classification_type(matched.group(1))
        return
    prefix, colon, value = label.partition(":")
    field = LABELS.get(prefix)
    if colon and value and field is not None:
        fields.setdefault(field, value)


def _time(value: Any) -> Any:
    return _FRACTION.sub(r"\1", value) if isinstance(value, str) else value


def _is_object(item: Any) -> TypeGuard[dict[str, Any]]:
    return (
        isinstance(item, dict)
        and isinstance(item.get("type"), str)
        and isinstance(item.get("id"), str)
    )


def _newer(item: Mapping[str, Any], than: Mapping[str, Any] | None) -> bool:
    """True when ``item`` is a later version than ``than`` (or there is none yet)."""
    return than is None or _version(item) > _version(than)


def _version(item: Mapping[str, Any]) -> datetime:
    """When this version was made (an SCO, which has no versions, is the earliest)."""
    try:
        return datetime.fromisoformat(_time(item["modified"]))
    except (KeyError, TypeError, ValueError):
        return _EPOCH


PARSERS: list[type[Parser]] = [StixParser]
