"""``/api/v1/assist/figures``: a year's figures of requests for assistance (Regulation (EU)
2023/1543 Art. 28 and the 24/7 point of contact's own), as JSON, or one table as CSV."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from tocsin.services.types import FIGURE_TABLES
from tocsin.web.common.deps import ApiPrincipal, Services

router = APIRouter(tags=["assistance"])

Cell = int | float | str | None
TableName = Literal[FIGURE_TABLES]  # type: ignore[valid-type]


class FigureTable(BaseModel):
    name: str
    title: str
    source: str = Field(description="The article the table answers, or Tocsin for its own")
    dimensions: list[str] = Field(description="The columns that name a row, in order")
    measures: list[str] = Field(description="The columns counted or timed")
    rows: list[dict[str, Cell]] = Field(
        description="Every combination of the dimensions' values, zeros included; an average "
        "or share with nothing to average is null"
    )


class FiguresOut(BaseModel):
    year: int
    timezone: str = Field(description="The zone whose calendar year was counted")
    tables: list[FigureTable]


@router.get(
    "/assist/figures",
    response_model=FiguresOut,
    summary="A year's figures of requests for assistance (liaisons, leads, admins, auditors)",
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV for one table"}},
)
def assist_figures(
    desk: Services,
    who: ApiPrincipal,
    year: Annotated[int, Query(ge=1970, le=9998, description="The calendar year counted")],
    table: Annotated[
        TableName | None, Query(description="One table (CSV: art28 unless given)")
    ] = None,
    format: Annotated[Literal["json", "csv"], Query(description="json or csv")] = "json",
    tz: Annotated[
        str, Query(max_length=64, description="The zone whose calendar year counts (IANA)")
    ] = "UTC",
) -> FiguresOut | Response:
    if format == "csv":
        text = desk.assist_figures.csv(who, year, table or "art28", tz)
        disposition = f'attachment; filename="{table or "art28"}-{year}.csv"'
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": disposition},
        )
    if table is not None:
        one = desk.assist_figures.table(who, year, table, tz)
        return FiguresOut(year=year, timezone=tz, tables=[FigureTable(**one.as_json())])
    return FiguresOut.model_validate(desk.assist_figures.year(who, year, tz).as_json())
