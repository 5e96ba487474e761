"""Playbooks as data: Tocsin's own file is read and checked; a file breaking a rule is refused
whole, naming where and which rule; the playbooks for an incident's type come first."""

from __future__ import annotations

import pytest

from tocsin.cases.playbooks import load, offered, parse
from tocsin.errors import ConfigError
from tocsin.model.limits import LIMITS


def test_tocsins_own_playbooks_are_read_and_checked() -> None:
    books = load()
    assert {"phishing", "ransomware", "ddos", "account", "data-leak"} <= set(books)
    for book in books.values():
        assert book.tasks and all(len(t) <= LIMITS["incident.task"] for t in book.tasks)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[[playbook]]\nname = "x"\ntitle = "X"\ntypes = ["nope"]\ntasks = ["a"]', "RSIT types"),
        ('[[playbook]]\nname = "x"\ntitle = "X"\ntasks = []', "list of texts"),
        (f'[[playbook]]\nname = "x"\ntitle = "X"\ntasks = ["{"a" * 501}"]', "1 to 500"),
        ('[[playbook]]\ntitle = "X"\ntasks = ["a"]', "name and a title"),
        (
            '[[playbook]]\nname = "x"\ntitle = "X"\ntasks = ["a"]\n' * 2,
            "named twice",
        ),
        ("title = 1", "no [[playbook]]"),
        ("[[playbook", "not TOML"),
    ],
)
def test_a_wrong_file_is_refused_naming_the_rule(text: str, says: str) -> None:
    with pytest.raises(ConfigError, match=r"mine\.toml") as refused:
        parse(text, "mine.toml")
    assert says in str(refused.value)


def test_the_playbooks_for_the_type_come_first() -> None:
    books = load()
    assert offered(books, "phishing")[0].name == "phishing"
    assert offered(books, "ddos")[0].name == "ddos"
    assert len(offered(books, "other")) == len(books)
