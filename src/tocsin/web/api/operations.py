"""``/api/v1/health`` (for monitors, without a token) and ``/api/v1/feeds`` (each source's
health, for the desk's staff)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from tocsin import __version__
from tocsin.model.feed_health import FeedStatus
from tocsin.services.health import check_health
from tocsin.web.common.deps import ApiPrincipal, Services

router = APIRouter(tags=["operations"])


class LateJob(BaseModel):
    name: str
    every: int = Field(description="The job's interval, in seconds")
    last_success: int | None = Field(description="When it last succeeded (seconds since 1970)")
    error: str | None = Field(description="Its last run's error, if that run failed")


class SilentFeed(BaseModel):
    source: str = Field(description="A collector's name, or ingest:<feed>")
    alarm: str = Field(description="silent, volume low or volume high")
    reason: str


class Health(BaseModel):
    """Liveness, for monitoring: answers without a token, so it says nothing about the data but
    the names of the jobs that are late and of the feeds whose alarm is up."""

    ok: bool = Field(description="True when all is well (status 200); else 503 and the reasons")
    status: str = Field(description="ok, or failing")
    version: str
    database: str = Field(description="ok, or down")
    late_jobs: list[LateJob] = Field(
        description="Jobs whose last success is over 2× their interval"
    )
    silent_feeds: list[SilentFeed] = Field(description="Sources whose silent-feed alarm is up")
    problems: list[str] = Field(description="What could not be checked, and why")


@router.get(
    "/health",
    response_model=Health,
    summary="Is Tocsin up: its database, its scheduled jobs, its feeds",
    responses={503: {"model": Health, "description": "Something is wrong: the body says what"}},
)
def health(
    desk: Services,
    only: Annotated[
        Literal["database"] | None,
        Query(description="database: check the database alone (a liveness probe)"),
    ] = None,
) -> JSONResponse:
    found = check_health(desk, database_only=only == "database")
    body = Health(
        ok=found.ok,
        status="ok" if found.ok else "failing",
        version=__version__,
        database="ok" if found.database else "down",
        late_jobs=[LateJob(**asdict(job)) for job in found.late_jobs],
        silent_feeds=[SilentFeed(**asdict(feed)) for feed in found.silent_feeds],
        problems=found.problems,
    )
    return JSONResponse(body.model_dump(), status_code=200 if found.ok else 503)


class RunOut(BaseModel):
    started: int
    finished: int | None
    ok: bool
    error: str | None
    rows: int
    accepted: int
    duplicates: int
    quarantined: int


class FeedOut(BaseModel):
    source: str = Field(description="A collector's name, or ingest:<feed> for tocsin ingest")
    feed: str = Field(description="The parser its objects go through")
    last_fetch: RunOut | None = Field(description="Its newest run, whatever came of it")
    last_arrival: RunOut | None = Field(description="Its newest run that brought rows")
    usual_rows: float | None = Field(description="Median rows of its recent arrivals")
    usual_interval: float | None = Field(description="Median seconds between its arrivals")
    alarm: str | None = Field(description="silent, volume low, volume high, or null")
    reason: str


class FeedList(BaseModel):
    feeds: list[FeedOut]


@router.get("/feeds", response_model=FeedList, summary="Each source's health (staff only)")
def feeds(desk: Services, who: ApiPrincipal) -> FeedList:
    return FeedList(feeds=[feed_out(status) for status in desk.feed_health.sources(who)])


def feed_out(status: FeedStatus) -> FeedOut:
    def run(found: object) -> RunOut | None:
        return None if found is None else RunOut.model_validate(found, from_attributes=True)

    return FeedOut(
        source=status.source,
        feed=status.feed,
        last_fetch=run(status.last_run),
        last_arrival=run(status.last_arrival),
        usual_rows=status.usual_rows,
        usual_interval=status.usual_interval,
        alarm=status.alarm.value if status.alarm else None,
        reason=status.reason,
    )
