"""The one helper every value the command line prints goes through."""

from __future__ import annotations

import pytest

from tocsin.cli.common import shown


@pytest.mark.parametrize(
    ("value", "lines", "printed"),
    [
        (
            "markup[/x] [bold]loud \x1b[31mRED\x1b]0;PWNED\x07\x1b[2J\x9b1m end",
            False,
            "markup[/x] [bold]loud RED end",
        ),
        ("a\tb\nc\r\nd", False, "a b c d"),
        ("a\tb\nc\r\nd", True, "a b\nc\nd"),
        ("\x1bP1;2|secret\x1b\\ok \x90dcs\x9cdone", False, "ok done"),
        ("txt\u202egnp\u2066", False, "txtgnp"),
        ("\x00\x07\x08\x7f\x85", False, ""),
        (None, False, ""),
        (42, False, "42"),
    ],
)
def test_shown_is_plain_text_without_controls(value: object, lines: bool, printed: str) -> None:
    """The one helper every printed value goes through: text, never markup, no controls."""
    text = shown(value, lines=lines)
    assert text.plain == printed
    assert not text.spans
