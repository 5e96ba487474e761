"""The words a notice takes from code rather than from its templates, in each language: the
subjects, why the notice reaches its recipient, the list separator, the title of each RSIT
type and the description of a XARF report whose event has none
(``templates/<lang>/catalogue.toml``). So a French notice is French throughout: nothing the
code inserts comes from another language."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from tocsin.model.notice import LANGUAGES, Reason


@dataclass(frozen=True, slots=True)
class Catalogue:
    """One language's words for a notice."""

    lang: str
    words: Mapping[str, Any]

    def subject(self, *, team: str, priority: str, count: int, id: int) -> str:
        return str(self.words["subject"]).format(team=team, priority=priority, count=count, id=id)

    def advisory_subject(self, *, team: str, advisory_id: str, title: str) -> str:
        template = str(self.words["advisory_subject"])
        return template.format(team=team, advisory_id=advisory_id, title=title)

    def reasons(self, reasons: Iterable[Reason]) -> str:
        """The reasons as one phrase, or the catalogue's "it concerns you" when there are none."""
        said = [self.reason(r) for r in reasons] or [self.reason(Reason("other"))]
        return str(self.words["separator"]).join(said)

    def reason(self, why: Reason) -> str:
        phrases = self.words["reasons"]
        return str(phrases.get(why.kind, phrases["other"])).format(subject=why.subject)

    def report_summary(self, event: Mapping[str, Any]) -> str:
        """What a XARF report says of an event that has no description: its type and feed."""
        feed = event.get("feed.name") or self.words["unnamed_feed"]
        what = self.type_title(str(event.get("classification.type")))
        return str(self.words["report_summary"]).format(what=what, feed=feed)

    def type_title(self, kind: str) -> str:
        """The RSIT type's title in this language; an unknown type is "undetermined"."""
        titles = self.words["types"]
        return str(titles.get(kind, titles["undetermined"]))


@functools.cache
def catalogue(lang: str) -> Catalogue:
    """The catalogue of ``lang``, or the English one for a language notices are not written in."""
    lang = lang if lang in LANGUAGES else "en"
    text = (files("tocsin.notify") / "templates" / lang / "catalogue.toml").read_text("utf-8")
    return Catalogue(lang, tomllib.loads(text))
