"""The Shadowserver report table: one entry per report type (docs/feeds.md §1.6, §1.4 and §8).

Adding a report type means adding one ``_r(...)`` line to ``REPORTS``; ``shadowserver.py`` reads
this table and does the parsing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


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


def _r(
    name: str,
    type_: str,
    identifier: str | None,
    app: str | None = None,
    sig: str = "",
    **more: Any,
) -> Report:
    return Report(name, type_, identifier, app, signature=frozenset(sig.split()), **more)


_VS = "vulnerable-system"
_EVENT: dict[str, Any] = {
    "layout": "event",
    "url": "destination.url",
    "required": ("timestamp", "src_ip|ip", "src_port|port"),
}
_LDAP = {"dns_host_name": "source.local_hostname"}
_OS = {"os": "extra.os.name"}
_WEBSITE = {
    "application": "protocol.application",
    "http_host": "source.fqdn",
    "family": "malware.name",
    "category": "event_description.text",
    "status": "status",
    "account": "source.account",
}

# docs/feeds.md §1.6 (classification, identifier, protocol constants) and, for the further scan
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
    _r(
        "scan_ldap_tcp",
        _VS,
        "open-ldap",
        "ldap",
        "naming_contexts ds_service_name jarm",
        columns=_LDAP,
    ),
    _r("scan_mdns", _VS, "open-mdns", "mdns", "mdns_name workstation_name"),
    _r(
        "scan_mssql",
        _VS,
        "open-mssql",
        "mssql",
        "instance_name named_pipe",
        columns={"server_name": "source.local_hostname"},
    ),
    _r("scan_mysql", _VS, "open-mysql", "mysql", "mysql_protocol_version server_version"),
    _r("scan_postgres", _VS, "open-postgres", "postgres", "supported_protocols startup_error_code"),
    _r("scan_docker", _VS, "open-docker", "docker", "api_version kernel_version", columns=_OS),
    _r("scan_couchdb", _VS, "open-couchdb", "couchdb", "couchdb_version couchdb_message"),
    _r("scan_kubernetes", _VS, "open-kubernetes", "kubernetes", "git_tree_state go_version"),
    _r("scan_ipp", _VS, "open-ipp", "ipp", "ipp_version printer_name"),
    _r("scan_isakmp", _VS, "open-ike", "ipsec", "initiator_spi responder_spi"),
    _r("scan_ipmi", _VS, "open-ipmi", "ipmi", "ipmi_version defaultkg", transport="udp"),
    _r(
        "scan_netbios",
        _VS,
        "open-netbios-nameservice",
        "netbios-nameservice",
        "workgroup mac_address",
        columns={"username": "source.account"},
    ),
    _r("scan_portmapper", _VS, "open-portmapper", "portmapper", "programs mountd_port"),
    _r("scan_rdpeudp", _VS, "accessible-msrdpeudp", None, "sessionid amplification"),
    _r("scan_ubiquiti", _VS, "accessible-ubiquiti-discovery-service", None, "radioname essid"),
    _r(
        "scan_xdmcp",
        _VS,
        "open-xdmcp",
        "xdmcp",
        "reported_hostname opcode",
        columns={"status": "status"},
    ),
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
    _r(
        "botnet_drone",
        "infected-system",
        None,
        None,
        "cc_ip infection",
        layout="event",
        required=("timestamp", "ip"),
        url="destination.url",
    ),  # the legacy drone report (§1.4)
    _r(
        "event4_sinkhole_http",
        "infected-system",
        None,
        "http",
        "src_ip dst_ip infection http_url http_host",
        **_EVENT,
    ),
    _r(
        "compromised_website",
        "system-compromise",
        "compromised-website",
        None,
        "category detected_since redirect_target",
        columns=_WEBSITE,
        url="source.url",
    ),
    _r(
        "blocklist",
        "blacklist",
        "blacklisted-ip",
        None,
        "source reason",
        layout="blocklist",
        required=("timestamp", "ip"),
    ),
    _r("device_id", "undetermined", "device-id", None, "device_version"),
    _r(
        "malware_url",
        "malware-distribution",
        "malware-url",
        None,
        "url sha256 source",
        layout="malware_url",
        required=("timestamp", "url"),
    ),
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

_COMMON = {
    "timestamp": "time.source",
    "severity": "severity",
    "protocol": "protocol.transport",
    "tag": "!tag",
    "device_vendor": "product.vendor",
    "device_model": "product.name",
    "device_version": "product.version",
}
_SIDE = {
    "ip": "source.ip",
    "port": "source.port",
    "hostname": "source.reverse_dns",
    "asn": "source.asn",
    "geo": "source.geolocation.cc",
    "region": "source.geolocation.region",
    "city": "source.geolocation.city",
}
LAYOUTS: dict[str, dict[str, str]] = {
    "scan": _COMMON | _SIDE,
    "blocklist": _COMMON | _SIDE | {"ip": "!network", "source": "extra.source_name"},
    "malware_url": _COMMON
    | _SIDE
    | {
        "url": "source.url",
        "hostname": "source.fqdn",
        "host": "source.fqdn",
        "sha256": "malware.hash.sha256",
        "application": "protocol.application",
    },
    # modern src_/dst_ columns and the legacy drone names (§1.4) side by side
    "event": _COMMON
    | {f"src_{c}": f for c, f in _SIDE.items()}
    | _SIDE
    | {
        "dst_ip": "destination.ip",
        "cc_ip": "destination.ip",
        "dst_port": "destination.port",
        "cc_port": "destination.port",
        "dst_asn": "destination.asn",
        "cc_asn": "destination.asn",
        "dst_geo": "destination.geolocation.cc",
        "cc_geo": "destination.geolocation.cc",
        "dst_region": "destination.geolocation.region",
        "dst_city": "destination.geolocation.city",
        "dst_hostname": "destination.reverse_dns",
        "cc_dns": "destination.fqdn",
        "http_host": "destination.fqdn",
        "type": "protocol.transport",
        "application": "protocol.application",
        "infection": "!infection",
        "src_naics": "extra.source.naics",
        "src_sector": "extra.source.sector",
        "naics": "extra.source.naics",
        "sector": "extra.source.sector",
        "sic": "extra.source.sic",
        "dst_naics": "extra.destination.naics",
        "cc_naics": "extra.destination.naics",
        "dst_sector": "extra.destination.sector",
        "cc_sector": "extra.destination.sector",
        "cc_sic": "extra.destination.sic",
        "agent": "extra.user_agent",
        "count": "extra.connection_count",
        "p0f_genre": "extra.os.name",
        "p0f_detail": "extra.os.version",
    },
}
# §1.3: 0 means unknown for ASNs and industry codes; "0"/"unknown" mean nothing in free text.
_ZERO_IS_NONE = frozenset({"source.asn", "destination.asn"})
_ZERO_COLUMNS = frozenset({"naics", "sic", "src_naics", "dst_naics", "cc_naics", "cc_sic"})
_TEXT_NONE = frozenset({"0", "unknown"})
_TEXT_COLUMNS = frozenset(
    {
        "sector",
        "src_sector",
        "dst_sector",
        "cc_sector",
        "hostname_source",
        "public_source",
        "device_vendor",
        "device_type",
        "device_model",
        "device_version",
        "device_sector",
    }
)
# columns whose values are nearly unique per row: checked one by one, never memoised together
_UNIQUE = frozenset(
    {
        "ip",
        "hostname",
        "host",
        "src_hostname",
        "dst_hostname",
        "http_host",
        "cc_dns",
        "dst_ip",
        "cc_ip",
        "dst_port",
        "cc_port",
        "account",
        "username",
        "server_name",
        "dns_host_name",
        "sha256",
    }
)
