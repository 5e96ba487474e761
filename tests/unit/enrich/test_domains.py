"""Public suffix and registered domain, from the suffix list snapshot bundled with tldextract."""

from __future__ import annotations

import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.pipeline.enrich.domains import parents, split_domain


@pytest.mark.parametrize(
    ("fqdn", "suffix", "registered"),
    [
        ("example.com", "com", "example.com"),
        ("www.example.com", "com", "example.com"),
        ("a.b.example.co.uk", "co.uk", "example.co.uk"),
        ("gemeente.nl", "nl", "gemeente.nl"),
        ("xn--e1afmkfd.xn--p1ai", "xn--p1ai", "xn--e1afmkfd.xn--p1ai"),
        ("user.github.io", "io", "github.io"),
    ],
)
def test_split_domain_gives_suffix_and_registered_domain(
    fqdn: str, suffix: str, registered: str
) -> None:
    """ICANN suffixes, multi-label suffixes and punycode are split as the PSL says; private
    suffixes such as github.io are not used."""
    assert split_domain(fqdn) == (suffix, registered)


def test_a_public_suffix_itself_has_no_registered_domain() -> None:
    """A name that is only a public suffix has a suffix but nothing registered under it."""
    assert split_domain("co.uk") == ("co.uk", None)


@pytest.mark.parametrize("fqdn", ["moh.example", "localhost", "printer.lan", "example"])
def test_a_name_under_no_public_suffix_gives_none(fqdn: str) -> None:
    """Reserved and private top-level names have neither suffix nor registered domain."""
    assert split_domain(fqdn) == (None, None)


def test_split_domain_never_touches_the_network_or_a_cache(tmp_path: Path) -> None:
    """In a fresh interpreter whose sockets all fail, splitting still works and writes no cache."""
    script = """
import socket

attempts = []

def refuse(*args, **kwargs):
    attempts.append(args)
    raise OSError("network used")

socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from tocsin.pipeline.enrich.domains import split_domain

print(split_domain("www.example.co.uk"), len(attempts))
"""
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TLDEXTRACT_CACHE": str(tmp_path / "tldextract"),
    }
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "('co.uk', 'example.co.uk') 0"
    assert list(tmp_path.iterdir()) == []


def test_parents_lists_the_name_then_each_parent() -> None:
    """a.b.example gives a.b.example, b.example and example, most specific first."""
    assert parents("a.b.example") == ["a.b.example", "b.example", "example"]
    assert parents("example") == ["example"]


LABEL = st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True)
SUFFIXES = st.sampled_from(["com", "nl", "co.uk", "xn--p1ai", "gov.uk", "example", "lan"])


@given(labels=st.lists(LABEL, min_size=1, max_size=5))
def test_parents_are_ever_shorter_dot_suffixes(labels: list[str]) -> None:
    """Each parent is the previous name without its first label, down to the last label."""
    fqdn = ".".join(labels)
    found = parents(fqdn)
    assert len(found) == len(labels)
    assert found[0] == fqdn
    assert found[-1] == labels[-1]
    for longer, shorter in pairwise(found):
        assert longer.endswith("." + shorter)


@given(labels=st.lists(LABEL, min_size=1, max_size=4), suffix=SUFFIXES)
def test_a_registered_domain_ends_the_name_and_is_one_label_above_the_suffix(
    labels: list[str], suffix: str
) -> None:
    """When the PSL knows the suffix, the registered domain is the name's last label before it
    plus the suffix, and the name is that domain or a subdomain of it."""
    fqdn = ".".join([*labels, suffix])
    found_suffix, registered = split_domain(fqdn)
    if found_suffix is None:
        assert registered is None
        return
    assert fqdn == found_suffix or fqdn.endswith("." + found_suffix)
    if registered is not None:
        assert registered.endswith("." + found_suffix)
        assert registered.count(".") == found_suffix.count(".") + 1
        assert fqdn == registered or fqdn.endswith("." + registered)
