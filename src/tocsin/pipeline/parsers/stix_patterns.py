"""STIX indicator patterns: the fields a pattern names, or why it names none Tocsin can map.

A pattern is mapped when it is one comparison or an AND of comparisons with ``=`` (``ISSUBSET``
for a network) over ``ipv4-addr:value``, ``ipv6-addr:value``, ``domain-name:value``,
``url:value``, ``file:hashes.<MD5|SHA-1|SHA-256>``, ``autonomous-system:number`` and
``network-traffic:dst_ref.value|dst_ref.type|dst_port|protocols[*]``. What an indicator names is
the thing to block, so it goes to ``source.*`` even when the pattern says ``dst_ref``. Any other
pattern (OR, FOLLOWEDBY, qualifiers, LIKE, other paths) raises ``Unmappable`` with the reason.
"""

from __future__ import annotations

import re
from ipaddress import ip_address
from typing import Any

from stix2patterns.exceptions import ParseException
from stix2patterns.inspector import INDEX_STAR
from stix2patterns.v21.inspector import InspectionListener
from stix2patterns.v21.pattern import Pattern

from tocsin.formats.observables import TRANSPORTS
from tocsin.pipeline.parsers.stix_observables import hash_field

_ADDRESSES = ("ipv4-addr", "ipv6-addr")
_BY_VALUE = {"domain-name": "source.fqdn", "url": "source.url"}

_DESTINATION_KIND = ("network-traffic", ("dst_ref", "type"))

Found = tuple[str, Any] | None  # a field and its value; None: the comparison has no field


class Unmappable(ValueError):
    """An object that is a row but cannot become one event; the message says why."""


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


def _pattern_field(
    type_: str, path: tuple[str, ...], operator: str, value: Any
) -> tuple[str, Any] | None:
    """The field one comparison sets (None: accepted, sets nothing)."""
    where = f"{type_}:{'.'.join(path)}"
    if operator == "ISSUBSET" and type_ in _ADDRESSES and path == ("value",):
        return "source.network", value
    if operator != "=":
        raise Unmappable(f"operator {operator} on {where}: only = is mapped")
    if (type_, path) == _DESTINATION_KIND:
        return None  # whether the destination is an address or a name: its value tells
    if type_ == "network-traffic":
        found = _traffic_field(path, value)
    else:
        found = _observable_field(type_, path, value)
    if found is None:
        raise Unmappable(f"no field for {where}")
    return found


def _observable_field(type_: str, path: tuple[str, ...], value: Any) -> Found:
    """An address, name, URL, AS number or file hash; None when it is none of these."""
    if type_ in _ADDRESSES and path == ("value",):
        return ("source.network" if "/" in str(value) else "source.ip"), value
    if type_ in _BY_VALUE and path == ("value",):
        return _BY_VALUE[type_], value
    if type_ == "autonomous-system" and path == ("number",):
        return "source.asn", value
    if type_ == "file" and len(path) == 2 and path[0] == "hashes":
        field = hash_field(path[1])
        if field is not None:
            return field, value
    return None


def _traffic_field(path: tuple[str, ...], value: Any) -> Found:
    """A network-traffic comparison (the destination it names is the thing to block)."""
    if path == ("dst_ref", "value"):
        return ("source.ip" if _is_ip(value) else "source.fqdn"), value
    if path == ("dst_port",):
        return "source.port", value
    if path == ("protocols", "*"):
        known = str(value).lower() in TRANSPORTS
        return ("protocol.transport" if known else "protocol.application"), value
    return None


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
