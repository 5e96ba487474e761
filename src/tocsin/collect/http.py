"""``kind = "http"``: a feed at a URL, fetched with a conditional GET.

Keys: ``url`` (http or https), or ``url_env`` naming the variable that holds it (for a feed
whose key is part of its address, as PhishTank's and ThreatFox's are); ``headers`` (plain
values, e.g. ``Accept``); ``headers_env`` (header name → the environment variable holding its
value, for an API key). The validators of the last answer taken in (``ETag``,
``Last-Modified``) go back as ``If-None-Match`` and ``If-Modified-Since``; a 304 is nothing new.
The answer's name is the URL path's last part (the parsers read a file's kind from it), or the
collector's name.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping

from tocsin.collect.base import Batch, Fetched, Spec, register
from tocsin.collect.config import only, option, secret
from tocsin.collect.web import Limits, check_url, request
from tocsin.model.clock import Now
from tocsin.model.collector import CollectorState

KEYS = {"url", "url_env", "headers", "headers_env"}


class HttpCollector:
    def __init__(self, spec: Spec) -> None:
        only(spec, KEYS)
        self.spec = spec
        if ("url" in spec.options) == ("url_env" in spec.options):
            raise spec.fail("url", "either url or url_env (the variable holding it), please")
        self.url_env: str = option(spec, "url_env", "")
        self.url: str = option(spec, "url", "")
        if self.url and not check_url(self.url):
            raise spec.fail("url", "an http:// or https:// address, please")
        self.headers = _strings(spec, "headers")
        self.headers_env = _strings(spec, "headers_env")
        self.limits = Limits(spec.max_bytes, spec.max_seconds)

    def fetch(self, state: CollectorState, clock: Now) -> Batch:
        url = secret(self.spec, "url_env", self.url_env) if self.url_env else self.url
        headers = {"User-Agent": "Tocsin collector", **self.headers}
        for header, variable in self.headers_env.items():
            headers[header] = secret(self.spec, f"headers_env.{header}", variable)
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        where = self.url or f"${self.url_env}"  # never the address that holds a key
        answer = request("GET", url, self.limits, clock, headers=headers, label=where)
        if answer.status == 304:
            return Batch([], state.etag, state.last_modified)
        kind = answer.headers.get("Content-Type", "")
        fetched = Fetched(self.name_of(url), answer.body, {"url": where, "content_type": kind})
        return Batch([fetched], answer.headers.get("ETag"), answer.headers.get("Last-Modified"))

    def settle(self, fetched: Fetched, error: str | None) -> None:
        """Nothing to move: the feed stays where it is."""

    def name_of(self, url: str) -> str:
        last = urllib.parse.urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
        return last or self.spec.name


def _strings(spec: Spec, key: str) -> dict[str, str]:
    value = spec.options.get(key, {})
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise spec.fail(key, "a table of header names and strings, please")
    return dict(value)


register("http", HttpCollector)

__all__ = ["HttpCollector"]
