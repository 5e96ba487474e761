"""The rows of a Shadowserver report after its header: the hot loop (docs/feeds.md §1.3).

A line in the usual all-quoted form is split on ``","`` (exact, as every quote in it is then a
delimiter); any other line goes through the csv module. A quoted value that runs over line ends
is joined with the following lines (at most ``_MAX_JOIN``) when the joined record has the
header's width; otherwise only the line where it began is quarantined, and the lines read ahead
are parsed again. Each row is then a split, a dict comprehension and a memo lookup (``Plan``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from itertools import chain

from tocsin.pipeline.parsers.base import MAX_ROW_CHARS, Record
from tocsin.pipeline.parsers.shadowserver_plan import MEMO_LIMIT, Plan, getter

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_MAX_JOIN = 20  # lines a quoted value may run over

Lines = Iterator[tuple[int, str]]
RowRecord = Callable[[int, str, list[str]], Record | None]


def _is_binary(text: str) -> bool:
    """``base.binary`` with a fast path for the usual all-printable line."""
    if text.isprintable():
        return False
    return "\x00" in text or len(_CONTROL.findall(text, 0, 512)) > 8


def bad_line(number: int, text: str, reason: str) -> Record:
    if _is_binary(text):
        return Record(number, text, None, "binary data, not text")
    if len(text) > MAX_ROW_CHARS:
        return Record(
            number,
            text[:MAX_ROW_CHARS],
            None,
            f"row longer than {MAX_ROW_CHARS} characters ({len(text)})",
        )
    return Record(number, text, None, reason)


def refuse(lines: Lines, reason: str) -> Iterator[Record]:
    """Every row of a file that cannot be mapped, quarantined with the same reason."""
    for number, text in lines:
        if text.strip():
            yield bad_line(number, text, reason)


def records(lines: Lines, plan: Plan, header_text: str) -> Iterator[Record]:
    """The rows after the header, each a record or a quarantined line."""
    record = _row_record(plan, header_text)
    width = plan.width
    it: Lines = lines
    while True:
        for number, text in it:
            row: list[str] | None = None
            if len(text) > 1 and text[0] == '"' and text[-1] == '"':
                # Shadowserver's usual form: every value quoted, no quote inside a value
                row = text[1:-1].split('","')
                if text.count('"') != 2 * len(row):
                    row = None
            if row is None:
                if not text.strip():
                    continue
                text, row, failed, ahead = _csv_row(number, text, it, width)
                if failed is not None:
                    yield failed
                    if ahead is None:
                        continue
                    it = chain(ahead, it)
                    break
            found = record(number, text, row)
            if found is not None:
                yield found
        else:
            return


def _csv_row(
    number: int, text: str, lines: Lines, width: int
) -> tuple[str, list[str], Record | None, list[tuple[int, str]] | None]:
    """A line not in the usual form, through the csv module: the text (joined with the lines
    its quoted value runs over) and its values; or the quarantined line, with the lines read
    ahead to parse again when a quoted value never closed."""
    try:
        return text, next(csv.reader((text,), strict=True)), None, None
    except csv.Error as exc:
        if "unexpected end of data" not in str(exc):
            return text, [], bad_line(number, text, f"malformed CSV: {exc}"), None
    joined, row, ahead = _join(text, lines, width)
    if row is None:
        failed = bad_line(number, text, "malformed CSV: unterminated quoted field")
        return text, [], failed, ahead
    return joined, row, None, None


def _row_record(plan: Plan, header_text: str) -> RowRecord:
    """The record of one row split into values, or None for a repeated header."""
    width, names, plain_get = plan.width, plan.plain_names, plan.plain_get
    hooks = plan.hooks
    req_get, empty_required = getter(plan.required), _empty_required(plan)
    clean_of = _cleaner(plan)

    def record(number: int, text: str, row: list[str]) -> Record | None:
        if not text.isprintable() and _is_binary(text):
            return Record(number, text, None, "binary data, not text")
        if len(text) > MAX_ROW_CHARS:
            return bad_line(number, text, "")
        if len(row) != width:
            reason = f"expected {width} columns, found {len(row)} (truncated or shifted row)"
            return Record(number, text, None, reason)
        if text == header_text:
            return None  # a repeated header (reports joined together)
        if not all(req_get(row)):
            return Record(number, text, None, empty_required(row))
        fields = {n: v for n, v in zip(names, plain_get(row), strict=True) if v}
        clean = clean_of(row)
        for hook in hooks:
            hook(row, fields, clean)
        return Record(number, text, fields, clean=clean)

    return record


def _empty_required(plan: Plan) -> Callable[[list[str]], str]:
    """Why a row with an empty value in a required column cannot be an event."""
    required, required_names = plan.required, plan.required_names

    def reason(row: list[str]) -> str:
        found = zip(required_names, required, strict=True)
        return "empty value in required column(s): " + ", ".join(n for n, i in found if not row[i])

    return reason


def _cleaner(plan: Plan) -> Callable[[list[str]], dict[str, str]]:
    """The checked fields of a row: one memo lookup for its grouped values, then its singles."""
    group_get, singles, combine = plan.group_get, plan.singles, plan.combine
    memo: dict[tuple[str, ...], dict[str, str]] = {}

    def clean_of(row: list[str]) -> dict[str, str]:
        key = group_get(row)
        clean = memo.get(key)
        if clean is None:
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            clean = memo[key] = combine(key)
        if singles:
            clean = dict(clean)  # the memo's dict is shared between rows
            for i, derive in singles:
                if row[i]:
                    clean.update(derive(row[i]))
        return clean

    return clean_of


def _join(
    text: str, lines: Lines, width: int
) -> tuple[str, list[str] | None, list[tuple[int, str]]]:
    """A record whose quoted value spans lines: the joined text and its fields, if it closes
    within ``_MAX_JOIN`` lines with the header's width; and the lines read ahead."""
    ahead: list[tuple[int, str]] = []
    for item in lines:
        ahead.append(item)
        text = f"{text}\n{item[1]}"
        if len(ahead) > _MAX_JOIN or len(text) > MAX_ROW_CHARS:
            break
        try:
            row = next(csv.reader((text,), strict=True))
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                continue
            break
        return (text, row, ahead) if len(row) == width else (text, None, ahead)
    return text, None, ahead
