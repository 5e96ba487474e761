"""The console's one search box: what a person types, looked up everywhere it can mean
something, each answer filtered by what that person may read.

What is tried, in order, each by an indexed lookup or a capped scan:

- a reference: an incident's (``TOC-2026-000042``), a portal report's (``R-7K3M-9QXD``, which
  leads to its incident), a vulnerability case's (``TOCSIN-VU-2026-0001``), a request for
  assistance's (``RFA-2026-0001``);
- an indicator: an IP address finds the incidents that carry it or a network holding it, the
  constituents whose networks hold it and its events; a network, the incidents that carry it; a
  domain, the incidents that carry it or one of its subdomains or a URL on them, and its events;
  a URL, a hash, an e-mail address, a phone number (``+``…) or a wallet, the incidents that
  carry it;
- a constituent: the registry's names that begin with the text, in any case;
- words: incidents whose title, notes, mail or victims' answers hold every word, the last one as
  a prefix (full text: SQLite's FTS5, PostgreSQL's text search; see docs/search.md), unless
  the text was read as a reference or an indicator (``198.51.100.7`` is not the words 198, 51,
  100 and 7).

Nothing typed reaches a query as typed: each reading is checked first (an address is parsed, a
reference is matched against its pattern), and the text search binds its parameter.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from dataclasses import dataclass, field, replace
from urllib.parse import quote, urlsplit

from tocsin.assist.requests import Assistance
from tocsin.cases.incidents import Incidents
from tocsin.cvd.cases import Cvd
from tocsin.errors import Forbidden, NotFound
from tocsin.model import access, types
from tocsin.model.incident import Incident, indicator
from tocsin.model.people import Principal
from tocsin.model.report_codes import canonical_reference
from tocsin.store.base import Store
from tocsin.store.shapes import EventFilter

MAX_QUERY = 200
PER_KIND = 20  # answers of one kind at most
_INCIDENT = re.compile(r"^TOC-\d{4}-\d{6}$")
_CVD = re.compile(r"^TOCSIN-VU-\d{4}-\d{4,}$")
_REQUEST = re.compile(r"^RFA-\d{4}-\d{4,}$")
_HASH = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$")


@dataclass(frozen=True, slots=True)
class Hit:
    """One answer: what it is, its name, where it is, and why it matched."""

    kind: str  # incident, report, vulnerability, request, constituent, events
    label: str
    href: str
    why: str


@dataclass(frozen=True, slots=True)
class Found:
    query: str
    read_as: list[str] = field(default_factory=list)  # how the text was understood
    hits: list[Hit] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Registry:
    """The registry as the search box reads it: names and networks, parsed once a version."""

    version: int
    names: tuple[tuple[str, str], ...]  # (the name casefolded, the name), in name order
    networks: tuple[tuple[int, int, int, str], ...]  # (IP version, first, last address, name)

    @classmethod
    def of(cls, version: int, store: Store) -> _Registry:
        constituents = store.constituents()
        networks = []
        for c in constituents:
            for text in c.networks:
                try:
                    net = ipaddress.ip_network(text, strict=False)
                except ValueError:
                    continue
                networks.append(
                    (net.version, int(net.network_address), int(net.broadcast_address), c.name)
                )
        names = tuple(sorted((c.name.casefold(), c.name) for c in constituents))
        return cls(version, names, tuple(networks))

    def beginning(self, text: str) -> list[str]:
        wanted = text.casefold()
        return [name for folded, name in self.names if folded.startswith(wanted)]

    def holding(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[str]:
        at, version = int(address), address.version
        found = {n for v, first, last, n in self.networks if v == version and first <= at <= last}
        return sorted(found)


class Search:
    def __init__(self, store: Store, incidents: Incidents, cvd: Cvd, assist: Assistance) -> None:
        self.store = store
        self.incidents = incidents
        self.cvd = cvd
        self.assist = assist
        self._registry: _Registry | None = None
        self._lock = threading.Lock()

    def registry(self) -> _Registry:
        """The registry, read again only when its version moved (one indexed read a search;
        a change by the command line or another server shows at the next search)."""
        version = self.store.registry_version()
        with self._lock:
            if self._registry is None or self._registry.version != version:
                self._registry = _Registry.of(version, self.store)
            return self._registry

    def find(self, who: Principal, text: str) -> Found:
        query = " ".join(str(text or "").split())[:MAX_QUERY]
        found = Found(query)
        if not query or (who.user_id is not None and who.role not in access.STAFF):
            return found
        for reading in (self._references, self._indicators, self._constituents):
            reading(who, query, found)
        if not found.read_as:  # a reference or an indicator is not looked for as words
            self._words(who, query, found)
        # one answer a page: the first reading that led there says why (a report's reference
        # before the words of its own timeline)
        seen: set[str] = set()
        unique = []
        for hit in found.hits:
            if hit.href not in seen:
                seen.add(hit.href)
                unique.append(hit)
        found.hits[:] = unique
        return found

    # -- references ------------------------------------------------------------------------------

    def _references(self, who: Principal, query: str, found: Found) -> None:
        upper = query.upper()
        if _INCIDENT.match(upper):
            found.read_as.append("an incident's reference")
            incident = self.store.cases.incident_by_reference(upper)
            if incident is not None and access.can_see(who, incident):
                found.hits.append(_incident(incident, "its reference"))
        report = canonical_reference(query) if upper.startswith("R") else ""
        if report:
            found.read_as.append("a report's reference")
            self._report(who, report, found)
        if _CVD.match(upper):
            found.read_as.append("a vulnerability case's reference")
            self._case(who, upper, found)
        if _REQUEST.match(upper):
            found.read_as.append("a request for assistance's reference")
            self._request(who, upper, found)

    def _report(self, who: Principal, reference: str, found: Found) -> None:
        stored = self.store.reports.by_reference(reference)
        incident = self.incidents.seen_by(who, stored[0].incident_id) if stored else None
        if incident is not None:
            found.hits.append(
                Hit("report", reference, f"/incidents/{incident.id}", incident.reference)
            )

    def _case(self, who: Principal, public_id: str, found: Found) -> None:
        try:
            case = self.cvd.by_public_id(who, public_id)
        except (NotFound, Forbidden):
            return  # none, or not for this person: the same answer
        found.hits.append(
            Hit("vulnerability", case.public_id, f"/cvd/{case.public_id}", case.title)
        )

    def _request(self, who: Principal, ref: str, found: Found) -> None:
        try:
            request = self.assist.by_ref(who, ref)
        except (NotFound, Forbidden):
            return
        found.hits.append(Hit("request", request.ref, f"/requests/{request.ref}", request.title))

    # -- indicators ------------------------------------------------------------------------------

    def _indicators(self, who: Principal, query: str, found: Found) -> None:
        address = _address(query)
        if address is not None:
            self._address(who, address, found)
            return
        network = _network(query)
        if network is not None:
            found.read_as.append("a network")
            self._carrying(who, found, "network", [str(network)], "carries this network")
            self._events(who, found, EventFilter(ip=str(network), limit=1), f"ip={network}")
            return
        for kind, name in (
            ("email", "an e-mail address"),
            ("url", "a URL"),
            ("hash", "a hash"),
            ("phone", "a phone number"),
            ("wallet", "a wallet"),
        ):
            if kind == "url" and "://" not in query:
                continue  # a bare domain reads as a URL to the sanitiser: it is a domain here
            if kind == "phone" and not query.startswith("+"):
                continue
            value = _indicator(kind, query)
            if value is not None and (kind != "hash" or _HASH.match(value)):
                found.read_as.append(name)
                self._carrying(who, found, kind, [value], f"carries this {kind}")
                return
        domain = _indicator("fqdn", query)
        if domain is not None and "." in domain:
            self._domain(who, domain, found)

    def _address(
        self, who: Principal, address: ipaddress.IPv4Address | ipaddress.IPv6Address, found: Found
    ) -> None:
        found.read_as.append("an IP address")
        shown = str(address)
        self._carrying(who, found, "ip", [shown], "carries this address")
        networks = [str(n) for n in _networks_holding(address)]
        self._carrying(who, found, "network", networks, "carries a network holding it")
        for name in self.registry().holding(address)[:PER_KIND]:
            found.hits.append(_constituent(name, "its networks hold it"))
        self._events(who, found, EventFilter(ip=shown, limit=1), f"ip={shown}")

    def _domain(self, who: Principal, domain: str, found: Found) -> None:
        found.read_as.append("a domain")
        self._carrying(who, found, "fqdn", [domain], "carries this domain")
        for incident_id, value in self.store.cases.indicators_ending(
            "fqdn", "." + domain, PER_KIND
        ):
            self._add_incident(who, found, incident_id, f"carries its subdomain {value}")
        for incident_id, value in self.store.cases.indicators_containing(
            "url", domain, PER_KIND * 5
        ):
            host = (urlsplit(value).hostname or "").lower()
            if host == domain or host.endswith("." + domain):
                self._add_incident(who, found, incident_id, f"carries the URL {value}")
        self._events(who, found, EventFilter(fqdn=domain, limit=1), f"fqdn={domain}")

    def _carrying(
        self, who: Principal, found: Found, kind: str, values: list[str], why: str
    ) -> None:
        for incident_id in self.store.cases.incidents_with_indicators(kind, values, PER_KIND):
            self._add_incident(who, found, incident_id, why)

    def _add_incident(self, who: Principal, found: Found, incident_id: int, why: str) -> None:
        incident = self.incidents.seen_by(who, incident_id)
        if incident is not None:
            found.hits.append(_incident(incident, why))

    def _events(self, who: Principal, found: Found, query: EventFilter, params: str) -> None:
        """A link to the events page when events match (what this person may read of them)."""
        page = self.store.search(replace(query, max_tlp=access.tlp_cap(who)))
        if page.events:
            found.hits.append(Hit("events", "Events", f"/events?{params}", "events match"))

    # -- constituents and words ------------------------------------------------------------------

    def _constituents(self, who: Principal, query: str, found: Found) -> None:
        for name in self.registry().beginning(query)[:PER_KIND]:
            found.hits.append(_constituent(name, "its name begins so"))

    def _words(self, who: Principal, query: str, found: Found) -> None:
        if len(query) < 3:
            return
        scope = access.incident_scope(who)
        for incident, source in self.store.cases.incidents_saying(scope, query, PER_KIND):
            found.hits.append(_incident(incident, _SAID_IN[source]))


_SAID_IN = {"title": "its title", "note": "its notes or mail", "account": "the victim's account"}


def _incident(incident: Incident, why: str) -> Hit:
    label = f"{incident.reference}: {incident.title}"
    return Hit("incident", label, f"/incidents/{incident.id}", why)


def _constituent(name: str, why: str) -> Hit:
    return Hit("constituent", name, f"/console?constituent={quote(name)}", why)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as the store keeps them: none with a zone (``fe80::1%eth0``) is one."""
    try:
        found = ipaddress.ip_address(text)
    except ValueError:
        return None
    return None if isinstance(found, ipaddress.IPv6Address) and found.scope_id else found


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if "/" not in text:
        return None
    try:
        return ipaddress.ip_network(types.ip_network(text))
    except ValueError:
        return None


def _networks_holding(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Every network (a /0 to a host's) that holds ``address``: 33 for IPv4, 129 for IPv6, each
    as the registry and the indicators write networks, so one indexed IN finds those carried."""
    bits = address.max_prefixlen
    return [ipaddress.ip_network(f"{address}/{length}", strict=False) for length in range(bits + 1)]


def _indicator(kind: str, text: str) -> str | None:
    try:
        return indicator(kind, text)[1]
    except ValueError:
        return None


__all__ = ["Found", "Hit", "Search"]
