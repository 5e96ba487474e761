"""A notice is in its recipient's language throughout. Each language's vocabulary is every word
of its templates and catalogue; a notice rendered in one language, with every RSIT type, every
kind of reason and every attachment, holds no word that only another language uses — so no
phrase the code inserts comes from anywhere but the language's own catalogue."""

from __future__ import annotations

import email
import email.policy
import json
import re
from email.message import EmailMessage
from functools import cache
from importlib.resources import files

import pytest

from tocsin.model.notice import LANGUAGES, REASON_KINDS, Format, Reason
from tocsin.model.taxonomy import TYPE_TO_TAXONOMY
from tocsin.notify.catalogue import catalogue
from tocsin.notify.compose import Sender, compose

WORD = re.compile(r"[^\W\d_]{2,}")
JINJA = re.compile(r"{%.*?%}|{{.*?}}", re.DOTALL)
TEAM = "CSIRT Exemplum"
RECIPIENT = "Northwind Power"
ACK = "https://t.example/notices/7/ack/abc"
SENDER = Sender(TEAM, "cert@csirt.example", "csirt.example", "https://t.example")
# what the notices carry as data (names, identifiers, the advisory's own text), not as words
DATA = (
    TEAM,
    RECIPIENT,
    ACK,
    "TOCSIN-VU-2026-0001",
    "Routeur 4000",
    "Firmware 2.1",
    "P1",
    "Example Feed",
)
REASONS = [
    Reason("network", "198.51.100.0/25"),
    Reason("asn", "64500"),
    Reason("domain", "northwind.example"),
    Reason("other"),
]


@cache
def vocabulary(lang: str) -> frozenset[str]:
    """Every word a language's templates and catalogue hold (Jinja's own syntax excepted,
    the quoted words inside its expressions kept)."""
    folder = files("tocsin.notify") / "templates" / lang
    words: set[str] = set()
    for path in folder.iterdir():
        text = path.read_text("utf-8")
        if path.name.endswith(".toml"):
            text = "\n".join(v for v in re.findall(r'"([^"]*)"', text))
        else:
            quoted = re.findall(r'"([^"]*)"', " ".join(JINJA.findall(text)))
            text = JINJA.sub(" ", text) + " " + " ".join(quoted)
        words |= {w.lower() for w in WORD.findall(text)}
    return frozenset(words)


def foreign(lang: str) -> frozenset[str]:
    """The words of the other languages that this one never uses."""
    others = frozenset().union(*(vocabulary(o) for o in LANGUAGES if o != lang))
    return others - vocabulary(lang)


def events() -> list[dict[str, object]]:
    """One event of every RSIT type (and one without a type), as feeds give them."""
    kinds = [*TYPE_TO_TAXONOMY, None]
    return [
        {
            "classification.type": kind,
            "source.ip": f"198.51.100.{n}",
            "source.port": 443,
            "source.url": f"http://198.51.100.{n}/login",
            "protocol.transport": "tcp",
            "time.source": "2026-11-28T01:00:00+00:00",
            "feed.name": "Example Feed",
        }
        for n, kind in enumerate(kinds, 1)
    ]


def notice(lang: str, **more: object) -> dict[str, object]:
    return {
        "id": 7,
        "lang": lang,
        "recipient": RECIPIENT,
        "priority": "P1",
        "created": 1_795_830_000,
        "addresses": "soc@northwind.example",
        "message_id": "<n7@csirt.example>",
        **more,
    }


ADVISORY = json.dumps(
    {
        "document": {
            "title": "Routeur 4000",
            "tracking": {"id": "TOCSIN-VU-2026-0001"},
            "notes": [{"category": "summary", "text": "Firmware 2.1"}],
        }
    }
)


def read(raw: bytes) -> str:
    """The subject and the text of a notice, its data taken out."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    assert body is not None
    text = str(message["Subject"]) + "\n" + body.get_content()
    for value in DATA:
        text = text.replace(value, " ")
    return text


def rendered(lang: str) -> list[str]:
    """Every template of ``lang`` rendered: a notice of every type, reason and attachment, the
    same with no reason known, and an advisory."""
    formats = frozenset(Format)
    mails = [
        compose(notice(lang), events(), REASONS, formats, SENDER, ACK),
        compose(notice(lang), events()[:1], [], frozenset({Format.XARF}), SENDER, ACK),
        compose(notice(lang, document=ADVISORY), [], [], formats, SENDER, ACK),
    ]
    return [read(mail.as_bytes()) for mail in mails]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_notice_holds_no_word_of_another_language(lang: str) -> None:
    """Rendered with every type, reason and attachment, a notice holds none of the words only
    another language uses."""
    for text in rendered(lang):
        stray = sorted({w.lower() for w in WORD.findall(text)} & foreign(lang))
        assert stray == [], f"{lang} notice holds words of another language: {stray}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_xarf_reports_describe_events_in_the_notices_language(lang: str) -> None:
    """A XARF report of an event without a description of its own describes it in the
    notice's language (its type's title and its feed), never in another."""
    mail = compose(notice(lang), events(), REASONS, frozenset({Format.XARF}), SENDER, ACK)
    message = email.message_from_bytes(mail.as_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    reports = [json.loads(part.get_content()) for part in message.iter_attachments()]
    assert len(reports) == len(events())
    for report in reports:
        for key in ("description", "compromise_evidence"):
            text = str(report.get(key, ""))
            for value in DATA:
                text = text.replace(value, " ")
            stray = sorted({w.lower() for w in WORD.findall(text)} & foreign(lang))
            assert stray == [], f"{lang} XARF {key} holds words of another language: {stray}"


def test_the_vocabularies_tell_the_languages_apart() -> None:
    """The check above can fail: English's own sentence is foreign to French, and back."""
    assert {"registered", "you", "because"} <= foreign("fr")
    assert {"attribué", "vous", "parce"} <= foreign("en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_reason_and_type_has_its_words_in_each_catalogue(lang: str) -> None:
    """Each catalogue words every kind of reason and titles every RSIT type, and has the same
    keys as the English one."""
    words = catalogue(lang).words
    assert sorted(words["reasons"]) == sorted(REASON_KINDS)
    assert set(TYPE_TO_TAXONOMY) <= set(words["types"])
    english = catalogue("en").words
    assert {k: sorted(v) if isinstance(v, dict) else None for k, v in words.items()} == {
        k: sorted(v) if isinstance(v, dict) else None for k, v in english.items()
    }


def test_a_french_notice_says_why_in_french() -> None:
    """The reason a French notice quotes is the catalogue's French phrase with its network."""
    text = rendered("fr")[0]
    assert "parce que le réseau 198.51.100.0/25 vous est attribué ; l'AS64500" in text
    assert "== Hameçonnage (1) ==" in text
