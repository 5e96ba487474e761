"""What every feed parser is: input text in, one ``Record`` per row out, errors as data.

Like IntelMQ's ParserBot: a parser splits a report into rows and maps each row to harmonized field
names (values may still be raw text: the normalise stage validates them). A row that cannot be
mapped becomes a ``Record`` with an ``error`` and its raw text, so it is quarantined, never dropped.
Comment lines, blank lines and header lines are not rows.

One module past 400 lines on purpose: the row and header rules every parser shares (comments,
headers, a line that is not text) are one contract; each feed's mapping lives in its own module.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import orjson

from tocsin.errors import InputUnreadable

MAX_ROW_CHARS = 65_536
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
csv.field_size_limit(MAX_ROW_CHARS * 2)


@dataclass(slots=True)
class Record:
    """One input row: where it was, its text, and its fields or the reason it has none.

    ``fields`` hold values as found (the normalise stage validates them). A parser that has
    already passed some values through their fields' sanitisers (say, once per distinct value)
    may hand them over in ``clean``: the normalise stage takes those as they are.
    """

    line: int
    raw: str
    fields: dict[str, Any] | None
    error: str | None = None
    clean: dict[str, Any] | None = None


class Source:
    """An input file, streamed line by line (a 10 GB report never sits in memory whole).

    UTF-8 is expected; a line that is not valid UTF-8 is decoded as Latin-1 (the usual culprit),
    so its row is kept rather than lost. A line with NUL bytes is binary garbage: ``binary(text)``.

    A source may be one part of a file: the bytes ``[start, end)`` (cut at line boundaries), after
    the file's first ``preamble`` lines (its header), so that two processes can parse one large
    report at once. Line numbers always count from the start of the whole file. ``position`` tells
    how many bytes of the part have been read, for progress bars.
    """

    def __init__(
        self,
        path: str | Path,
        data: bytes | None = None,
        *,
        start: int = 0,
        end: int | None = None,
        preamble: int = 0,
    ) -> None:
        self.path = str(path)
        self._data = data
        if data is None:
            try:
                size = os.stat(path).st_size
                with open(path, "rb"):
                    pass
            except OSError as exc:
                raise InputUnreadable(f"{path}: {exc.strerror or exc}") from None
        else:
            size = len(data)
        self.start = start
        self.end = size if end is None else end
        self.preamble = preamble
        self.position = 0

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def size(self) -> int:
        return self.end - self.start

    @property
    def data(self) -> bytes:
        """The whole input (for whole-document formats such as JSON arrays)."""
        if self._data is None:
            try:
                self._data = Path(self.path).read_bytes()
            except OSError as exc:
                raise InputUnreadable(f"{self.path}: {exc.strerror or exc}") from None
        return self._data

    def head(self, size: int = 4096) -> bytes:
        """The first bytes of the input, to sniff its format."""
        if self._data is not None:
            return self._data[:size]
        with self._open() as handle:
            return handle.read(size)

    def text(self) -> str:
        """The whole input as text (for JSON documents)."""
        self.position = self.size
        try:
            return self.data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return self.data.decode("latin-1")

    def _open(self) -> BinaryIO:
        if self._data is not None:
            return io.BytesIO(self._data)
        try:
            return open(self.path, "rb")
        except OSError as exc:
            raise InputUnreadable(f"{self.path}: {exc.strerror or exc}") from None

    def lines(self) -> Iterator[tuple[int, str]]:
        """``(line number, text)`` for every physical line, without its line ending."""
        with self._open() as handle:
            number = 0
            for number in range(1, self.preamble + 1):
                raw = handle.readline()
                if not raw:
                    return
                yield number, _decode(raw, number == 1)
            if self.start > handle.tell():
                number = _count_lines(handle, self.start)
            remaining = self.end - self.start
            for raw in handle:
                if remaining <= 0:
                    break
                remaining -= len(raw)
                self.position += len(raw)
                number += 1
                yield number, _decode(raw, number == 1)


def _decode(raw: bytes, first: bool) -> str:
    if first and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    raw = raw.rstrip(b"\r\n")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _count_lines(handle: BinaryIO, upto: int) -> int:
    """Count the lines before byte ``upto`` and leave the handle there."""
    handle.seek(0)
    count = 0
    left = upto
    while left > 0:
        block = handle.read(min(left, 1 << 20))
        if not block:
            break
        count += block.count(b"\n")
        left -= len(block)
    handle.seek(upto)
    return count


def split_points(path: str | Path, parts: int, preamble: int) -> list[tuple[int, int]]:
    """Byte ranges ``[start, end)`` that cut a file's data lines (after its preamble) into
    ``parts`` pieces of about equal size, each starting at a line boundary."""
    with open(path, "rb") as handle:
        for _ in range(preamble):
            handle.readline()
        first = handle.tell()
        size = os.fstat(handle.fileno()).st_size
        cuts = [first]
        for i in range(1, parts):
            target = first + (size - first) * i // parts
            if target <= cuts[-1]:
                continue
            handle.seek(target - 1)
            handle.readline()  # to the end of the line that holds the target
            position = handle.tell()
            if cuts[-1] < position < size:
                cuts.append(position)
        cuts.append(size)
    return list(pairwise(cuts))


def binary(text: str) -> bool:
    """True when a line is not text at all (NUL bytes or mostly control characters)."""
    if text.isprintable():
        return False
    if "\x00" in text:
        return True
    controls = sum(1 for ch in text[:512] if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    return controls > 8


def unusable(number: int, text: str) -> Record | None:
    """The quarantined record of a line that is binary or too long to be a row, else None."""
    if binary(text):
        return Record(number, text, None, "binary data, not text")
    reason = too_long(text)
    if reason:
        return Record(number, text[:MAX_ROW_CHARS], None, reason)
    return None


def too_long(text: str) -> str | None:
    if len(text) > MAX_ROW_CHARS:
        return f"row longer than {MAX_ROW_CHARS} characters ({len(text)})"
    return None


class Parser:
    """Base of every feed parser. Subclasses set the class attributes and implement ``parse``."""

    name: ClassVar[str]
    help: ClassVar[str]
    provider: ClassVar[str] = ""
    default_type: ClassVar[str | None] = None
    default_tlp: ClassVar[str] = "AMBER"
    documentation: ClassVar[str] = ""
    # Header lines before the data rows when any run of data lines can be parsed on its own,
    # given those lines: such a file may be split between processes. None: never split.
    split_preamble: ClassVar[int | None] = None

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.options: Mapping[str, Any] = options or {}

    def parse(self, source: Source) -> Iterator[Record]:
        raise NotImplementedError


RowMapper = Callable[[dict[str, str]], dict[str, Any]]


def csv_records(
    source: Source,
    mapper: RowMapper,
    *,
    required: tuple[str, ...] = (),
    header: list[str] | None = None,
    comment: str | None = None,
    commented_header: bool = False,
    delimiter: str = ",",
    lowercase_header: bool = True,
    skipinitialspace: bool = False,
) -> Iterator[Record]:
    """Rows of a CSV input, mapped by header names (never by position).

    ``header`` gives the column names when the file has none. ``comment`` marks lines to skip;
    with ``commented_header`` the last comment line that looks like a header names the columns
    (abuse.ch's ``# id,dateadded,...``). A row with the wrong number of columns, an unterminated
    quote, a missing required column or a mapper error is quarantined with the reason.
    """
    rows = _CsvRows(mapper, required, delimiter, lowercase_header, skipinitialspace)
    if header:
        rows.name_columns(header)
    for number, text in source.lines():
        if not text.strip():
            continue
        if comment and text.lstrip().startswith(comment):
            if commented_header and delimiter in text:
                failed = rows.commented_header(number, text.lstrip()[len(comment) :].strip())
                if failed is not None:
                    yield failed
            continue
        record = rows.record(number, text)
        if record is not None:
            yield record


class _CsvRows:
    """The rows of one CSV input: its column names once known, and each line's record."""

    def __init__(
        self,
        mapper: RowMapper,
        required: tuple[str, ...],
        delimiter: str,
        lowercase: bool,
        skipinitialspace: bool,
    ) -> None:
        self.mapper = mapper
        self.required = required
        self.delimiter = delimiter
        self.lowercase = lowercase
        self.skipinitialspace = skipinitialspace
        self.columns: list[str] = []
        self.missing: list[str] = []
        self.unnamed: str | None = None  # why rows have no column names (an unreadable header)

    def name_columns(self, cells: list[str]) -> None:
        """The columns from a header's cells, and the required ones it lacks."""
        self.columns = [c.strip().lower() if self.lowercase else c.strip() for c in cells]
        self.missing = [c for c in self.required if c not in self.columns]

    def commented_header(self, number: int, text: str) -> Record | None:
        """Name the columns from a comment line's text (control characters, such as a stray
        CR, are no part of a column's name); if it is no CSV at all, the quarantined record of
        that line, and every row until the next header is quarantined with the reason."""
        bad = unusable(number, text)
        if bad is None:
            try:
                kept = _CONTROLS.sub(lambda m: m[0] if m[0] == self.delimiter else "", text)
                cells = next(csv.reader((kept,), delimiter=self.delimiter))
            except (csv.Error, StopIteration) as exc:
                bad = Record(number, text, None, f"header line is not valid CSV: {exc}")
            else:
                self.name_columns(cells)
                self.unnamed = None
                return None
        self.columns = []
        self.unnamed = f"the header line {number} is unreadable ({bad.error})"
        return bad

    def record(self, number: int, text: str) -> Record | None:
        """One line's record; None for the line that names the columns."""
        bad = unusable(number, text)
        if bad is not None:
            return bad
        if self.unnamed is not None:
            return Record(number, text, None, self.unnamed)
        try:
            row = next(
                csv.reader(
                    (text,),
                    delimiter=self.delimiter,
                    skipinitialspace=self.skipinitialspace,
                    strict=True,
                )
            )
        except csv.Error as exc:
            return Record(number, text, None, f"malformed CSV: {exc}")
        if not self.columns:
            self.name_columns(row)
            return None
        return self._mapped(number, text, row)

    def _mapped(self, number: int, text: str, row: list[str]) -> Record:
        if self.missing:
            return Record(number, text, None, "missing column(s): " + ", ".join(self.missing))
        width = len(self.columns)
        if len(row) != width:
            reason = f"expected {width} columns, found {len(row)} (truncated or shifted row)"
            return Record(number, text, None, reason)
        try:
            fields = self.mapper(dict(zip(self.columns, row, strict=True)))
        except Exception as exc:  # a mapper failing on one row fails that row only
            return Record(number, text, None, _reason(exc))
        return Record(number, text, fields)


LineMapper = Callable[[str], dict[str, Any]]


def line_records(
    source: Source, mapper: LineMapper, *, comments: tuple[str, ...] = ("#",)
) -> Iterator[Record]:
    """Rows of a plain list (one item per line); blank and comment lines are skipped."""
    for number, text in source.lines():
        stripped = text.strip()
        if not stripped or stripped.startswith(comments):
            continue
        bad = unusable(number, text)
        if bad is not None:
            yield bad
            continue
        try:
            fields = mapper(stripped)
        except Exception as exc:  # a mapper failing on one row fails that row only
            yield Record(number, text, None, _reason(exc))
            continue
        yield Record(number, text, fields)


def json_kind(value: Any) -> str:
    """What a JSON value is, in words: ``an object``, ``a string``, ``null``, ..."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"


def json_document(source: Source, preview: int) -> tuple[Any, Record | None]:
    """The whole input as one JSON document, or a record to quarantine saying why it is not one
    (with the first ``preview`` characters of the input as its raw text)."""
    text = source.text()
    try:
        return orjson.loads(text), None
    except orjson.JSONDecodeError as exc:
        return None, Record(1, text[:preview], None, f"not valid JSON: {exc}")


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing value: {exc.args[0]}"
    if isinstance(exc, ValueError):
        return str(exc) or type(exc).__name__
    return f"cannot map this row: {type(exc).__name__}: {exc}"
