"""``tocsin serve``, ``tocsin worker`` and ``tocsin demo``: the web server with the scheduled jobs,
the jobs alone, and the made-up demo data."""

from __future__ import annotations

import signal
from typing import Annotated, Any

import typer

from tocsin.cli.common import desk, out, shown
from tocsin.model.clock import wall_clock
from tocsin.services.demo import Loaded, demo_password
from tocsin.services.logs import configure_logs
from tocsin.services.scheduler import Stop
from tocsin.services.watches import scheduler
from tocsin.settings import Settings

Host = Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")]
Port = Annotated[int | None, typer.Option(help="Port (default 8000).")]


def serve(host: Host = None, port: Port = None) -> None:
    """Serve the web pages, the JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json) and
    TAXII 2.1 under /taxii2/, and run the scheduled jobs beside them."""
    import uvicorn

    from tocsin.web.app import create_app

    config = Settings.load()
    config = config.but(host=host or config.host, port=port or config.port)
    configure_logs(config)
    application = create_app(config, clock=wall_clock)
    out.print(shown(f"Tocsin at http://{config.host}:{config.port}/"))
    uvicorn.run(application, host=config.host, port=config.port, **SERVER)


def worker() -> None:
    """Run the scheduled jobs without the web (SLA clocks, notices, pulls, checkpoints…), for
    those who split them from the web servers. SIGTERM or Ctrl-C stops it once the jobs in
    progress have ended."""
    stop = Stop()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    try:
        with desk() as d:
            configure_logs(d.settings)
            jobs = scheduler(d)
            jobs.tick()  # the first runs start at once, before the line that says so
            names = ", ".join(f"{job.name} every {job.every} s" for job in jobs.jobs)
            out.print(shown(f"Tocsin worker: {names}"))
            jobs.serve(stop)
        out.print(shown("Tocsin worker: stopped"))
    finally:
        stop.close()


# How uvicorn runs Tocsin. Its proxy headers are off: uvicorn would believe X-Forwarded-For from
# 127.0.0.1 by default, so anyone on the host could name their own address; the app reads those
# headers itself, from TOCSIN_TRUSTED_PROXIES only (web/common/proxies.py).
# Its access log is off too, and it leaves logging alone (log_config None): the app writes its own
# access log, with the client it resolved and without query strings (web/common/access_log.py),
# through the one handler of services/logs.py.
SERVER: dict[str, Any] = {
    "log_level": "warning",
    "proxy_headers": False,
    "access_log": False,
    "log_config": None,
}


def demo(
    serve_: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the demo once loaded.")
    ] = True,
    host: Host = None,
    port: Port = None,
) -> None:
    """Load the made-up sample feeds, constituents and ASN table into the store, then serve them."""
    with desk() as d:
        loaded = d.load_demo()
        public_url = d.settings.public_url
    _print_loaded(loaded, public_url)
    if serve_:
        serve(host=host, port=port)


def _print_loaded(loaded: Loaded, public_url: str) -> None:
    for name, summary in loaded.feeds:
        out.print(shown(f"{name}: {summary.line()}"))
    out.print(
        shown(
            f"incidents: {loaded.opened} opened by the aggregation rules, "
            f"{loaded.linked} events linked"
        )
    )
    for receipt in loaded.receipts[:1]:
        out.print(
            shown(
                f"reports from the public: {len(loaded.receipts)} made up; the portal is /report, "
                f"and /report/status shows {receipt.reference} with the code {receipt.code}"
            )
        )
    out.print(shown("Log in as (made-up demo accounts):"))
    for name, password, role in loaded.logins:
        out.print(shown(f"  {role:8} user {name:8} password {password}"))
    out.print(
        shown(
            f"TAXII 2.1 for the demo partner: {public_url}/taxii2/ (HTTP Basic: user partner, "
            f"password {demo_password('partner')}), collection community = {loaded.collection} "
            f"({loaded.shared} STIX objects, up to TLP:GREEN)"
        )
    )
