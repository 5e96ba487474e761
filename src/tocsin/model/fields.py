"""The event's fields: IntelMQ's harmonization names and types, and Tocsin's own namespace.

An event is one flat ``dict`` keyed by dotted names (``source.ip``, ``classification.type``, …).
``extra.*`` keeps what has no field of its own; ``tocsin.*`` holds what Tocsin adds (constituent,
sector, priority, fingerprint). ``tlp`` holds TLP 2.0 values; TLP 1.0 values map in.
"""

from __future__ import annotations

from typing import Any

from tocsin.errors import InvalidValue
from tocsin.model import taxonomy, types
from tocsin.model.tlp import tlp
from tocsin.model.types import Sanitizer

_SIDE: dict[str, Sanitizer] = {
    "abuse_contact": types.lowercase,
    "account": types.string,
    "allocated": types.datetime_utc,
    "as_name": types.string,
    "asn": types.asn,
    "domain_suffix": types.fqdn,
    "fqdn": types.fqdn,
    "geolocation.cc": types.country_code,
    "geolocation.city": types.string,
    "geolocation.country": types.string,
    "geolocation.latitude": types.floating,
    "geolocation.longitude": types.floating,
    "geolocation.region": types.string,
    "geolocation.state": types.string,
    "ip": types.ip_address,
    "local_hostname": types.string,
    "local_ip": types.ip_address,
    "network": types.ip_network,
    "port": types.port,
    "registry": types.registry,
    "reverse_dns": types.fqdn,
    "tor_node": types.boolean,
    "url": types.url,
    "urlpath": types.string,
}

FIELDS: dict[str, Sanitizer] = {
    "classification.identifier": types.string,
    "classification.taxonomy": taxonomy.classification_taxonomy,
    "classification.type": taxonomy.classification_type,
    "comment": types.string,
    "event_description.target": types.string,
    "event_description.text": types.string,
    "event_description.url": types.url,
    "event_hash": types.uppercase,
    "feed.accuracy": types.accuracy,
    "feed.code": types.string,
    "feed.documentation": types.string,
    "feed.name": types.string,
    "feed.provider": types.string,
    "feed.url": types.url,
    "malware.hash.md5": types.md5,
    "malware.hash.sha1": types.sha1,
    "malware.hash.sha256": types.sha256,
    "malware.name": types.lowercase,
    "malware.version": types.string,
    "misp.attribute_uuid": types.lowercase,
    "misp.event_uuid": types.lowercase,
    "output": types.json_value,
    "product.name": types.string,
    "product.vendor": types.string,
    "product.version": types.string,
    "product.vulnerabilities": types.string,
    "protocol.application": types.lowercase,
    "protocol.transport": types.lowercase,
    "raw": types.string,
    "rtir_id": types.integer,
    "screenshot_url": types.url,
    "severity": types.lowercase,
    "status": types.string,
    "time.observation": types.datetime_utc,
    "time.source": types.datetime_utc,
    "tlp": tlp,
    "source.geolocation.cymru_cc": types.country_code,
    "source.geolocation.geoip_cc": types.country_code,
    # Tocsin's own namespace: queried, so never inside extra.
    "tocsin.constituent": types.string,
    "tocsin.sector": types.lowercase,
    "tocsin.priority": lambda value: priority(value),
    "tocsin.fingerprint": types.lowercase,
    "tocsin.registered_domain": types.fqdn,
    # Until when an indicator is meant to hold (STIX ``valid_until``): past it the event is
    # kept, as expired, but never notified or shared again as current (``event.expired``).
    "tocsin.valid_until": types.datetime_utc,
}
for _side in ("source", "destination"):
    for _name, _sanitizer in _SIDE.items():
        FIELDS[f"{_side}.{_name}"] = _sanitizer

PRIORITIES = ("P1", "P2", "P3", "P4")


def priority(value: Any) -> str:
    """``P1`` (most urgent) to ``P4``; a bare digit 1–4 is accepted."""
    text = types.string(value).upper()
    if text in {"1", "2", "3", "4"}:
        text = "P" + text
    if text not in PRIORITIES:
        raise ValueError("not a priority (P1, P2, P3 or P4)")
    return text


def sanitizer_for(name: str) -> Sanitizer:
    """The sanitiser of a field name; ``extra.*`` takes any JSON value. Unknown names raise."""
    found = FIELDS.get(name)
    if found is not None:
        return found
    if name.startswith("extra.") and len(name) > 6:
        return types.json_value
    raise InvalidValue(name, None, "not a field of the event model")


def sanitize(name: str, value: Any) -> Any:
    """The canonical value of one field, or ``InvalidValue`` naming the field, value and reason."""
    try:
        return sanitizer_for(name)(value)
    except InvalidValue:
        raise
    except ValueError as exc:
        raise InvalidValue(name, value, str(exc)) from None
