"""Where a Tocsin-to-Tocsin message may go: an https base URL, or plain http to the loopback;
anything else is refused before a connection is tried."""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.assist.exchange_wire import Unreachable, inbox_url, tls_context
from tocsin.errors import ConfigError


def test_the_inbox_of_an_https_tocsin() -> None:
    assert inbox_url(" https://tocsin.ccb.be.example/ ") == (
        "https://tocsin.ccb.be.example/api/v1/assist/inbox"
    )
    assert inbox_url("http://127.0.0.1:8443").endswith(":8443/api/v1/assist/inbox")


@pytest.mark.parametrize(
    "base", ["http://tocsin.ccb.be.example", "http://192.0.2.7", "file:///etc/passwd", "https://"]
)
def test_plain_http_beyond_the_loopback_and_other_schemes_are_refused(base: str) -> None:
    with pytest.raises(Unreachable, match="https"):
        inbox_url(base)


def test_an_authorities_file_that_is_not_pem_is_a_clear_configuration_error(
    tmp_path: Path,
) -> None:
    wrong = tmp_path / "ca.pem"
    wrong.write_text("not a certificate\n")
    with pytest.raises(ConfigError, match="exchange_ca"):
        tls_context(str(wrong))
    assert tls_context().check_hostname  # and the host name is always checked
