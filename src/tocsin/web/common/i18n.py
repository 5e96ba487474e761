"""The portal's languages: gettext catalogues (``locale/<lang>/LC_MESSAGES/messages.po``, made and
updated with Babel), compiled in memory when first asked for. The one template environment
(``rendering``) translates with the catalogue of the page's ``lang``.

English is the source language: its text is the msgid itself. A language is picked, in order,
from the form or the ``lang`` query parameter, then the ``Accept-Language`` header, then English.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources

from babel.core import Locale, UnknownLocaleError, negotiate_locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import pass_context
from jinja2.runtime import Context


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    name: str  # in the language itself, as the picker shows it
    rtl: bool = False

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English"),
        Language("fr", "Français"),
        Language("es", "Español"),
        Language("ar", "العربية", rtl=True),
    )
}
SOURCE = "en"
DOMAIN = "messages"


def locale_dir() -> resources.abc.Traversable:
    return resources.files("tocsin.web").joinpath("portal", "locale")


def catalogue_path(code: str) -> resources.abc.Traversable:
    return locale_dir().joinpath(code, "LC_MESSAGES", f"{DOMAIN}.po")


@cache
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``code`` (fuzzy entries left out); English needs none."""
    if code == SOURCE:
        return gettext.NullTranslations()
    with catalogue_path(code).open("rb") as po:
        catalog = read_po(po, locale=code, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def pick(asked: str | None, accept_language: str | None) -> Language:
    """The language asked for, else the best of Accept-Language, else English."""
    if asked and asked in LANGUAGES:
        return LANGUAGES[asked]
    preferred = []
    for part in (accept_language or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if tag and weight > 0:
            preferred.append((weight, tag.strip()))
    ordered = [tag for _, tag in sorted(preferred, key=lambda p: -p[0])]
    found = negotiate_locale([t.replace("-", "_") for t in ordered], list(LANGUAGES), sep="_")
    if found is None:  # "fr-CA" has no exact match: its language alone
        for tag in ordered:
            try:
                base = Locale.parse(tag, sep="-").language
            except (ValueError, UnknownLocaleError):
                continue
            if base in LANGUAGES:
                return LANGUAGES[base]
    return LANGUAGES.get(found or SOURCE, LANGUAGES[SOURCE])


def language_of(context: Context) -> str:
    """The language a page renders in: its ``lang``, else English (the console's pages)."""
    lang = context.get("lang")
    return lang.code if isinstance(lang, Language) else SOURCE


# The template environment's gettext, in the language of the page being rendered.


@pass_context
def translate(context: Context, message: str) -> str:
    return translations(language_of(context)).gettext(message)


@pass_context
def translate_plural(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(language_of(context)).ngettext(singular, plural, n)


@pass_context
def translate_in_context(context: Context, meaning: str, message: str) -> str:
    return translations(language_of(context)).pgettext(meaning, message)


@pass_context
def translate_plural_in_context(
    context: Context, meaning: str, singular: str, plural: str, n: int
) -> str:
    return translations(language_of(context)).npgettext(meaning, singular, plural, n)


@pass_context
def when(context: Context, at: int) -> str:
    """The ``when`` filter: a time in the page's language."""
    return moment(at, language_of(context))


def moment(at: int, code: str) -> str:
    """A time in the reader's language, in UTC and saying so."""
    when = datetime.fromtimestamp(at, tz=UTC)
    return f"{format_datetime(when, 'medium', locale=code)} (UTC)"


def N_(message: str) -> str:
    """Marks a string for the catalogues; it is translated where it is shown."""
    return message
