"""Schemathesis over the API's own OpenAPI document (``/api/v1/openapi.json``): every operation,
with values the schema allows and values it does not, sent in-process to the app on a real store
(SQLite and PostgreSQL) with a real read-write token, never gets a server error. A fixed budget
of examples per operation and a derandomized search: the same requests every run."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.generation.case import Case
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.desk import make_team
from tests.factories import make_event, rows
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app

EXAMPLES = 5  # per operation and generation mode
BUDGET = hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@dataclass
class Api:
    schema: Any
    token: str
    incident_id: int


def lifespan_run_by_the_test(app: ASGIApp) -> ASGIApp:
    """``app`` with its lifespan left to the test's client: Schemathesis would otherwise keep the
    app (and its store) open until the process ends."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        while True:
            message = await receive()
            await send({"type": f"{message['type']}.complete"})
            if message["type"] == "lifespan.shutdown":
                return

    return wrapped


@pytest.fixture
def api(settings: Settings, store: Store, tmp_path: Path) -> Iterator[Api]:
    """The app on a store with a team, an incident with linked events, and the lead's
    read-write token."""
    team = make_team(store)
    lead = team.people["lead"]
    token = Accounts(store, now=team.clock).create_token(lead, "schema", "read,write").secret
    store.write(rows(*[make_event(source__ip=f"192.0.2.{n}") for n in range(1, 4)]), [])
    incident = team.desk.create(
        lead,
        title="Phishing",
        type="phishing",
        priority="P2",
        tlp="AMBER",
        indicators=[("ip", "192.0.2.1")],
    )
    app = create_app(
        settings.but(data_dir=str(tmp_path / "data")), clock=team.clock, watch_clocks=False
    )
    with TestClient(app):  # runs the lifespan: the desk is open while the schema is tried
        schema = schemathesis.openapi.from_asgi(
            "/api/v1/openapi.json", lifespan_run_by_the_test(app)
        )
        yield Api(schema, token, incident.id)


def _no_server_error(api: Api, case: Case) -> None:
    response = case.call(headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} {case.query} {case.body!r}: "
        f"{response.status_code} {response.text[:300]}"
    )


def _try(api: Api, operation: Any, mode: GenerationMode, **fixed: Any) -> None:
    @BUDGET
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    def each(case: Case) -> None:
        _no_server_error(api, case)

    each()


def test_no_request_the_schema_describes_gets_a_server_error(api: Api) -> None:
    """Every operation, with valid and invalid generated values (ids anywhere in range and out
    of it), and again on the stored incident so that bodies reach a real one: no answer is 5xx."""
    operations = [result.ok() for result in api.schema.get_all_operations()]
    assert len(operations) >= 15, "the API has lost operations, or the schema did not load"
    for operation in operations:
        _try(api, operation, GenerationMode.POSITIVE)
        with contextlib.suppress(Unsatisfiable):  # an operation with no value to get wrong
            _try(api, operation, GenerationMode.NEGATIVE)
        if "{incident_id}" in operation.path:
            fixed = {"path_parameters": {"incident_id": api.incident_id}}
            _try(api, operation, GenerationMode.POSITIVE, **fixed)
