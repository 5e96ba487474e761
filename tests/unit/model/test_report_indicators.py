"""What a victim typed becomes an indicator when it names something the desk can look for: a
URL, a domain, an address, an e-mail address, a phone number or a wallet in the answers that may
name one."""

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
        {"paid_to": "IBAN NL91 ABNA 0417 1643 00"},
        {"offender": "+31 (0)20 555 0100"},  # a national prefix: not E.164, not guessed
        {"site": ["a", "list"]},
    ):
        assert indicators_of(answers) == []  # type: ignore[arg-type]


def test_where_the_money_went_and_the_offender_s_number_become_indicators() -> None:
    found = indicators_of(
        {"paid_to": "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", "offender": "+31 20 555 0100"}
    )
    assert found == [
        (IndicatorKind.PHONE, "+31205550100"),
        (IndicatorKind.WALLET, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
    ]
    assert indicators_of({"paid_to": "0xAbC0000000000000000000000000000000000dEf"}) == [
        (IndicatorKind.WALLET, "0xabc0000000000000000000000000000000000def")
    ]
