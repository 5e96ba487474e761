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
  every SCO of a type Tocsin has no field for.
- indicator: its STIX pattern (read with stix2-patterns), when it is one comparison or an AND of
  comparisons with ``=`` (``ISSUBSET`` for a network) over ``ipv4-addr:value``,
  ``ipv6-addr:value``, ``domain-name:value``, ``url:value``, ``file:hashes.<MD5|SHA-1|SHA-256>``,
  ``autonomous-system:number`` and ``network-traffic:dst_ref.value|dst_ref.type|dst_port|
  protocols[*]``. What an indicator names is the thing to block, so it goes to ``source.*``
  even when the pattern says ``dst_ref`` (as IntelMQ maps MISP's ``ip-dst``). Any other pattern
  (OR, FOLLOWEDBY, qualifiers, LIKE, other paths) or pattern type is quarantined with the reason.
  A ``benign`` indicator names what not to block: it is context, not a row.
- classification.type: an ``rsit:<class>="<type>"`` label (``ecsirt:`` too); else, for an
  indicator, its ``indicator_types``: malicious-activity is ``blacklist`` (``malware`` when the
  pattern names only a file), compromised is ``system-compromise``, anonymization is ``proxy``;
  else nothing (the normalise stage says ``undetermined``). ``identifier:``, ``malware:`` and
  ``feed:`` labels give ``classification.identifier``, ``malware.name`` and ``feed.name``; an
  indicator that ``indicates`` a malware of the input gets that malware's name.
- provenance: ``feed.provider`` is the name of the ``created_by_ref`` identity when the input
  holds it; ``extra.stix_id`` is the object's id, ``extra.stix_created_by`` its producer's;
  ``time.source`` is ``last_observed`` or ``valid_from``, ``time.observation`` is ``created``.
- tlp: the most restrictive TLP (2.0 or 1.0) of the object's marking refs and those of every SCO
  it refers to, also under marking ids the input defines itself; none leaves ``tlp`` unset, so
  the feed's default applies. A RED object is still read, and stays RED.

A JSON document has no lines: a record's ``line`` is the object's 1-based position in the objects
array and its ``raw`` the object's compact JSON. An input that is not JSON or holds no STIX
objects is one quarantined record (line 1, its first 2,000 characters).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import Any, ClassVar, TypeGuard

import orjson
from stix2patterns.exceptions import ParseException
from stix2patterns.inspector import INDEX_STAR
from stix2patterns.v21.inspector import InspectionListener
from stix2patterns.v21.pattern import Pattern

from tocsin.formats.markings import tlp_of_definition, tlp_of_refs
from tocsin.formats.observables import (
    HASHES,
    SIDES,
    TRANSPORTS,
    network_side,
    read_protocols,
    url_side,
)
from tocsin.formats.stix import LABELS
from tocsin.model.taxonomy import classification_type
from tocsin.model.tlp import TLP
from tocsin.pipeline.parsers.base import Parser, Record, Source, json_document

RAW_PREVIEW = 2_000
ROWS = frozenset({"observed-data", "indicator"})
_ALGORITHMS = {name.replace("-", ""): field for field, name in HASHES.items()}  # SHA256 → …
_RSIT = re.compile(r'^(?:rsit|ecsirt):[a-z-]+="([^"]+)"$', re.IGNORECASE)
_FRACTION = re.compile(r"(\.\d{6})\d+")  # STIX allows any precision; Tocsin keeps microseconds
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BY_INDICATOR_TYPE = {
    "malicious-activity": "blacklist",
    "compromised": "system-compromise",
    "anonymization": "proxy",
}


class Unmappable(ValueError):
    """An object that is a row but cannot become one event; the message says why."""


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
        provider = self.options.get("provider")  # who sent it, when its objects do not say
        for position, item in enumerate(objects, start=1):
            record = graph.record(position, item)
            if record is not None:
                if provider and record.fields is not None:
                    record.fields.setdefault("feed.provider", str(provider))
                yield record


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
        self.definitions: dict[str, TLP] = {}
        self.sighted: set[str] = set()  # indicators whose observed-data is in this input
        self.indicates: dict[str, str] = {}  # indicator id → malware name
        for id_, item in self.by_id.items():
            kind = item["type"]
            if kind == "marking-definition":
                label = tlp_of_definition(item)
                if label is not None:
                    self.definitions[id_] = label
            elif kind == "sighting" and any(
                self._kind(ref) == "observed-data" for ref in _list(item, "observed_data_refs")
            ):
                self.sighted.add(str(item.get("sighting_of_ref")))
            elif kind == "relationship" and item.get("relationship_type") == "indicates":
                malware = self.by_id.get(str(item.get("target_ref")))
                if malware is not None and malware["type"] == "malware" and malware.get("name"):
                    self.indicates.setdefault(str(item.get("source_ref")), str(malware["name"]))

    def _kind(self, ref: Any) -> str | None:
        found = self.by_id.get(ref) if isinstance(ref, str) else None
        return None if found is None else str(found["type"])

    def record(self, position: int, item: Any) -> Record | None:
        """The record of one object of the array, or None for context."""
        raw = orjson.dumps(item).decode()
        if not _is_object(item):
            return Record(position, raw, None, "not a STIX object (an object with type and id)")
        if item["type"] not in ROWS or self.by_id.get(item["id"]) is not item:
            return None
        if item.get("revoked") is True:
            return None
        try:
            if item["type"] == "observed-data":
                fields: dict[str, Any] | None = self.observed(item)
            else:
                fields = self.indicator(item)
        except Unmappable as exc:
            return Record(position, raw, None, f"{item['id']}: {exc}")
        if fields is None:
            return None
        return Record(position, raw, fields)

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
        marks = [ref for sco in scos for ref in _list(sco, "object_marking_refs")]
        self._common(item, fields, marks)
        if item.get("last_observed"):
            fields["time.source"] = _time(item["last_observed"])
        return fields

    def indicator(self, item: Mapping[str, Any]) -> dict[str, Any] | None:
        kind = item.get("pattern_type")
        if kind != "stix":
            raise Unmappable(f"pattern_type {kind!r}: only STIX patterns are mapped")
        if item["id"] in self.sighted:
            return None
        types = [t for t in _list(item, "indicator_types") if isinstance(t, str)]
        if types and all(t == "benign" for t in types):
            return None
        fields = read_pattern(str(item.get("pattern", "")))
        for type_ in types:
            guess = _BY_INDICATOR_TYPE.get(type_)
            if guess is not None:
                only_file = all(k.startswith("malware.hash.") for k in fields)
                guessed = "malware" if guess == "blacklist" and only_file else guess
                fields["classification.type"] = guessed
                break
        if item["id"] in self.indicates:
            fields["malware.name"] = self.indicates[item["id"]]
        self._common(item, fields, [])
        if item.get("valid_from"):
            fields["time.source"] = _time(item["valid_from"])
        return fields

    def _common(self, item: Mapping[str, Any], fields: dict[str, Any], refs: list[Any]) -> None:
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
        own = [r for r in (*_list(item, "object_marking_refs"), *refs) if isinstance(r, str)]
        label = tlp_of_refs(own, definitions=self.definitions)
        if label is not None:
            fields["tlp"] = label.value_name


class Observables:
    """The fields of one observed-data's SCOs, each on the side the graph anchors it to."""

    def __init__(self, scos: list[dict[str, Any]]) -> None:
        self.scos = scos
        self.out: dict[str, Any] = {}
        self.unmapped: list[str] = []
        self.address: dict[str, str] = {}  # side → id of its ip (else network) object

    def fields(self) -> dict[str, Any]:  # noqa: C901
        traffic = next((s for s in self.scos if s["type"] == "network-traffic"), None)
        ends = {}
        if traffic is not None:
            ends = {"source": traffic.get("src_ref"), "destination": traffic.get("dst_ref")}
            self._put("source.port", traffic.get("src_port"), traffic)
            self._put("destination.port", traffic.get("dst_port"), traffic)
            transport, application = read_protocols(_list(traffic, "protocols"))
            self._put("protocol.transport", transport, traffic)
            self._put("protocol.application", application, traffic)
        by_type: dict[str, list[dict[str, Any]]] = {}
        for sco in self.scos:
            if sco is not traffic:
                by_type.setdefault(sco["type"], []).append(sco)
        addresses = [*by_type.pop("ipv4-addr", []), *by_type.pop("ipv6-addr", [])]
        hosts = [a for a in addresses if "/" not in str(a.get("value", ""))]
        for sco in sorted(hosts, key=lambda s: s["id"] not in ends.values()):
            sides = [s for s in SIDES if ends.get(s) == sco["id"]] or ["source"]
            for side in sides:
                if self._put(f"{side}.ip", sco.get("value"), sco):
                    self.address.setdefault(side, sco["id"])
        ips = (self.out.get("source.ip"), self.out.get("destination.ip"))
        for sco in addresses:
            if sco not in hosts:
                side = network_side(str(sco.get("value")), *ips)
                if self._put(f"{side}.network", sco.get("value"), sco):
                    self.address.setdefault(side, sco["id"])
        for sco in by_type.pop("domain-name", []):
            resolves = _list(sco, "resolves_to_refs")
            sides = [
                s for s in SIDES if sco["id"] == ends.get(s) or self.address.get(s) in resolves
            ]
            for side in sides or ["source"]:
                self._put(f"{side}.fqdn", sco.get("value"), sco)
        source, destination = (self._hosts(s) for s in SIDES)
        for sco in by_type.pop("url", []):
            side = url_side(str(sco.get("value", "")), source, destination)
            self._put(f"{side}.url", sco.get("value"), sco)
        owners = {s: _list(self._object(self.address.get(s)), "belongs_to_refs") for s in SIDES}
        for sco in by_type.pop("autonomous-system", []):
            sides = [s for s in SIDES if sco["id"] in owners[s]] or ["source"]
            for side in sides:
                self._put(f"{side}.asn", sco.get("number"), sco)
        for sco in by_type.pop("file", []):
            hashes = sco.get("hashes")
            for algorithm, value in hashes.items() if isinstance(hashes, dict) else ():
                field = _ALGORITHMS.get(str(algorithm).upper().replace("-", ""))
                if field is not None:
                    self._put(field, value, sco)
        self.unmapped += [sco["id"] for scos in by_type.values() for sco in scos]
        if self.unmapped and self.out:
            self.out["extra.stix_unmapped_refs"] = list(dict.fromkeys(self.unmapped))
        return self.out

    def _hosts(self, side: str) -> set[str]:
        return {str(h) for h in (self.out.get(f"{side}.ip"), self.out.get(f"{side}.fqdn")) if h}

    def _object(self, id_: str | None) -> Mapping[str, Any]:
        return next((s for s in self.scos if s["id"] == id_), {})

    def _put(self, field: str, value: Any, sco: Mapping[str, Any]) -> bool:
        """Set a field unless it holds another value already (that SCO is then unmapped)."""
        if value is None or value == "":
            return False
        held = self.out.setdefault(field, value)
        if held != value:
            self.unmapped.append(sco["id"])
            return False
        return True


class _Shape(InspectionListener):  # type: ignore[misc]  # stix2-patterns has no type hints
    """stix2-patterns' inspector, which also notes an OR between comparisons."""

    def __init__(self) -> None:
        super().__init__()
        self.disjunction = False

    def exitComparisonExpression(self, ctx: Any) -> None:  # the ANTLR listener's name
        if ctx.OR():
            self.disjunction = True


def read_pattern(text: str) -> dict[str, Any]:
    """The fields a pattern names, or ``Unmappable`` saying what in it has no field."""
    try:
        pattern = Pattern(text)
    except ParseException as exc:
        raise Unmappable(f"not a valid STIX pattern: {exc}") from None
    shape = _Shape()
    pattern.walk(shape)
    data = shape.pattern_data()
    if shape.disjunction or "OR" in data.observation_ops:
        raise Unmappable("the pattern has an OR: one event needs every comparison to hold")
    if "FOLLOWEDBY" in data.observation_ops:
        raise Unmappable("the pattern has a FOLLOWEDBY: a sequence is not one event")
    if data.qualifiers:
        raise Unmappable(f"the pattern has a qualifier ({sorted(data.qualifiers)[0]})")
    fields: dict[str, Any] = {}
    for type_, comparisons in data.comparisons.items():
        for path, operator, literal in comparisons:
            steps = tuple("*" if step is INDEX_STAR else str(step) for step in path)
            where = f"{type_}:{'.'.join(steps)}"
            found = _pattern_field(type_, steps, operator, _literal(literal, where))
            if found is None:
                continue
            field, value = found
            if fields.setdefault(field, value) != value:
                raise Unmappable(f"two values for {field} ({fields[field]!r}, {value!r})")
    if not fields:
        raise Unmappable("the pattern names no observable")
    return fields


def _pattern_field(  # noqa: C901
    type_: str, path: tuple[str, ...], operator: str, value: Any
) -> tuple[str, Any] | None:
    """The field one comparison sets (None: accepted, sets nothing)."""
    where = f"{type_}:{'.'.join(path)}"
    if operator == "ISSUBSET" and type_ in ("ipv4-addr", "ipv6-addr") and path == ("value",):
        return "source.network", value
    if operator != "=":
        raise Unmappable(f"operator {operator} on {where}: only = is mapped")
    if type_ in ("ipv4-addr", "ipv6-addr") and path == ("value",):
        return ("source.network" if "/" in str(value) else "source.ip"), value
    simple = {"domain-name": "source.fqdn", "url": "source.url"}
    if type_ in simple and path == ("value",):
        return simple[type_], value
    if type_ == "autonomous-system" and path == ("number",):
        return "source.asn", value
    if type_ == "file" and len(path) == 2 and path[0] == "hashes":
        field = _ALGORITHMS.get(path[1].upper().replace("-", ""))
        if field is not None:
            return field, value
    if type_ == "network-traffic":
        if path == ("dst_ref", "value"):
            return ("source.ip" if _is_ip(value) else "source.fqdn"), value
        if path == ("dst_port",):
            return "source.port", value
        if path == ("dst_ref", "type"):
            return None
        if path == ("protocols", "*"):
            known = str(value).lower() in TRANSPORTS
            return ("protocol.transport" if known else "protocol.application"), value
    raise Unmappable(f"no field for {where}")


def _literal(text: str, where: str) -> Any:
    """A pattern constant: a quoted string (unescaped) or an integer."""
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    if text.lstrip("-").isdigit():
        return int(text)
    raise Unmappable(f"the constant {text} of {where} is neither text nor a whole number")


def _is_ip(value: Any) -> bool:
    try:
        ip_address(str(value))
    except ValueError:
        return False
    return True


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


def _list(item: Mapping[str, Any], name: str) -> list[Any]:
    value = item.get(name)
    return value if isinstance(value, list) else []


PARSERS: list[type[Parser]] = [StixParser]
