"""``kind = "shadowserver"``: the Shadowserver Reports API (docs/collectors.md, "Shadowserver").

Each request is a POST of a JSON object to ``<url><method>`` (``url`` defaults to
``https://transform.shadowserver.org/api2/``) that carries the ``apikey``; the header ``HMAC2`` is
the HMAC-SHA256, in hex, of the raw body with the secret. A fetch lists the reports of the last
``days`` days (``reports/list`` with ``date``, and ``reports`` / ``type`` when configured), then
takes each whole: from the download host by its id (``download = "dl"``, the default:
``<download_url><id>``, the CSV Shadowserver's own report manager fetches), or signed through the
API (``download = "api"``: ``reports/download`` with the ``id``). The key and the secret come
from the environment variables ``key_env`` and ``secret_env`` name.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tocsin.collect.base import Batch, Fetched, Spec, register
from tocsin.collect.config import only, option, secret
from tocsin.collect.web import Limits, check_url, request
from tocsin.errors import InputUnreadable
from tocsin.model.clock import Now
from tocsin.model.collector import CollectorState

API = "https://transform.shadowserver.org/api2/"
DOWNLOADS = "https://dl.shadowserver.org/"
KEYS = {"url", "download_url", "download", "key_env", "secret_env", "reports", "type", "days"}


def sign(secret_value: str, body: bytes) -> str:
    """The ``HMAC2`` header of a request: HMAC-SHA256 of the raw body with the secret, hex."""
    return hmac.new(secret_value.encode(), body, hashlib.sha256).hexdigest()


class ShadowserverCollector:
    def __init__(self, spec: Spec) -> None:
        only(spec, KEYS)
        if spec.feed != "shadowserver":
            raise spec.fail("feed", "a shadowserver collector feeds the shadowserver parser")
        self.spec = spec
        self.url = _base(spec, "url", API)
        self.download_url = _base(spec, "download_url", DOWNLOADS)
        self.download = option(spec, "download", "dl")
        if self.download not in ("dl", "api"):
            raise spec.fail("download", "'dl' (the download host) or 'api' (reports/download)")
        self.key_env: str = option(spec, "key_env")
        self.secret_env: str = option(spec, "secret_env")
        self.reports: list[str] = option(spec, "reports", [], list)
        self.type: str = option(spec, "type", "")
        self.days: int = option(spec, "days", 2, int)
        if not 1 <= self.days <= 30 or not all(isinstance(r, str) for r in self.reports):
            raise spec.fail("days", "1 to 30 days, and reports a list of names, please")
        self.limits = Limits(spec.max_bytes, spec.max_seconds)

    def fetch(self, state: CollectorState, clock: Now) -> Batch:
        key = secret(self.spec, "key_env", self.key_env)
        secret_value = secret(self.spec, "secret_env", self.secret_env)
        listed: dict[str, dict[str, Any]] = {}
        today = datetime.fromtimestamp(clock(), UTC).date()
        for back in range(self.days):
            query: dict[str, Any] = {"date": (today - timedelta(days=back)).isoformat()}
            if self.reports:
                query["reports"] = self.reports
            if self.type:
                query["type"] = self.type
            for item in self._list(key, secret_value, query, clock):
                listed.setdefault(str(item["id"]), item)
        objects = [self._take(key, secret_value, item, clock) for item in listed.values()]
        return Batch(objects)

    def settle(self, fetched: Fetched, error: str | None) -> None:
        """Nothing to move: the reports stay at Shadowserver."""

    def _call(
        self, method: str, key: str, secret_value: str, query: dict[str, Any], clock: Now
    ) -> bytes:
        body = json.dumps({**query, "apikey": key}).encode()
        headers = {"HMAC2": sign(secret_value, body), "Content-Type": "application/json"}
        answer = request("POST", self.url + method, self.limits, clock, headers=headers, body=body)
        return answer.body

    def _list(
        self, key: str, secret_value: str, query: dict[str, Any], clock: Now
    ) -> list[dict[str, Any]]:
        raw = self._call("reports/list", key, secret_value, query, clock)
        try:
            found = json.loads(raw)
        except ValueError:
            raise InputUnreadable(f"{self.url}reports/list: the answer is not JSON") from None
        if isinstance(found, dict) and "error" in found:
            raise InputUnreadable(f"{self.url}reports/list: {str(found['error'])[:200]}")
        if not isinstance(found, list) or not all(
            isinstance(i, dict) and "id" in i and "file" in i for i in found
        ):
            raise InputUnreadable(
                f"{self.url}reports/list: not a list of reports with an id and a file"
            )
        return found

    def _take(self, key: str, secret_value: str, item: dict[str, Any], clock: Now) -> Fetched:
        report_id = str(item["id"])
        if self.download == "api":
            data = self._call("reports/download", key, secret_value, {"id": report_id}, clock)
        else:
            data = request("GET", self.download_url + report_id, self.limits, clock).body
        metadata: dict[str, str] = {
            k: str(item[k]) for k in ("id", "type", "report", "timestamp") if k in item
        }
        return Fetched(str(item["file"]), data, metadata)


def _base(spec: Spec, key: str, default: str) -> str:
    value: str = option(spec, key, default)
    if not check_url(value):
        raise spec.fail(key, "an http:// or https:// address, please")
    return value if value.endswith("/") else value + "/"


register("shadowserver", ShadowserverCollector)

__all__ = ["ShadowserverCollector", "sign"]
