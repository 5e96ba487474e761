"""MISP objects kept whole: the attributes of one object describe one thing, so they make one
event together, not one event each.

=============  ==============================================================================
template       the fields of its events
=============  ==============================================================================
``file``       ``extra.file_name`` (``filename``) with ``malware.hash.md5``/``sha1``/``sha256``
``ip-port``    ``source.ip`` with ``source.port`` (``dst-port``; ``src-port`` when the address
               is an ``ip-src``: the port at the indicator's own end), and ``source.fqdn`` from
               its ``domain``/``hostname``
``domain-ip``  ``source.fqdn`` (``domain``/``hostname``) with ``source.ip`` and ``source.port``
``url``        ``source.url`` (its host as for any URL), ``source.ip`` (``ip``) and
               ``source.port``; the URL's own parts (``domain``, ``host``, ``scheme``,
               ``resource_path``, ``query_string``, ``fragment``, ``subdomain``, ``tld``,
               ``domain_without_tld``) are in the URL already and make nothing more
``email``      ``source.ip`` (the sending host, ``ip-src``) with ``source.account`` (``from``);
               the recipients, the subject and the body are personal data and stay out
=============  ==============================================================================

A field given twice in one object (two addresses of a ``domain-ip``, say) makes one event per
value, each with the object's other fields: two addresses of one domain are two events, each
with the domain. An attribute the template's table does not name (``size-in-bytes``,
``first-seen``, ``text``, a recipient…) is read on its own, as any attribute (a row, or a
quarantined row naming its type), so nothing is dropped silently. Objects of other templates are
read attribute by attribute, as before. The event's time, comment and uuid are those of its first
attribute that has one; the tags of all of its attributes, its object and its event count, the
most restrictive TLP winning; ``extra.misp.type`` lists the attribute types joined by ``|``, as
MISP writes a composite type, and ``extra.misp.object_uuid`` names the object.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from tocsin.pipeline.parsers.misp_attributes import (
    Level,
    as_flag,
    as_text,
    malicious,
    observables,
    tagged,
)

# template -> (object_relation, else attribute type) -> field; None: a part of what another
# attribute holds whole (a URL's host), which makes no field of its own
_URL_PARTS = ("domain", "host", "scheme", "resource_path", "query_string", "fragment")
TEMPLATES: dict[str, dict[str, str | None]] = {
    "file": {
        "filename": "extra.file_name",
        "md5": "malware.hash.md5",
        "sha1": "malware.hash.sha1",
        "sha256": "malware.hash.sha256",
    },
    "ip-port": {
        "ip-dst": "source.ip",
        "ip-src": "source.ip",
        "dst-port": "source.port",
        "domain": "source.fqdn",
        "hostname": "source.fqdn",
    },
    "domain-ip": {
        "domain": "source.fqdn",
        "hostname": "source.fqdn",
        "ip-dst": "source.ip",
        "ip-src": "source.ip",
        "port": "source.port",
    },
    "url": {
        "url": "source.url",
        "ip-dst": "source.ip",
        "port": "source.port",
        **dict.fromkeys((*_URL_PARTS, "subdomain", "tld", "domain_without_tld")),
    },
    "email": {"from": "source.account", "ip-src": "source.ip"},
}
MAX_EVENTS = 100  # events one object may make (the product of its repeated fields)

Member = tuple[int, Any]  # an attribute's position in its event, and the attribute


class Whole:
    """One object of a known template: which of its attributes make its events, and which are
    read on their own."""

    def __init__(self, name: str, item: dict[str, Any], members: list[Member]) -> None:
        self.name = name
        self.item = item
        self.uuid = as_text(item.get("uuid"))
        table = _table(name, [a for _, a in members])
        self.values: dict[str, list[Member]] = {}
        self.parts: list[Member] = []  # used, but making no field (a URL's host)
        self.alone: list[Member] = []  # not the template's: read on its own
        for position, attribute in members:
            if not isinstance(attribute, dict) or as_flag(attribute.get("deleted")):
                self.alone.append((position, attribute))  # an error, or a revocation
                continue
            key = as_text(attribute.get("object_relation"))
            if key not in table:
                key = as_text(attribute.get("type"))
            if key not in table or as_text(attribute.get("value")) is None:
                self.alone.append((position, attribute))
            elif (field := table[key]) is None:
                self.parts.append((position, attribute))
            else:
                self.values.setdefault(field, []).append((position, attribute))

    def combinations(self) -> list[list[tuple[str, Member]]]:
        """Each event's (field, attribute) pairs: one value of each field the object gives."""
        fields = list(self.values)
        if not fields:
            return []
        return [
            list(zip(fields, chosen, strict=True))
            for chosen in itertools.product(*(self.values[f] for f in fields))
        ]

    def count(self) -> int:
        total = 1
        for members in self.values.values():
            total *= len(members)
        return total if self.values else 0


def object_fields(
    whole: Whole,
    chosen: list[tuple[str, Member]],
    context: Mapping[str, str | None],
    date: str | None,
    levels: list[Level],
) -> dict[str, Any]:
    """The fields of one event of an object: one value of each of its fields, its attributes'
    time, comment and tags, and where it came from."""
    used = [attribute for _, (_, attribute) in chosen] + [a for _, a in whole.parts]
    fields: dict[str, Any] = {name: found for name, found in context.items() if found}
    targets = tuple(field for field, _ in chosen)
    parts = [str(as_text(attribute.get("value"))) for _, (_, attribute) in chosen]
    observables(fields, targets, parts)
    for key, name in (("uuid", "misp.attribute_uuid"), ("comment", "comment")):
        if found := _first(used, key):
            fields[name] = found
    if moment := _first(used, "timestamp") or date:
        fields["time.source"] = moment
    own = Level(
        [tag for attribute in used for tag in _listed(attribute, "Tag")],
        [galaxy for attribute in used for galaxy in _listed(attribute, "Galaxy")],
    )
    to_ids = any(as_flag(a.get("to_ids")) for a in used)
    category = _first(used, "category")
    is_file = all(t.startswith(("malware.hash.", "extra.file_name")) for t in targets)
    fallback = None
    if to_ids and any(malicious(as_text(a.get("category"))) for a in used):
        fallback = "malware" if is_file else "blacklist"
    tagged(fields, [own, *levels], fallback)
    fields["extra.misp.type"] = "|".join(str(as_text(a.get("type"))) for _, (_, a) in chosen)
    if category:
        fields["extra.misp.category"] = category
    fields["extra.misp.to_ids"] = to_ids
    fields["extra.misp.object"] = whole.name
    if whole.uuid:
        fields["extra.misp.object_uuid"] = whole.uuid
    return fields


def _table(name: str, attributes: list[dict[str, Any]]) -> dict[str, str | None]:
    """The template's table; an ``ip-port`` whose addresses are all ``ip-src`` takes the port
    at that end (``src-port``) instead of ``dst-port``."""
    table = TEMPLATES[name]
    if name == "ip-port":
        kinds = {a.get("type") for a in attributes if a.get("type") in ("ip-src", "ip-dst")}
        if kinds == {"ip-src"}:
            table = {**table, "src-port": "source.port"}
            del table["dst-port"]
    return table


def _first(attributes: list[dict[str, Any]], key: str) -> str | None:
    for attribute in attributes:
        if found := as_text(attribute.get(key)):
            return found
    return None


def _listed(attribute: dict[str, Any], key: str) -> list[Any]:
    found = attribute.get(key)
    return found if isinstance(found, list) else []
