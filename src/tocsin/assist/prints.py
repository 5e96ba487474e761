"""A request for assistance printed in the T-CY layout (``formats.tcy``) for a person who may see
it, in the language asked for (else the counterpart's, else English); each print is in the audit
log, since it carries the request out of Tocsin."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tocsin.assist.access import visible
from tocsin.assist.record import AssistRecord
from tocsin.errors import InvalidValue
from tocsin.formats import tcy
from tocsin.model.assist.request import Request
from tocsin.model.people import Principal

KINDS = ("pdf", "html")


@dataclass(frozen=True, slots=True)
class Printed:
    request: Request
    kind: str  # "pdf" | "html"
    language: str  # the label table used
    content: bytes

    @property
    def filename(self) -> str:
        return f"{self.request.ref.lower()}-{self.language}.{self.kind}"


class Prints(AssistRecord):
    """The printed forms of requests."""

    def printed(
        self,
        who: Principal,
        request_id: int,
        *,
        ours: Mapping[str, str],
        kind: str = "pdf",
        language: str = "",
    ) -> Printed:
        if kind not in KINDS:
            raise InvalidValue("format", kind, "pdf or html")
        asked = str(language or "").strip().lower()
        if asked and asked not in tcy.languages():
            raise InvalidValue("lang", language, "one of " + ", ".join(tcy.languages()))
        request = visible(who, self.assist.request(request_id))
        contact = self.assist.contact(request.counterpart_id) if request.counterpart_id else None
        chosen = tcy.choose_language(contact, asked)
        content = tcy.print_request(
            request, contact, ours, chosen, "pdf" if kind == "pdf" else "html"
        )
        with self.store.transaction() as conn:
            self._audit(conn, who, request, "assist.print", {"format": kind, "language": chosen})
        return Printed(request, kind, chosen, content)


__all__ = ["KINDS", "Printed", "Prints"]
