"""What a victim typed becomes an indicator when it names something the desk can look for: a
URL, a domain, an address or an e-mail address in the answers that may name one."""

from __future__ import annotations

from tocsin.model.incident import IndicatorKind
from tocsin.model.report_indicators import indicators_of


def test_a_site_a_contact_and_an_offender_become_indicators() -> None:
    found = indicators_of(
        {
            "site": "https://Bank-Login.example/verify",
            "ransom_contact": "Recover@Extortion.example",
            "offender": "198.51.100.7",
            "narrative": "See https://other.example: not read, a free text",
        }
    )
    assert found == [
        (IndicatorKind.URL, "https://bank-login.example/verify"),
        (IndicatorKind.EMAIL, "recover@extortion.example"),
        (IndicatorKind.IP, "198.51.100.7"),
    ]


def test_what_names_nothing_the_desk_can_look_for_stays_an_answer() -> None:
    assert indicators_of({"site": "bank-login.example"}) == [
        (IndicatorKind.FQDN, "bank-login.example")
    ]
    for answers in (
        {"site": "my bank"},
        {"offender": "a man on a chat app"},
        {"offender": "localhost"},
        {"ransom_contact": "not@an address"},
        {"paid_to": "bc1qexampleexample0000"},
        {"site": ["a", "list"]},
    ):
        assert indicators_of(answers) == []  # type: ignore[arg-type]
