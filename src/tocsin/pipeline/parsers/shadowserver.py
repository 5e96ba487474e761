"""Shadowserver reports (CSV): one table-driven parser for every report type.

Format: /work/shared/reference/feeds.md §1 — file names (§1.2), CSV conventions (§1.3), the legacy
drone format (§1.4), the common columns (§1.5), each report's classification, protocol and columns
(§1.6) — and the Shadowserver → IntelMQ field conventions of §8. As in IntelMQ's Shadowserver
parser, a report type is one entry of ``REPORTS``: adding one means adding a line there.

The report type comes from the option ``report``, else from the file name
(``2024-05-01-scan_telnet-nl-geo.csv``, also with a prefix, without the date, or an IPv6 or legacy
name), else from the header columns only that report has. The columns are mapped by name, once per
file, into a ``Plan``; each row is then a split, a dict comprehension and a memo lookup. Rows are
read with ``Source.lines`` and stand on their own after the header, so the runner may cut a large
report between processes (``split_preamble``).

Only the row-identifying values (timestamp, address and port; the URL of ``malware_url``) can
quarantine a row, in the normalise stage. A descriptive value that fails its field's type (an odd
``hostname``, a ``geo`` that is no country) is kept as ``extra.<column>`` instead; an ``asn`` or
``naics`` of ``0`` and an ``"unknown"`` sector count as absent. A report neither named nor
recognised quarantines every row, saying how to force the type.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from typing import Any

from tocsin.model import types
from tocsin.model.fields import FIELDS
from tocsin.pipeline.parsers.base import MAX_ROW_CHARS, Parser, Record, Source


@dataclass(frozen=True, slots=True)
class Report:
    """One Shadowserver report type: classification constants and how its columns differ."""

    name: str
    type: str
    identifier: str | None  # None: the row's ``infection`` names it
    application: str | None = None
    transport: str | None = None
    signature: frozenset[str] = frozenset()  # header columns that identify the report
    layout: str = "scan"  # base column map: scan, event, blocklist, malware_url
    columns: Mapping[str, str] = field(default_factory=dict)  # column → field, beyond the layout
    required: tuple[str, ...] = ("timestamp", "ip", "port")  # "a|b": either column
    url: str | None = None  # field for the URL built from http_url/url + http_host


# fmt: off
def _r(name: str, type_: str, identifier: str | None, app: str | None = None, sig: str = "",
       **more: Any) -> Report:
    return Report(name, type_, identifier, app, signature=frozenset(sig.split()), **more)


_VS = "vulnerable-system"
_EVENT: dict[str, Any] = {"layout": "event", "url": "destination.url",
                          "required": ("timestamp", "src_ip|ip", "src_port|port")}
_LDAP = {"dns_host_name": "source.local_hostname"}
_OS = {"os": "extra.os.name"}
_WEBSITE = {"application": "protocol.application", "http_host": "source.fqdn",
            "family": "malware.name", "category": "event_description.text", "status": "status",
            "account": "source.account"}

# feeds.md §1.6 (classification, identifier, protocol constants) and, for the further scan
# reports, Shadowserver's intelmq.json. ``sig``: columns that only this report's header carries
# (the match with the most of them wins). A new report type is one more line here.
REPORTS: tuple[Report, ...] = (
    _r("scan_telnet", _VS, "open-telnet", "telnet", "banner"),
    _r("scan_smb", _VS, "open-smb", "smb", "smb_major_number smb_version_string", transport="tcp"),
    _r("scan_rdp", _VS, "open-rdp", "rdp", "rdp_protocol handshake", transport="tcp"),
    _r("scan_http", "other", "accessible-http", "http", "http_reason connection version"),
    _r("scan_ssl", "other", "open-ssl", "https", "ssl_poodle freak_vulnerable cipher_suite"),
    _r("scan_ssl_poodle", "weak-crypto", "ssl-poodle", "https", "ssl_poodle page_sha256fp"),
    _r("scan_ssl_freak", "weak-crypto", "ssl-freak", "https", "freak_vulnerable page_sha256fp"),
    _r("scan_dns", _VS, "dns-open-resolver", "dns", "dns_version min_amplification"),
    _r("scan_ntp", _VS, "ntp-version", "ntp", "clk_wander stratum"),
    _r("scan_ntpmonitor", _VS, "ntp-monitor", "ntp", "packets response_size"),
    _r("scan_snmp", _VS, "open-snmp", "snmp", "sysdesc community"),
    _r("scan_memcached", _VS, "open-memcached", "memcached", "curr_connections pointer_size"),
    _r("scan_ssdp", _VS, "open-ssdp", "ssdp", "search_target unique_service_name"),
    _r("scan_cwmp", _VS, "open-cwmp", "cwmp", "http_reason connection"),
    _r("scan_vnc", _VS, "open-vnc", "vnc", "product banner", transport="tcp"),
    _r("scan_elasticsearch", _VS, "open-elasticsearch", "elasticsearch", "cluster_name tagline"),
    _r("scan_mongodb", _VS, "open-mongodb", "mongodb", "gitversion maxbsonobjectsize"),
    _r("scan_redis", _VS, "open-redis", "redis", "git_sha1 multiplexing_api", columns=_OS),
    _r("scan_ftp", _VS, "accessible-ftp", "ftp", "banner auth_tls_response"),
    _r("scan_ssh", "other", "open-ssh", None, "serverid_software server_host_key"),
    _r("scan_bgp", _VS, "open-bgp", "bgp"),
    _r("population_bgp", _VS, "accessible-bgp", "bgp", "bgp_version hold_time"),
    _r("scan_chargen", _VS, "open-chargen", "chargen"),
    _r("scan_qotd", _VS, "open-qotd", "qotd", "quote amplification"),
    _r("scan_ldap_udp", _VS, "open-ldap", "ldap", "naming_contexts ds_service_name", columns=_LDAP),
    _r("scan_ldap_tcp", _VS, "open-ldap", "ldap", "naming_contexts ds_service_name jarm",
       columns=_LDAP),
    _r("scan_mdns", _VS, "open-mdns", "mdns", "mdns_name workstation_name"),
    _r("scan_mssql", _VS, "open-mssql", "mssql", "instance_name named_pipe",
       columns={"server_name": "source.local_hostname"}),
    _r("scan_mysql", _VS, "open-mysql", "mysql", "mysql_protocol_version server_version"),
    _r("scan_postgres", _VS, "open-postgres", "postgres", "supported_protocols startup_error_code"),
    _r("scan_docker", _VS, "open-docker", "docker", "api_version kernel_version", columns=_OS),
    _r("scan_couchdb", _VS, "open-couchdb", "couchdb", "couchdb_version couchdb_message"),
    _r("scan_kubernetes", _VS, "open-kubernetes", "kubernetes", "git_tree_state go_version"),
    _r("scan_ipp", _VS, "open-ipp", "ipp", "ipp_version printer_name"),
    _r("scan_isakmp", _VS, "open-ike", "ipsec", "initiator_spi responder_spi"),
    _r("scan_ipmi", _VS, "open-ipmi", "ipmi", "ipmi_version defaultkg", transport="udp"),
    _r("scan_netbios", _VS, "open-netbios-nameservice", "netbios-nameservice",
       "workgroup mac_address", columns={"username": "source.account"}),
    _r("scan_portmapper", _VS, "open-portmapper", "portmapper", "programs mountd_port"),
    _r("scan_rdpeudp", _VS, "accessible-msrdpeudp", None, "sessionid amplification"),
    _r("scan_ubiquiti", _VS, "accessible-ubiquiti-discovery-service", None, "radioname essid"),
    _r("scan_xdmcp", _VS, "open-xdmcp", "xdmcp", "reported_hostname opcode",
       columns={"status": "status"}),
    _r("scan_nat_pmp", _VS, "open-natpmp", "natpmp", "external_ip opcode"),
    _r("scan_cisco_smart_install", _VS, "accessible-cisco-smart-install", "cisco-smart-install"),
    _r("scan_coap", _VS, "accessible-coap", "coap"),
    _r("scan_amqp", _VS, "accessible-amqp", "amqp", "version_major mechanisms"),
    _r("scan_afp", _VS, "accessible-afp", "afp", "afp_versions uams"),
    _r("scan_hadoop", _VS, "accessible-hadoop", "hadoop", "clusterid livenodes", transport="tcp"),
    _r("scan_http_proxy", _VS, "open-http-proxy", "http", "proxy_authenticate via"),
    _r("scan_http_vulnerable", _VS, "vulnerable-http", "http", "http_reason build_branch"),
    _r("scan_smtp", "other", "open-smtp", "smtp", "banner auth_tls_response sslv3_supported"),
    _r("scan_sip", _VS, "open-sip", "sip", "sip_via sip_code"),
    _r("scan_slp", _VS, "open-slp", "slp", "function_text language_tag"),
    _r("scan_rsync", _VS, "accessible-rsync", "rsync", "motd has_password"),
    _r("scan_db2", _VS, "open-db2-discovery-service", "db2", "db2_hostname servername"),
    _r("scan_ws_discovery", _VS, "open-ws-discovery", "ws-discovery"),
    _r("event4_sinkhole", "infected-system", None, None, "src_ip dst_ip infection", **_EVENT),
    _r("botnet_drone", "infected-system", None, None, "cc_ip infection", layout="event",
       required=("timestamp", "ip"), url="destination.url"),  # the legacy drone report (§1.4)
    _r("event4_sinkhole_http", "infected-system", None, "http",
       "src_ip dst_ip infection http_url http_host", **_EVENT),
    _r("compromised_website", "system-compromise", "compromised-website", None,
       "category detected_since redirect_target", columns=_WEBSITE, url="source.url"),
    _r("blocklist", "blacklist", "blacklisted-ip", None, "source reason", layout="blocklist",
       required=("timestamp", "ip")),
    _r("device_id", "undetermined", "device-id", None, "device_version"),
    _r("malware_url", "malware-distribution", "malware-url", None, "url sha256 source",
       layout="malware_url", required=("timestamp", "url")),
)


BY_NAME: dict[str, Report] = {report.name: report for report in REPORTS}

# §1.2: legacy file names and their successors; IPv6 twins carry a 6 and share the columns.
ALIASES: dict[str, str] = {
    "sinkhole_http_drone": "event4_sinkhole_http",
    "sinkhole6_http": "event4_sinkhole_http",
    "microsoft_sinkhole": "event4_sinkhole_http",
    "blacklist": "blocklist",
    "dns_openresolver": "scan_dns",
    "scan_ldap": "scan_ldap_udp",
    "scan_msrdpeudp": "scan_rdpeudp",
    "cisco_smart_install": "scan_cisco_smart_install",
}
for _name in BY_NAME:
    if _name.startswith("scan_"):
        ALIASES["scan6_" + _name[5:]] = _name
    elif _name.startswith("event4_"):
        ALIASES["event6_" + _name[7:]] = _name
    elif _name in ("device_id", "compromised_website"):
        ALIASES[_name + "6"] = _name

_COMMON = {"timestamp": "time.source", "severity": "severity", "protocol": "protocol.transport",
           "tag": "!tag", "device_vendor": "product.vendor", "device_model": "product.name",
           "device_version": "product.version"}
_SIDE = {"ip": "source.ip", "port": "source.port", "hostname": "source.reverse_dns",
         "asn": "source.asn", "geo": "source.geolocation.cc",
         "region": "source.geolocation.region", "city": "source.geolocation.city"}
LAYOUTS: dict[str, dict[str, str]] = {
    "scan": _COMMON | _SIDE,
    "blocklist": _COMMON | _SIDE | {"ip": "!network", "source": "extra.source_name"},
    "malware_url": _COMMON | _SIDE | {
        "url": "source.url", "hostname": "source.fqdn", "host": "source.fqdn",
        "sha256": "malware.hash.sha256", "application": "protocol.application"},
    # modern src_/dst_ columns and the legacy drone names (§1.4) side by side
    "event": _COMMON | {f"src_{c}": f for c, f in _SIDE.items()} | _SIDE | {
        "dst_ip": "destination.ip", "cc_ip": "destination.ip",
        "dst_port": "destination.port", "cc_port": "destination.port",
        "dst_asn": "destination.asn", "cc_asn": "destination.asn",
        "dst_geo": "destination.geolocation.cc", "cc_geo": "destination.geolocation.cc",
        "dst_region": "destination.geolocation.region",
        "dst_city": "destination.geolocation.city",
        "dst_hostname": "destination.reverse_dns", "cc_dns": "destination.fqdn",
        "http_host": "destination.fqdn", "type": "protocol.transport",
        "application": "protocol.application", "infection": "!infection",
        "src_naics": "extra.source.naics", "src_sector": "extra.source.sector",
        "naics": "extra.source.naics", "sector": "extra.source.sector", "sic": "extra.source.sic",
        "dst_naics": "extra.destination.naics", "cc_naics": "extra.destination.naics",
        "dst_sector": "extra.destination.sector", "cc_sector": "extra.destination.sector",
        "cc_sic": "extra.destination.sic", "agent": "extra.user_agent",
        "count": "extra.connection_count", "p0f_genre": "extra.os.name",
        "p0f_detail": "extra.os.version"},
}
# §1.3: 0 means unknown for ASNs and industry codes; "0"/"unknown" mean nothing in free text.
_ZERO_IS_NONE = frozenset({"source.asn", "destination.asn"})
_ZERO_COLUMNS = frozenset({"naics", "sic", "src_naics", "dst_naics", "cc_naics", "cc_sic"})
_TEXT_NONE = frozenset({"0", "unknown"})
_TEXT_COLUMNS = frozenset({
    "sector", "src_sector", "dst_sector", "cc_sector", "hostname_source", "public_source",
    "device_vendor", "device_type", "device_model", "device_version", "device_sector"})
# columns whose values are nearly unique per row: checked one by one, never memoised together
_UNIQUE = frozenset({
    "ip", "hostname", "host", "src_hostname", "dst_hostname", "http_host", "cc_dns", "dst_ip",
    "cc_ip", "dst_port", "cc_port", "account", "username", "server_name", "dns_host_name",
    "sha256"})
# fmt: on

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}-")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_TAG_SPLIT = re.compile(r"[;,]")
_CVE = re.compile(r"cve-\d{4}-\d+")
_MEMO_LIMIT = 20_000  # entries per memo (a combination of grouped values, or one value)
_MAX_JOIN = 20  # lines a quoted value may run over

Derive = Callable[[str], dict[str, str]]
Hook = Callable[[list[str], dict[str, Any]], None]


def report_from_name(filename: str) -> tuple[Report | None, str | None]:
    """The report a Shadowserver file name gives (and the name as written), per §1.2."""
    stem = filename.lower()
    for suffix in (".gz", ".csv"):
        stem = stem.removesuffix(suffix)
    match = _DATE.search(stem)
    tokens = stem[match.end() :].split("-")[:1] if match else stem.split("-")
    for token in tokens:
        found = BY_NAME.get(token) or BY_NAME.get(ALIASES.get(token, ""))
        if found:
            return found, token
    return None, tokens[0] if match else None


def reports_from_header(columns: Sequence[str]) -> list[Report]:
    """The most specific of the reports whose signature columns are all in the header."""
    present = set(columns)
    matches = [r for r in REPORTS if r.signature and r.signature <= present]
    if not matches:
        return []
    best = max(len(r.signature) for r in matches)
    return [r for r in matches if len(r.signature) == best]


def _is_binary(text: str) -> bool:
    """``base.binary`` with a fast path for the usual all-printable line."""
    if text.isprintable():
        return False
    return "\x00" in text or len(_CONTROL.findall(text, 0, 512)) > 8


def _bad_line(number: int, text: str, reason: str) -> Record:
    if _is_binary(text):
        return Record(number, text, None, "binary data, not text")
    if len(text) > MAX_ROW_CHARS:
        return Record(
            number,
            text[:MAX_ROW_CHARS],
            None,
            f"row longer than {MAX_ROW_CHARS} characters ({len(text)})",
        )
    return Record(number, text, None, reason)


class Plan:
    """How one file's header maps to fields, built once per file.

    Columns fall in three groups: values copied as they are (``plain``: the row-identifying ones
    and most ``extra.*``), values checked one by one (``singles``: names and addresses, nearly
    unique per row), and the rest, low-cardinality descriptive values (severity, protocol, ASN,
    location, tag, …), whose fields are derived once per distinct combination and memoised
    together with the report's constants.
    """

    def __init__(self, report: Report, columns: list[str]) -> None:
        self.width = len(columns)
        index = {name: i for i, name in enumerate(columns)}
        layout = LAYOUTS[report.layout] | dict(report.columns)
        self.missing: list[str] = []
        self.required: list[int] = []
        keys = {"time.source", "source.ip", "source.port"}
        for need in report.required:
            found = [index[c] for c in need.split("|") if c in index]
            if found:
                self.required.append(found[0])
                keys.add(layout.get(columns[found[0]], ""))
            else:
                self.missing.append(need.replace("|", " or "))
        self.required_names = [columns[i] for i in self.required]
        plain: list[tuple[int, str]] = []
        self.singles: list[tuple[int, Derive]] = []
        self.grouped: list[tuple[int, Derive]] = []
        targets: set[str] = set()
        for i, column in enumerate(columns):
            target = layout.get(column) or f"extra.{column or f'column_{i + 1}'}"
            targets.add(target)
            derive = _derive(column, target, target in keys)
            if derive is None:
                plain.append((i, target))
            elif column in _UNIQUE:
                self.singles.append((i, derive))
            else:
                self.grouped.append((i, derive))
        self.plain_names = [name for _, name in plain]
        self.plain_get = _getter([i for i, _ in plain])
        self.group_get = _getter([i for i, _ in self.grouped])
        self.memos: list[dict[str, dict[str, str]]] = [{} for _ in self.grouped]
        # the report's constants; a protocol constant yields to a column giving the same field
        self.fixed: dict[str, str] = {"classification.type": report.type}
        if report.identifier:
            self.fixed["classification.identifier"] = report.identifier
        self.soft: dict[str, str] = {}
        for name, value in (
            ("protocol.application", report.application),
            ("protocol.transport", report.transport),
        ):
            if value:
                (self.soft if name in targets else self.fixed)[name] = value
        self.hooks: list[Hook] = []
        path = next((index[c] for c in ("http_url", "url") if c in index), None)
        if report.url and path is not None:
            host = index.get("http_host", index.get("cc_dns"))
            app = index.get("application")
            self.hooks.append(_url_hook(path, host, app, report.url))
        if layout.get("category") == "event_description.text" and "detail" in index:
            self.hooks.append(_category_or_detail(index["detail"]))

    def combine(self, values: tuple[str, ...]) -> dict[str, str]:
        """The fields of one combination of grouped values, the constants included."""
        fields = dict(self.soft)
        for (_, derive), memo, value in zip(self.grouped, self.memos, values, strict=True):
            if value:
                found = memo.get(value)
                if found is None:
                    if len(memo) >= _MEMO_LIMIT:
                        memo.clear()
                    found = memo[value] = derive(value)
                fields.update(found)
        fields.update(self.fixed)
        return fields


def _derive(column: str, target: str, key: bool) -> Derive | None:
    """None for a value copied as is; else a function of the value giving the fields to set."""
    if target == "!tag":
        return _tag
    if target == "!infection":
        return _checked("malware.name", f"extra.{column}", also="classification.identifier")
    if target == "!network":
        return _network
    empty = _TEXT_NONE if column in _TEXT_COLUMNS else frozenset()
    if column in _ZERO_COLUMNS or target in _ZERO_IS_NONE:
        empty = empty | {"0"}
    if target.startswith("extra.") or key:
        return _dropping(target, empty) if empty else None
    return _checked(target, f"extra.{column}", empty=empty)


def _getter(indexes: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """``itemgetter`` that always returns a tuple."""
    if len(indexes) == 1:
        only = indexes[0]
        return lambda row: (row[only],)
    if not indexes:
        return lambda row: ()
    return itemgetter(*indexes)


def _checked(
    target: str, fallback: str, empty: frozenset[str] = frozenset(), also: str | None = None
) -> Derive:
    """A descriptive value: kept under its field if its sanitiser accepts it, else in extra."""
    sanitize = FIELDS[target]

    def derive(value: str) -> dict[str, str]:
        if empty and value.strip().lower() in empty:
            return {}
        try:
            sanitize(value)
        except ValueError:
            return {fallback: value}
        return {target: value, also: value} if also else {target: value}

    return derive


def _dropping(target: str, empty: frozenset[str]) -> Derive:
    def derive(value: str) -> dict[str, str]:
        return {} if value.strip().lower() in empty else {target: value}

    return derive


def _tag(value: str) -> dict[str, str]:
    """``extra.tag`` as sent, and the CVE tags (§1.3, §8) as ``product.vulnerabilities``."""
    fields = {"extra.tag": value}
    cves = sorted({t.strip() for t in _TAG_SPLIT.split(value.lower()) if _CVE.fullmatch(t.strip())})
    if cves:
        fields["product.vulnerabilities"] = ";".join(cves)
    return fields


def _network(value: str) -> dict[str, str]:
    """``blocklist`` sends an address or a CIDR range in ``ip`` (§1.3)."""
    return {"source.network": value} if "/" in value else {"source.ip": value}


def _url_hook(path_i: int, host_i: int | None, app_i: int | None, target: str) -> Hook:
    """``http_url``/``url`` + ``http_host`` → an absolute URL (as convert_http_host_and_url)."""

    def hook(row: list[str], fields: dict[str, Any]) -> None:
        path = row[path_i].strip()
        if not path:
            return
        if "://" not in path:
            host = row[host_i].strip() if host_i is not None else ""
            if not host:
                return
            scheme = row[app_i].strip().lower() if app_i is not None else ""
            scheme = scheme if scheme in ("http", "https") else "http"
            path = f"{scheme}://{host}{path if path.startswith('/') else '/' + path}"
        try:
            types.url(path)
        except ValueError:
            return
        fields[target] = path

    return hook


def _category_or_detail(detail_i: int) -> Hook:
    def hook(row: list[str], fields: dict[str, Any]) -> None:
        if "event_description.text" not in fields and row[detail_i].strip():
            fields["event_description.text"] = row[detail_i]

    return hook


class ShadowserverParser(Parser):
    """Every Shadowserver CSV report; ``options["report"]`` forces the report type."""

    name = "shadowserver"
    help = (
        "Shadowserver reports (CSV): scans, sinkhole events, compromised websites, blocklist, "
        "device id, malware URLs; report type from the file name, the header or option report"
    )
    provider = "Shadowserver"
    default_tlp = "AMBER"
    documentation = "https://www.shadowserver.org/what-we-do/network-reporting/"
    split_preamble = 1  # one header line, then rows that stand on their own (§1.3)

    def parse(self, source: Source) -> Iterator[Record]:
        lines = source.lines()
        first = next(((n, text) for n, text in lines if text.strip()), None)
        if first is None:
            return
        number, header_text = first
        try:
            header = next(csv.reader((header_text,), strict=True))
        except csv.Error as exc:
            reason = f"{source.name}: header line {number} is not valid CSV ({exc})"
            yield from _refuse(lines, reason)
            return
        columns = [c.strip().lower() for c in header]
        report, code, reason = self._report(source.name, columns)
        if report is None or code is None:
            yield from _refuse(lines, reason)
            return
        plan = Plan(report, columns)
        if plan.missing:
            missing = ", ".join(plan.missing)
            reason = f"missing column(s) {missing} required by Shadowserver report {code}"
            yield from _refuse(lines, reason)
            return
        yield from _records(lines, plan, header_text)

    def _report(self, filename: str, columns: list[str]) -> tuple[Report | None, str | None, str]:
        """The report to map the file with, the name it goes by, or why there is none."""
        forced = str(self.options.get("report") or "").strip().lower()
        if forced:
            report = BY_NAME.get(forced) or BY_NAME.get(ALIASES.get(forced, ""))
            if report is None:
                known = ", ".join(sorted(BY_NAME))
                return (
                    None,
                    None,
                    f"unknown Shadowserver report {forced!r} in option report; known: {known}",
                )
            return report, forced, ""
        report, token = report_from_name(filename)
        if report is not None:
            return report, token, ""
        candidates = reports_from_header(columns)
        if len(candidates) == 1:
            return candidates[0], candidates[0].name, ""
        told = f"its name says {token!r}, which is not a known report; " if token else ""
        if candidates:
            seen = "its header fits " + " and ".join(r.name for r in candidates) + " alike"
        else:
            seen = "its header matches no known report"
        return (
            None,
            None,
            (
                f"{filename}: unknown Shadowserver report ({told}{seen}); force the report type "
                f"with the parser option report=<type>, e.g. report=scan_telnet"
            ),
        )


Lines = Iterator[tuple[int, str]]


def _refuse(lines: Lines, reason: str) -> Iterator[Record]:
    """Every row of a file that cannot be mapped, quarantined with the same reason."""
    for number, text in lines:
        if text.strip():
            yield _bad_line(number, text, reason)


def _records(lines: Lines, plan: Plan, header_text: str) -> Iterator[Record]:
    """The rows after the header: the hot loop.

    A line in the usual all-quoted form is split on ``","`` (exact, as every quote in it is then
    a delimiter); any other line goes through the csv module. A quoted value that runs over line
    ends is joined with the following lines (at most ``_MAX_JOIN``) when the joined record has
    the header's width; otherwise only the line where it began is quarantined, and the lines
    read ahead are parsed again.
    """
    width, names, plain_get = plan.width, plan.plain_names, plan.plain_get
    group_get, singles, hooks, combine = plan.group_get, plan.singles, plan.hooks, plan.combine
    required = plan.required
    req_get = _getter(required)
    memo: dict[tuple[str, ...], dict[str, str]] = {}
    it: Lines = lines
    while True:
        for number, text in it:
            row: list[str] | None
            if len(text) > 1 and text[0] == '"' and text[-1] == '"':
                # Shadowserver's usual form: every value quoted, no quote inside a value
                row = text[1:-1].split('","')
                if text.count('"') != 2 * len(row):
                    row = None
            else:
                row = None
            if row is None:
                if not text.strip():
                    continue
                try:
                    row = next(csv.reader((text,), strict=True))
                except csv.Error as exc:
                    if "unexpected end of data" not in str(exc):
                        yield _bad_line(number, text, f"malformed CSV: {exc}")
                        continue
                    joined, row, ahead = _join(text, it, width)
                    if row is None:
                        yield _bad_line(number, text, "malformed CSV: unterminated quoted field")
                        it = chain(ahead, it)
                        break
                    text = joined
            if not text.isprintable() and _is_binary(text):
                yield Record(number, text, None, "binary data, not text")
                continue
            if len(text) > MAX_ROW_CHARS:
                yield _bad_line(number, text, "")
                continue
            if len(row) != width:
                reason = f"expected {width} columns, found {len(row)} (truncated or shifted row)"
                yield Record(number, text, None, reason)
                continue
            if text == header_text:
                continue  # a repeated header (reports joined together)
            if not all(req_get(row)):
                found = zip(plan.required_names, required, strict=True)
                reason = "empty value in required column(s): "
                yield Record(
                    number, text, None, reason + ", ".join(n for n, i in found if not row[i])
                )
                continue
            fields = {n: v for n, v in zip(names, plain_get(row), strict=True) if v}
            key = group_get(row)
            try:
                fields.update(memo[key])
            except KeyError:
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                fields.update(memo.setdefault(key, combine(key)))
            for i, derive in singles:
                if row[i]:
                    fields.update(derive(row[i]))
            for hook in hooks:
                hook(row, fields)
            yield Record(number, text, fields)
        else:
            return


def _join(
    text: str, lines: Lines, width: int
) -> tuple[str, list[str] | None, list[tuple[int, str]]]:
    """A record whose quoted value spans lines: the joined text and its fields, if it closes
    within ``_MAX_JOIN`` lines with the header's width; and the lines read ahead."""
    ahead: list[tuple[int, str]] = []
    for item in lines:
        ahead.append(item)
        text = f"{text}\n{item[1]}"
        if len(ahead) > _MAX_JOIN or len(text) > MAX_ROW_CHARS:
            break
        try:
            row = next(csv.reader((text,), strict=True))
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                continue
            break
        return (text, row, ahead) if len(row) == width else (text, None, ahead)
    return text, None, ahead


PARSERS: list[type[Parser]] = [ShadowserverParser]
