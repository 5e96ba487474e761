"""Phone numbers and wallets as indicators (model.payment_ids): one kept form for each, what is
not one refused with the reason."""

from __future__ import annotations

import pytest

from tocsin.model.incident import IndicatorKind, indicator
from tocsin.model.payment_ids import phone, wallet


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("+31 20 555 0100", "+31205550100"),
        ("+1 (212) 555-0100", "+12125550100"),
        ("+33.1.23.45.67.89", "+33123456789"),
    ],
)
def test_a_phone_number_is_kept_in_e164(typed: str, kept: str) -> None:
    assert phone(typed) == kept


@pytest.mark.parametrize(
    "typed", ["020 555 0100", "+0123456789", "+1234", "+1234567890123456", "+31 20 CALL"]
)
def test_what_is_not_e164_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match=r"E\.164"):
        phone(typed)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
        (
            "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        ),
        (
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "0x52908400098527886e0f7030069857d2e4169ee7",
        ),
        ("TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL", "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL"),
    ],
)
def test_a_wallet_is_kept_in_its_form(typed: str, kept: str) -> None:
    assert wallet(typed) == kept
    assert indicator("wallet", typed) == (IndicatorKind.WALLET, kept)


@pytest.mark.parametrize(
    "typed",
    ["0OIl" * 9, "bc1b" + "q" * 20, "0x1234", "my bitcoin", "1" * 40, ""],
)
def test_what_is_not_a_wallet_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="wallet"):
        wallet(typed)
