"""One MISP attribute's fields: its type's fields, its context, and what its tags say.

The attribute types, their fields and the tag rules are those of ``misp``'s docstring
(docs/feeds.md §7). ``Level`` reads an event's or an object's tags once for every attribute under
it; ``attribute_fields`` maps one attribute, given its event's context and the levels above it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from tocsin.model.taxonomy import classification_type
from tocsin.model.tlp import TLP
from tocsin.pipeline.parsers.phishing import host_field

TYPES: dict[str, tuple[str, ...]] = {
    "ip-src": ("source.ip",),
    "ip-dst": ("source.ip",),
    "ip-src|port": ("source.ip", "source.port"),
    "ip-dst|port": ("source.ip", "source.port"),
    "domain": ("source.fqdn",),
    "hostname": ("source.fqdn",),
    "domain|ip": ("source.fqdn", "source.ip"),
    "hostname|port": ("source.fqdn", "source.port"),
    "url": ("source.url",),
    "md5": ("malware.hash.md5",),
    "sha1": ("malware.hash.sha1",),
    "sha256": ("malware.hash.sha256",),
    "filename|md5": ("extra.file_name", "malware.hash.md5"),
    "filename|sha1": ("extra.file_name", "malware.hash.sha1"),
    "filename|sha256": ("extra.file_name", "malware.hash.sha256"),
    "AS": ("source.asn",),
    "email-src": ("source.account",),
}

# Why some common types have no field, so that the quarantine says more than "unknown".
_UNMAPPED_WHY = {
    "email-dst": "a recipient's address is personal data of a victim, not an indicator",
    "email": "an address that may be a victim's is personal data, not an indicator",
    "link": "a reference to outside analysis, not an indicator",
    "comment": "free text, not an indicator",
    "text": "free text, not an indicator",
    "other": "free text, not an indicator",
}

_HASH_TYPES = frozenset(name for name, fields in TYPES.items() if fields[-1].startswith("malware."))
_MALICIOUS_CATEGORIES = frozenset(
    {
        "Network activity",
        "Payload delivery",
        "Payload installation",
        "Artifacts dropped",
        "External analysis",
    }
)
_MACHINE_TAG = re.compile(r'^(?P<namespace>[^:="]+):(?P<predicate>[^="]+)="(?P<value>[^"]*)"$')
_RSIT_NAMESPACES = frozenset({"rsit", "ecsirt"})
# misp-galaxy clusters that name a malware family, and those that name a threat actor
MALWARE_GALAXIES = frozenset(
    {
        "malpedia",
        "mitre-malware",
        "mitre-mobile-malware",
        "ransomware",
        "botnet",
        "banker",
        "rat",
        "stealer",
        "backdoor",
        "android",
    }
)
ACTOR_GALAXIES = frozenset({"threat-actor", "mitre-intrusion-set", "microsoft-activity-group"})
_MITRE_ID = re.compile(r"\s+-\s+[A-Z]\d{4}$")


class Level:
    """What an event or an object says about the attributes under it (read once, not per row)."""

    __slots__ = ("actors", "malware", "tlps", "types")

    def __init__(self, tags: Any, galaxies: Any = None) -> None:
        names = _tag_names(tags) + _cluster_tags(galaxies)
        self.tlps = [label for label in map(_tlp, names) if label is not None]
        self.types = {found for found in map(_rsit_type, names) if found is not None}
        self.malware = {found for found in map(_malware, names) if found is not None}
        self.actors = {found for found in map(_actor, names) if found is not None}


def attribute_fields(
    attribute: dict[str, Any],
    context: Mapping[str, str | None],
    date: str | None,
    levels: list[Level],
) -> dict[str, Any]:
    """The fields of one attribute (``ValueError`` with the reason when it has none)."""
    kind, targets, parts = _typed_parts(attribute)
    fields: dict[str, Any] = {name: found for name, found in context.items() if found}
    observables(fields, targets, parts)
    _about(fields, attribute, date)
    category = as_text(attribute.get("category"))
    to_ids = as_flag(attribute.get("to_ids"))
    tagged(fields, levels, _fallback_type(kind, category, to_ids))
    fields["extra.misp.type"] = kind
    if category:
        fields["extra.misp.category"] = category
    fields["extra.misp.to_ids"] = to_ids
    return fields


def _typed_parts(attribute: dict[str, Any]) -> tuple[str, tuple[str, ...], list[str]]:
    """The attribute's type, the fields it fills, and its value cut into one part per field."""
    kind = attribute.get("type")
    if not isinstance(kind, str) or not kind:
        raise ValueError("attribute without a type")
    targets = TYPES.get(kind)
    if targets is None:
        why = _UNMAPPED_WHY.get(kind)
        reason = f"MISP attribute type {kind!r} has no field in the event model"
        raise ValueError(f"{reason} ({why})" if why else reason)
    value = as_text(attribute.get("value"))
    if value is None:
        raise ValueError(f"{kind} attribute without a value")
    parts = value.split("|") if len(targets) > 1 else [value]
    if len(parts) != len(targets):
        raise ValueError(f"{kind} value {value!r}: expected {len(targets)} parts separated by '|'")
    return kind, targets, parts


def observables(fields: dict[str, Any], targets: tuple[str, ...], parts: list[str]) -> None:
    """The value's parts in their fields: a CIDR as a network, a URL's host beside the URL."""
    for target, part in zip(targets, parts, strict=True):
        fields[target] = part.strip()
    address = fields.get("source.ip")
    if address is not None and "/" in address:
        fields["source.network"] = fields.pop("source.ip")
    url = fields.get("source.url")
    found = host_field(url) if url is not None else None
    if found is not None:
        fields.setdefault(*found)


def _about(fields: dict[str, Any], attribute: dict[str, Any], date: str | None) -> None:
    """The attribute's uuid and comment, and its time (else the event's date)."""
    attribute_uuid = as_text(attribute.get("uuid"))
    if attribute_uuid:
        fields["misp.attribute_uuid"] = attribute_uuid
    comment = as_text(attribute.get("comment"))
    if comment:
        fields["comment"] = comment
    moment = as_text(attribute.get("timestamp")) or date
    if moment:
        fields["time.source"] = moment


def tagged(fields: dict[str, Any], levels: list[Level], fallback: str | None) -> None:
    """What the tags of the levels say: the most restrictive TLP, the nearest type (else the
    fallback type) and the nearest malware name."""
    tlps = [label for level in levels for label in level.tlps]
    if tlps:
        fields["tlp"] = TLP.most_restrictive(*tlps).value_name
    type_ = _nearest(level.types for level in levels) or fallback
    if type_:
        fields["classification.type"] = type_
    malware = _nearest(level.malware for level in levels)
    if malware:
        fields["malware.name"] = malware
    actor = _nearest(level.actors for level in levels)
    if actor:
        fields["extra.threat_actor"] = actor


def _nearest(sets: Iterable[set[str]]) -> str | None:
    """The one value of the nearest level that has any; ``None`` if that level has several."""
    for found in sets:
        if found:
            return next(iter(found)) if len(found) == 1 else None
    return None


def malicious(category: str | None) -> bool:
    """Whether a MISP category is about malicious activity (so a to_ids value is listed)."""
    return category in _MALICIOUS_CATEGORIES


def _fallback_type(kind: str, category: str | None, to_ids: bool) -> str | None:
    if not to_ids or not malicious(category):
        return None
    return "malware" if kind in _HASH_TYPES else "blacklist"


# --- tags --------------------------------------------------------------------------------------


def _tag_names(tags: Any) -> list[str]:
    """Tag names of a ``Tag`` list: objects with ``name`` (MISP) or plain strings."""
    if not isinstance(tags, list):
        return []
    names = []
    for tag in tags:
        name = tag.get("name") if isinstance(tag, dict) else tag
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def _tlp(name: str) -> TLP | None:
    if name[:4].lower() != "tlp:":
        return None
    try:
        return TLP.parse(name)
    except ValueError:
        return None  # another tag of the tlp namespace (tlp:ex:chr, tlp:unclear)


def _rsit_type(name: str) -> str | None:
    found = _MACHINE_TAG.match(name)
    if found is None or found["namespace"].lower() not in _RSIT_NAMESPACES:
        return None
    try:
        return classification_type(found["value"])
    except ValueError:
        return None  # a value no RSIT version knows: not a type at all


def _malware(name: str) -> str | None:
    found = _MACHINE_TAG.match(name)
    if found is not None:
        namespace, predicate = found["namespace"].lower(), found["predicate"].lower()
        if namespace == "misp-galaxy" and predicate in MALWARE_GALAXIES:
            return _cluster_name(found["value"])
        return None
    if name[:8].lower() == "malware:":
        return name[8:].strip().strip('"').strip() or None
    return None


def _actor(name: str) -> str | None:
    found = _MACHINE_TAG.match(name)
    if found is None or found["namespace"].lower() != "misp-galaxy":
        return None
    return _cluster_name(found["value"]) if found["predicate"] in ACTOR_GALAXIES else None


def _cluster_name(value: str) -> str | None:
    """A cluster's name without the MITRE ATT&CK id MISP appends ("Emotet - S0367")."""
    return _MITRE_ID.sub("", value).strip() or None


def _cluster_tags(galaxies: Any) -> list[str]:
    """The tags of a ``Galaxy`` list's clusters (as a MISP export or REST answer holds them;
    a feed holds the same clusters as ``misp-galaxy:`` tags)."""
    names: list[str] = []
    for galaxy in galaxies if isinstance(galaxies, list) else []:
        clusters = galaxy.get("GalaxyCluster") if isinstance(galaxy, dict) else None
        for cluster in clusters if isinstance(clusters, list) else []:
            if not isinstance(cluster, dict):
                continue
            tag, kind, value = (cluster.get(k) for k in ("tag_name", "type", "value"))
            if isinstance(tag, str):
                names.append(tag)
            elif isinstance(kind, str) and isinstance(value, str):
                names.append(f'misp-galaxy:{kind}="{value}"')
    return names


# --- small readers -----------------------------------------------------------------------------


def as_text(value: Any) -> str | None:
    """A JSON string or number as stripped text; ``None`` for anything else or nothing."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def as_flag(value: Any) -> bool:
    """MISP's booleans: JSON true/false, and "1"/"0" from older exports."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true")
    return value is True or value == 1
