"""The row readers every parser builds on: a mapper failing on one row, whatever the exception,
quarantines that row and the next rows are read."""

from __future__ import annotations

from typing import Any

from tocsin.pipeline.parsers.base import Source, csv_records, line_records


def fussy(value: str) -> dict[str, Any]:
    """A mapper with a bug no check foresaw: it overflows on one value."""
    if value == "boom":
        raise OverflowError("Python int too large to convert to C long")
    return {"source.fqdn": value}


def test_a_csv_mapper_failing_on_one_row_quarantines_that_row_only() -> None:
    """The failing row becomes a record with the exception named; the next row is mapped."""
    data = b"name\nboom\nok.example\n"
    found = list(csv_records(Source("x.csv", data), lambda row: fussy(row["name"])))
    assert [(r.line, r.fields) for r in found] == [(2, None), (3, {"source.fqdn": "ok.example"})]
    assert found[0].error is not None and "OverflowError" in found[0].error


def test_a_line_mapper_failing_on_one_line_quarantines_that_line_only() -> None:
    """The same for plain lists."""
    found = list(line_records(Source("x.txt", b"boom\nok.example\n"), fussy))
    assert [(r.line, r.fields) for r in found] == [(1, None), (2, {"source.fqdn": "ok.example"})]
    assert found[0].error is not None and "OverflowError" in found[0].error
