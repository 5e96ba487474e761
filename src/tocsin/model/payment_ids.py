"""Two more things a victim types that the desk looks for: a phone number and a cryptocurrency
wallet's address, each in the one form the desk keeps (so that the same number or wallet typed
two ways is one indicator).

- A phone number in E.164: ``+``, the country code and the number, 15 digits at most; spaces,
  dots, dashes and brackets dropped (``+31 (0)20-555 0100`` is not E.164: the ``(0)`` is a
  national prefix, refused rather than guessed).
- A wallet by the forms of the addresses of Bitcoin and Litecoin (base58, or bech32 in lower
  case), Ethereum and the chains that share its addresses (``0x`` and 40 hexadecimal digits, in
  lower case), Tron and Monero (base58). Only the form is checked, not a checksum: what the
  victim typed is kept as an indicator even with a typo, and found again as typed.
"""

from __future__ import annotations

import re

_PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_BASE58 = "1-9A-HJ-NP-Za-km-z"
_WALLETS = (
    re.compile(rf"^[13][{_BASE58}]{{25,34}}$"),  # Bitcoin P2PKH, P2SH
    re.compile(rf"^[LM][{_BASE58}]{{26,33}}$"),  # Litecoin
    re.compile(rf"^T[{_BASE58}]{{33}}$"),  # Tron
    re.compile(rf"^[48][{_BASE58}]{{94}}$"),  # Monero
)
_BECH32 = re.compile(r"^(?:bc|tb|ltc)1[ac-hj-np-z02-9]{11,87}$")  # Bitcoin, Litecoin segwit
_ETHEREUM = re.compile(r"^0x[0-9a-f]{40}$")


def phone(value: object) -> str:
    """A phone number in E.164, without separators."""
    typed = str(value).strip()
    if "(0)" in typed.replace(" ", ""):
        raise ValueError("not an E.164 number: the (0) is a national prefix, leave it out")
    text = _PHONE_SEPARATORS.sub("", typed)
    if not _PHONE.match(text):
        raise ValueError("not an E.164 number: +, the country code and the number, 15 digits")
    return text


def wallet(value: object) -> str:
    """A wallet's address in its kept form (bech32 and Ethereum's in lower case)."""
    text = str(value).strip()
    lower = text.lower()
    if _BECH32.match(lower) or _ETHEREUM.match(lower):
        return lower
    if any(pattern.match(text) for pattern in _WALLETS):
        return text
    raise ValueError("not a wallet address (Bitcoin, Litecoin, Ethereum, Tron or Monero)")
