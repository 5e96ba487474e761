"""``kind = "http"``: a feed at a URL, fetched with a conditional GET.

Keys: ``url`` (http or https), ``headers`` (plain values, e.g. ``Accept``), ``headers_env``
(header name → the environment variable holding its value, for an API key). The validators of
the last answer taken in (``ETag``, ``Last-Modified``) go back as ``If-None-Match`` and
``If-Modified-Since``; a 304 is nothing new. The answer's name is the URL path's last part (the
parsers read a file's kind from it), or the collector's name.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping

from tocsin.collect.base import Batch, Fetched, Spec, register
from tocsin.collect.config import only, option, secret
from tocsin.collect.web import Limits, check_url, request
from tocsin.model.clock import Now
from tocsin.model.collector import CollectorState

KEYS = {"url", "headers", "headers_env"}


class HttpCollector:
    def __init__(self, spec: Spec) -> None:
        only(spec, KEYS)
        self.spec = spec
        self.url: str = option(spec, "url")
        if not check_url(self.url):
            raise spec.fail("url", "an http:// or https:// address, please")
        self.headers = _strings(spec, "headers")
        self.headers_env = _strings(spec, "headers_env")
        self.limits = Limits(spec.max_bytes, spec.max_seconds)

    def fetch(self, state: CollectorState, clock: Now) -> Batch:
        headers = {"User-Agent": "Tocsin collector", **self.headers}
        for header, variable in self.headers_env.items():
            headers[header] = secret(self.spec, f"headers_env.{header}", variable)
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        answer = request("GET", self.url, self.limits, clock, headers=headers)
        if answer.status == 304:
            return Batch([], state.etag, state.last_modified)
        kind = answer.headers.get("Content-Type", "")
        fetched = Fetched(self.name_of(), answer.body, {"url": self.url, "content_type": kind})
        return Batch([fetched], answer.headers.get("ETag"), answer.headers.get("Last-Modified"))

    def settle(self, fetched: Fetched, error: str | None) -> None:
        """Nothing to move: the feed stays where it is."""

    def name_of(self) -> str:
        last = urllib.parse.urlsplit(self.url).path.rstrip("/").rsplit("/", 1)[-1]
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
