"""Who a request comes from: the address that connected, or, when that address is a proxy the
team trusts, the address the proxy says the request came from (``X-Forwarded-For``).

The header is believed from trusted proxies only (``TOCSIN_TRUSTED_PROXIES``; none by default),
and read from the right: each trusted proxy appends the address it was reached from, so the
rightmost address that is not a trusted proxy is the client. What a client writes into the header
itself stands to the left of that and is never used. Everything that keys on the client's address
(the portal's hourly limit, the limits on log-in attempts) asks ``client_address``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(text: str) -> tuple[Network, ...]:
    """Addresses and networks from a comma- or space-separated list (``10.0.0.5, 10.1.0.0/16,
    ::1``); ValueError for anything else."""
    found = []
    for part in text.replace(",", " ").split():
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is not an address or network") from None
    return tuple(found)


def trusted(address: str, proxies: Sequence[Network]) -> bool:
    """Whether ``address`` is one of the trusted proxies (False for anything not an address)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in proxies)


def client_address(peer: str, forwarded: Sequence[str], proxies: Sequence[Network]) -> str:
    """The client's address: ``peer`` (who connected) unless it is a trusted proxy; then the
    rightmost address of the ``X-Forwarded-For`` headers (in the order received) that is not a
    trusted proxy. A trusted proxy that names no one else leaves it as the client."""
    if not trusted(peer, proxies):
        return peer
    hops = [hop.strip() for header in forwarded for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not trusted(hop, proxies):
            return _address(hop) or peer
    return (_address(hops[0]) or peer) if hops else peer


def _address(text: str) -> str | None:
    """The address of a hop, or None when it is not an address (then the hop before, the proxy,
    is all that is known)."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
