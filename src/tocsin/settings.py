"""One typed, frozen settings object, read once from the environment and an optional TOML file.

Order of precedence: ``TOCSIN_*`` environment variables, then the TOML file named by
``TOCSIN_CONFIG`` (or ``tocsin.toml`` in the working directory when present), then defaults.
Every setting is listed in ``SETTINGS`` with its help; the README documents each (a test checks).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tocsin.errors import ConfigError
from tocsin.model.clients import networks
from tocsin.model.constituent import region
from tocsin.model.sla import SlaPolicy

SETTINGS: dict[str, str] = {
    "database_url": "where events are stored: sqlite:///PATH (default sqlite:///tocsin.db) or "
    "postgresql://USER@HOST/DB",
    "dedupe_window": "seconds within which the same observation counts as a duplicate (86400)",
    "batch_size": "events per transaction when ingesting (10000)",
    "workers": "processes that parse while the main one writes (2); 0 parses in the main process",
    "priority_rules": "a TOML file of priority rules replacing the defaults",
    "aggregation_rules": "a TOML file of aggregation rules (how events become incidents) "
    "replacing the defaults",
    "retention_events": "days an event is kept, from its own time, unless an incident not yet "
    "closed holds it; 0: for ever (365)",
    "retention_raw": "days a collector's fetched object is kept in the raw archive (90)",
    "retention_quarantine": "days a quarantined row is kept (30)",
    "retention_reporters": "days a public reporter's identity and contact are kept after their "
    "case is closed, then replaced by a tombstone; the report stays (180)",
    "retention_evidence": "days an incident's evidence is kept after it is closed (365)",
    "aggregation_team": "the team organisation that owns the incidents the aggregation rules open, "
    "made on first use; its staff see them (National CSIRT, where `tocsin users add` puts people)",
    "host": "address `tocsin serve` binds to (127.0.0.1; put a TLS proxy in front to open it)",
    "port": "port `tocsin serve` listens on (8000)",
    "trusted_proxies": "addresses and networks of the proxies in front of `tocsin serve` whose "
    "X-Forwarded-For and X-Forwarded-Proto are believed, comma-separated, e.g. 127.0.0.1 or "
    "10.0.0.0/24 (none: every client is the address that connected)",
    "secret_key": "key for signing session cookies and notices' acknowledgement links (32+ "
    "characters; empty: the one kept in secret_key_file, made on first start); never logged or "
    "shown",
    "secret_key_file": "where the secret key is kept when secret_key is empty: made on first "
    "start, mode 0600, refused when others may read it or it is too short "
    "(data_dir/secret.key)",
    "session_idle": "seconds without a request after which a console session ends (1800)",
    "session_lifetime": "seconds after logging in at which a console session ends, however busy "
    "(43200)",
    "data_dir": "where evidence files are kept (tocsin-data)",
    "log_format": "how `tocsin serve` writes its application and access logs to standard error: "
    "text, or json (one object per line) (text)",
    "log_level": "the least severe of Tocsin's log lines written: debug, info, warning or error "
    "(info)",
    "metrics_allow": "addresses and networks that may read the Prometheus metrics at /metrics, "
    "comma-separated (127.0.0.1,::1); a request a proxy relayed needs the token",
    "metrics_token": "a bearer token that opens /metrics from any address (none: only from "
    "metrics_allow); never logged or shown",
    "sla": "SLA targets, acknowledge/resolve per priority (P1=15m/4h,P2=1h/1d,P3=4h/3d,P4=1d/10d)",
    "emergency_number": "the number the report portal tells people in danger to call first (112)",
    "report_min_seconds": "a report sent sooner than this after its first page is refused as a "
    "bot's (15)",
    "report_limit": "reports one address may send per hour through the portal (10)",
    "public_url": "the address people reach Tocsin at, for links in notices (http://127.0.0.1:8000)",
    "smtp_url": "the mail server notices go through: smtp://[USER:PASSWORD@]HOST:PORT[?starttls=1]"
    " (smtp://127.0.0.1:25); the password is never logged",
    "notify_team": "the team's name in notices and as the producer of what it shares "
    "(National CSIRT)",
    "notify_every": "seconds between the notice runs of `tocsin serve` (plan, re-send the "
    "unacknowledged, send); 0: none, run `tocsin notify run` from a timer (0)",
    "share_sources": "a TOML file of partners' TAXII 2.1 collections that `tocsin share pull` "
    "reads, with a schedule (none)",
    "collectors": "a TOML file of the feeds Tocsin fetches by itself (HTTP, the Shadowserver "
    "Reports API, a drop folder), each with its schedule; see docs/collectors.md (none)",
    "exchange_ca": "a PEM file of the authorities whose certificates a counterpart's Tocsin may "
    "present, besides the system's (a private authority two teams agreed on; none)",
    "playbooks": "a TOML file of playbooks, the tasks added to an incident in one step "
    "(none: Tocsin's own, in tocsin/cases/playbooks/playbooks.toml)",
    "pull_max_pages": "pages one pull from a partner may take; more is an error and stores nothing "
    "of that pull (200)",
    "pull_max_page_bytes": "bytes one page of a partner's answer may have (16777216)",
    "pull_max_bytes": "bytes all the pages of one pull may have together (67108864)",
    "pull_max_seconds": "seconds one pull may take, all its pages (600)",
    "notify_from": "the address notices come from (cert@csirt.example)",
    "notify_gnupg_home": "a GnuPG home holding the team's key: notices are signed with it, and "
    "encrypted to recipients with a key (empty: not signed)",
    "notify_key": "the fingerprint of the team's signing key in notify_gnupg_home",
    "notify_resend_after": "seconds after which an unacknowledged P1/P2 notice is sent again "
    "(86400)",
    "notify_digest_hour": "the UTC hour from which the daily digest of other events goes (6)",
    "notify_per_domain": "notices per recipient mail domain per minute (60)",
    "audit_key_file": "the key the audit log is sealed with (HMAC-SHA256), kept outside the "
    "database; made on first use, mode 0600 (data_dir/audit.key); never logged or shown",
    "audit_signing_key_file": "the Ed25519 key the audit checkpoints are signed with; made on "
    "first use, mode 0600 (data_dir/audit-signing.key)",
    "audit_checkpoints": "the append-only file of signed audit checkpoints (head hash, sequence "
    "number, time) `tocsin audit verify` checks the log against "
    "(data_dir/audit-checkpoints.jsonl)",
    "audit_checkpoint_every": "seconds after which `tocsin serve` writes a checkpoint when the "
    "audit log has grown; also at each shutdown (300)",
    "audit_checkpoint_entries": "new audit entries after which `tocsin serve` writes a checkpoint "
    "without waiting (100)",
    "stats_budget": "the privacy budget (epsilon) of a calendar year: the differentially private "
    "statistics releases whose period touches the year spend it together; a release past it is "
    "refused (1.0)",
    "stats_regions": "the region codes statistics tables break incidents down by (the desk's "
    "public list, NUTS or ISO 3166-2, e.g. 'EE001 EE004 EE008'); a constituent elsewhere counts "
    "as 'other' (none: no table by region)",
}


def _regions_valid(codes: tuple[str, ...]) -> bool:
    try:
        return all(region(code) == code for code in codes)
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///tocsin.db"
    dedupe_window: int = 86_400
    batch_size: int = 10_000
    workers: int = 2
    priority_rules: str | None = None
    aggregation_rules: str | None = None
    aggregation_team: str = "National CSIRT"
    retention_events: int = 365
    retention_raw: int = 90
    retention_quarantine: int = 30
    retention_reporters: int = 180
    retention_evidence: int = 365
    host: str = "127.0.0.1"
    port: int = 8000
    trusted_proxies: str = ""
    secret_key: str = field(default="", repr=False)
    secret_key_file: str = ""
    session_idle: int = 1_800
    session_lifetime: int = 43_200
    data_dir: str = "tocsin-data"
    log_format: str = "text"
    log_level: str = "info"
    metrics_allow: str = "127.0.0.1,::1"
    metrics_token: str = field(default="", repr=False)
    sla: str = "P1=15m/4h,P2=1h/1d,P3=4h/3d,P4=1d/10d"
    emergency_number: str = "112"
    report_min_seconds: int = 15
    report_limit: int = 10
    public_url: str = "http://127.0.0.1:8000"
    smtp_url: str = field(default="smtp://127.0.0.1:25", repr=False)
    notify_team: str = "National CSIRT"
    notify_from: str = "cert@csirt.example"
    notify_gnupg_home: str = ""
    notify_key: str = ""
    notify_resend_after: int = 86_400
    notify_digest_hour: int = 6
    notify_per_domain: int = 60
    notify_every: int = 0
    share_sources: str = ""
    collectors: str = ""
    exchange_ca: str = ""
    playbooks: str = ""
    pull_max_pages: int = 200
    pull_max_page_bytes: int = 16 * 1024 * 1024
    pull_max_bytes: int = 64 * 1024 * 1024
    pull_max_seconds: int = 600
    audit_key_file: str = ""
    audit_signing_key_file: str = ""
    audit_checkpoints: str = ""
    audit_checkpoint_every: int = 300
    audit_checkpoint_entries: int = 100
    stats_budget: float = 1.0
    stats_regions: str = ""

    @property
    def regions(self) -> tuple[str, ...]:
        """``stats_regions`` as a list: upper case, in the order given, each once."""
        codes = self.stats_regions.replace(",", " ").upper().split()
        return tuple(dict.fromkeys(codes))

    @classmethod
    def load(
        cls, environ: Mapping[str, str] | None = None, config_file: str | Path | None = None
    ) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        path = config_file or env.get("TOCSIN_CONFIG")
        if path is None and Path("tocsin.toml").is_file():
            path = "tocsin.toml"
        if path is not None:
            try:
                data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"cannot read settings file {path}: {exc}") from None
            table = data.get("tocsin", data)
            for key, value in table.items():
                if key not in SETTINGS:
                    raise ConfigError(f"{path}: unknown setting {key!r}")
                values[key] = value
        for key in SETTINGS:
            name = "TOCSIN_" + key.upper()
            if name in env:
                values[key] = env[name]
        return cls()._with(values)

    def _with(self, values: Mapping[str, Any]) -> Settings:
        converted: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(self)}
        for key, value in values.items():
            kind = types[key]
            converted[key] = _converted(key, kind, value)
        result = replace(self, **converted)
        try:
            SlaPolicy.parse(result.sla)
        except ValueError as exc:
            raise ConfigError(f"setting sla: {exc}") from None
        if not 0 <= result.notify_digest_hour <= 23 or result.notify_per_domain < 1:
            raise ConfigError("notify_digest_hour 0–23 and notify_per_domain ≥ 1, please")
        if not 60 <= result.session_idle <= result.session_lifetime:
            raise ConfigError("session_idle ≥ 60 and no longer than session_lifetime, please")
        if result.notify_every < 0:
            raise ConfigError("notify_every ≥ 0, please (0: no notice runs in the server)")
        _check_audit(result)
        if result.report_min_seconds < 0 or result.report_limit < 1:
            raise ConfigError("report_min_seconds ≥ 0 and report_limit ≥ 1, please")
        _check_pull_limits(result)
        if not _regions_valid(result.regions):
            raise ConfigError(
                "stats_regions: region codes (NUTS, e.g. EE001, or ISO 3166-2, e.g. EE-37), please"
            )
        if not 0 < result.stats_budget < float("inf"):
            raise ConfigError("stats_budget: an epsilon above 0 (a year's privacy budget), please")
        _check_retention(result)
        _check_proxies(result)
        _check_logs(result)
        if result.batch_size < 1 or result.dedupe_window < 0 or not 0 <= result.workers <= 16:
            raise ConfigError("batch_size ≥ 1, dedupe_window ≥ 0 and workers 0–16, please")
        return result

    @property
    def secret_key_path(self) -> Path:
        return Path(self.secret_key_file or Path(self.data_dir) / "secret.key")

    def retention_days(self) -> dict[str, int]:
        """Each retention kind's days (``model.retention.KINDS``); 0: kept for ever."""
        return {
            "events": self.retention_events,
            "raw": self.retention_raw,
            "quarantine": self.retention_quarantine,
            "reporters": self.retention_reporters,
            "evidence": self.retention_evidence,
        }

    @property
    def audit_key_path(self) -> Path:
        return Path(self.audit_key_file or Path(self.data_dir) / "audit.key")

    @property
    def audit_signing_key_path(self) -> Path:
        return Path(self.audit_signing_key_file or Path(self.data_dir) / "audit-signing.key")

    @property
    def audit_checkpoints_path(self) -> Path:
        return Path(self.audit_checkpoints or Path(self.data_dir) / "audit-checkpoints.jsonl")

    def but(self, **changes: Any) -> Settings:
        """A copy with some settings changed (command-line options use this)."""
        return self._with(changes)


def _converted(key: str, kind: str, value: Any) -> Any:
    """A setting's value as its field's type: a whole number, a number, or text."""
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
    except ValueError:
        whole = "a whole number" if kind == "int" else "a number"
        raise ConfigError(f"setting {key}: {value!r} is not {whole}") from None
    if kind == "str":
        return str(value)
    return str(value) if value else None


def _check_audit(settings: Settings) -> None:
    if settings.audit_checkpoint_every < 1 or settings.audit_checkpoint_entries < 1:
        raise ConfigError("audit_checkpoint_every ≥ 1 and audit_checkpoint_entries ≥ 1, please")


def _check_retention(settings: Settings) -> None:
    if min(settings.retention_days().values()) < 0:
        raise ConfigError("each retention_* is days, 0 (for ever) or more, please")


def _check_proxies(settings: Settings) -> None:
    for name in ("trusted_proxies", "metrics_allow"):
        try:
            networks(getattr(settings, name))
        except ValueError as exc:
            raise ConfigError(f"setting {name}: {exc}") from None


def _check_logs(settings: Settings) -> None:
    if settings.metrics_token and len(settings.metrics_token) < 32:
        raise ConfigError("metrics_token must be at least 32 characters (or empty: none)")
    if settings.log_format not in ("text", "json"):
        raise ConfigError(f"setting log_format: {settings.log_format!r}: text or json, please")
    if settings.log_level.lower() not in ("debug", "info", "warning", "error"):
        raise ConfigError("setting log_level: debug, info, warning or error, please")


def _check_pull_limits(settings: Settings) -> None:
    smallest = min(settings.pull_max_pages, settings.pull_max_page_bytes, settings.pull_max_seconds)
    if smallest < 1 or settings.pull_max_bytes < settings.pull_max_page_bytes:
        raise ConfigError(
            "pull_max_pages, pull_max_page_bytes and pull_max_seconds ≥ 1, and pull_max_bytes ≥ "
            "pull_max_page_bytes, please"
        )
