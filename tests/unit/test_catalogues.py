"""The portal's words are all in its catalogues: every string marked in the code and templates is
in the template (``messages.pot``), and every language has a translation of each, with the same
placeholders. A new or changed string fails here until ``make i18n`` and a translator have run."""

from __future__ import annotations

import re
from configparser import ConfigParser
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from tocsin.web.common.i18n import LANGUAGES, SOURCE, translations
from tocsin.web.common.rendering import PORTAL

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "tocsin" / "web" / "portal" / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)s")
TRANSLATED = sorted(code for code in LANGUAGES if code != SOURCE)


@cache
def marked_strings() -> frozenset[str]:
    """What `make i18n` extracts, read with the same babel.cfg."""
    config = ConfigParser()
    config.read(ROOT / "babel.cfg", encoding="utf-8")
    method_map = []
    options_map = {}
    for section in config.sections():
        method, _, pattern = section.partition(":")
        method_map.append((pattern.strip(), method.strip()))
        options_map[pattern.strip()] = dict(config.items(section))
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=keywords,
        comment_tags=(),
        directory_filter=lambda path: Path(path).relative_to(ROOT).parts[0] == "src",
    )
    return frozenset(m if isinstance(m, str) else m[0] for _, _, m, *_ in found)


def catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def test_the_template_holds_every_marked_string() -> None:
    """Every string marked in the portal's code and templates is in messages.pot, and nothing
    else is (run `make i18n` after changing the words)."""
    marked = marked_strings()
    template = {m.id for m in catalogue(LOCALE / "messages.pot") if m.id}
    assert marked, "nothing was extracted: babel.cfg no longer matches the sources"
    assert sorted(marked - template) == [], "marked but not in messages.pot: run make i18n"
    assert sorted(template - marked) == [], "in messages.pot but no longer marked: run make i18n"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_string_has_a_translation(code: str) -> None:
    """Each language translates every marked string: none missing, none left fuzzy."""
    marked = marked_strings()
    found = catalogue(LOCALE / code / "LC_MESSAGES" / "messages.po", code)
    done = {m.id for m in found if m.id and m.string and not m.fuzzy}
    assert sorted(marked - done) == [], f"{code}: untranslated or fuzzy"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_placeholders(code: str) -> None:
    """A translation carries the same %(name)s placeholders as its English text, and no stray %."""
    found = catalogue(LOCALE / code / "LC_MESSAGES" / "messages.po", code)
    wrong = []
    for message in found:
        if not message.id or not message.string:
            continue
        text = str(message.string)
        same = sorted(PLACEHOLDER.findall(str(message.id))) == sorted(PLACEHOLDER.findall(text))
        if not same or "%" in PLACEHOLDER.sub("", text):
            wrong.append(message.id)
    assert wrong == [], f"{code}: placeholders differ"


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_page_renders_in_the_language(code: str) -> None:
    """The compiled catalogue is the one pages use: a known string comes out translated."""
    english = "Stop the harm now"
    assert translations(code).gettext(english) != english
    page = PORTAL.from_string("{{ _('What happened?') }}").render(lang=LANGUAGES[code])
    assert page and page != "What happened?"
