"""STIX indicator patterns: the events a pattern names, or why it names none Tocsin can map.

A pattern is read as alternatives: it is put in disjunctive form, each OR (between comparisons
or between observations) splitting it, each AND joining what is on both sides into every
alternative. One alternative is one event: ``[a OR b]`` is two events, ``[a AND b] OR [c]`` is
one event with ``a`` and ``b`` and one with ``c``. An AND stays one event with every field its
comparisons name (an address and a port, the hashes of one file, a name and the address it
resolves to): the indicator says these go together, and one event holds them together; an AND
that gives one field two values (``[ipv4-addr:value = 'x' AND ipv4-addr:value = 'y']``) is not
one event and is unmappable ("two values for …").

An alternative is mapped when its comparisons use ``=`` (``ISSUBSET`` for a network) over
``ipv4-addr:value``, ``ipv6-addr:value``, ``domain-name:value``, ``url:value``,
``file:hashes.<MD5|SHA-1|SHA-256>``, ``autonomous-system:number`` and
``network-traffic:dst_ref.value|dst_ref.type|dst_port|protocols[*]``; else it is ``Unmappable``
with the reason, and the other alternatives still map. What an indicator names is the thing to
block, so it goes to ``source.*`` even when the pattern says ``dst_ref``. A pattern with a
FOLLOWEDBY or a qualifier (a sequence, a time window) is unmappable as a whole.
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


Comparison = tuple[str, tuple[Any, ...], str, str]  # type, path, operator, literal
Alternative = tuple[Comparison, ...]  # comparisons that must all hold: one event
MAX_ALTERNATIVES = 256  # one indicator, at most this many events


class _Shape(InspectionListener):  # type: ignore[misc]  # stix2-patterns has no type hints
    """stix2-patterns' inspector, which also puts the pattern in disjunctive form: after the
    walk, ``stack`` holds one list of alternatives (comparisons are leaves; each OR joins its
    sides' alternatives, each AND pairs them)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[list[Alternative]] = []

    def _leaf(self, ctx: Any) -> None:
        kind = ctx.objectPath().objectType().getText()
        path, operator, literal = self.pattern_data().comparisons[kind][-1]
        self.stack.append([((kind, tuple(path), operator, literal),)])

    def _join(self, ctx: Any, both: bool) -> None:
        right, left = self.stack.pop(), self.stack.pop()
        if both:
            joined = [(*a, *(c for c in b if c not in a)) for a in left for b in right]
        else:
            joined = list(dict.fromkeys([*left, *right]))
        if len(joined) > MAX_ALTERNATIVES:
            raise Unmappable(f"the pattern has over {MAX_ALTERNATIVES} alternatives")
        self.stack.append(joined)

    # The ANTLR listener's names: each comparison, then each AND and OR, on leaving it.
    def exitPropTestEqual(self, ctx: Any) -> None:
        super().exitPropTestEqual(ctx)
        self._leaf(ctx)

    def exitPropTestOrder(self, ctx: Any) -> None:
        super().exitPropTestOrder(ctx)
        self._leaf(ctx)

    def exitPropTestSet(self, ctx: Any) -> None:
        super().exitPropTestSet(ctx)
        self._leaf(ctx)

    def exitPropTestLike(self, ctx: Any) -> None:
        super().exitPropTestLike(ctx)
        self._leaf(ctx)

    def exitPropTestRegex(self, ctx: Any) -> None:
        super().exitPropTestRegex(ctx)
        self._leaf(ctx)

    def exitPropTestIsSubset(self, ctx: Any) -> None:
        super().exitPropTestIsSubset(ctx)
        self._leaf(ctx)

    def exitPropTestIsSuperset(self, ctx: Any) -> None:
        super().exitPropTestIsSuperset(ctx)
        self._leaf(ctx)

    def exitPropTestExists(self, ctx: Any) -> None:
        kind = ctx.objectPath().objectType().getText()
        self.stack.append([((kind, (), "EXISTS", ""),)])

    def exitComparisonExpression(self, ctx: Any) -> None:
        if ctx.OR():
            self._join(ctx, both=False)

    def exitComparisonExpressionAnd(self, ctx: Any) -> None:
        if ctx.AND():
            self._join(ctx, both=True)

    def exitObservationExpressionOr(self, ctx: Any) -> None:
        super().exitObservationExpressionOr(ctx)
        if ctx.OR():
            self._join(ctx, both=False)

    def exitObservationExpressionAnd(self, ctx: Any) -> None:
        super().exitObservationExpressionAnd(ctx)
        if ctx.AND():
            self._join(ctx, both=True)


def read_pattern(text: str) -> list[dict[str, Any] | Unmappable]:
    """The events a pattern names, one per alternative: its fields, or ``Unmappable`` saying
    what in it has no field. A pattern that is not one Tocsin can read as alternatives at all
    (invalid, FOLLOWEDBY, a qualifier) raises ``Unmappable``."""
    try:
        pattern = Pattern(text)
    except ParseException as exc:
        raise Unmappable(f"not a valid STIX pattern: {exc}") from None
    shape = _Shape()
    pattern.walk(shape)
    data = shape.pattern_data()
    if "FOLLOWEDBY" in data.observation_ops:
        raise Unmappable("the pattern has a FOLLOWEDBY: a sequence is not one event")
    if data.qualifiers:
        raise Unmappable(f"the pattern has a qualifier ({sorted(data.qualifiers)[0]})")
    (alternatives,) = shape.stack
    found: list[dict[str, Any] | Unmappable] = []
    for alternative in alternatives:
        try:
            fields = _alternative_fields(alternative)
        except Unmappable as exc:
            found.append(exc)
            continue
        if fields not in found:
            found.append(fields)
    return found


def _alternative_fields(alternative: Alternative) -> dict[str, Any]:
    """The fields of comparisons that must all hold (one event), or why they are none."""
    fields: dict[str, Any] = {}
    for type_, path, operator, literal in alternative:
        steps = tuple("*" if step is INDEX_STAR else str(step) for step in path)
        where = f"{type_}:{'.'.join(steps)}"
        if operator == "EXISTS":
            raise Unmappable(f"operator EXISTS on {type_}: only = is mapped")
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
