"""``/metrics``: the desk's Prometheus metrics (``services/prometheus.py``), for the addresses of
``TOCSIN_METRICS_ALLOW`` (loopback by default) or whoever brings ``TOCSIN_METRICS_TOKEN`` as a
bearer token; the service decides (``check_scraper``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from tocsin.services.prometheus import check_scraper
from tocsin.web.common import deps
from tocsin.web.common.proxies import client_of

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    desk = deps.desk(request)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    check_scraper(
        desk.settings,
        client_of(request),
        relayed="x-forwarded-for" in request.headers,
        token=token.strip() if scheme.lower() == "bearer" else None,
    )
    return Response(generate_latest(desk.metrics), media_type=CONTENT_TYPE_LATEST)
