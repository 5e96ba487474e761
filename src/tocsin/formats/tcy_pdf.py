"""A printed request for assistance (``tocsin.formats.tcy.Form``) as a PDF, drawn with fpdf2.

Real text, never images: ``pdftotext`` reads every word back. The TLP marking heads and foots
every page (FIRST's TLP 2.0: the colour's word on black); the footer also carries the form's notes
(a language printed in English for want of a label table) and the page number. The fonts are the
PDF core fonts (Helvetica), which cover Latin-1: English, French, German, Spanish… A letter outside
Latin-1 (in a value someone typed) is printed as ``?`` and a note says the HTML form shows it.
The PDF's creation date is the request's date, never the wall clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

if TYPE_CHECKING:
    from tocsin.formats.tcy import Form, Line, Section

_FONT = "Helvetica"
_LABEL = 58  # mm: the labels' column
# Typographic letters outside Latin-1 that have a plain equivalent.
_PLAIN = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "\u202f": " ",  # narrow no-break space (French punctuation)
        "€": "EUR",
    }
)
# The TLP 2.0 colours (FIRST), as RGB: the label is printed in its colour on black.
_COLOURS = {
    "TLP:RED": (255, 43, 43),
    "TLP:AMBER+STRICT": (255, 192, 0),
    "TLP:AMBER": (255, 192, 0),
    "TLP:GREEN": (51, 255, 0),
    "TLP:CLEAR": (255, 255, 255),
}


def latin1(text: str) -> str:
    """The text in the core fonts' Latin-1: typographic letters made plain, others ``?``."""
    return text.translate(_PLAIN).encode("latin-1", errors="replace").decode("latin-1")


def _outside(printed: Form) -> bool:
    """Whether some text of the form has a letter the core fonts lack."""
    texts = [printed.title, *printed.banners, *printed.notes]
    lines = list(printed.justification)
    for section in printed.sections:
        texts.append(section.title)
        lines += section.lines
    texts += [text for line in lines for text in (line.label, line.value)]
    return any(latin1(text) != text.translate(_PLAIN) for text in texts)


class _Document(FPDF):
    def __init__(self, printed: Form, notes: tuple[str, ...]) -> None:
        super().__init__(format="A4")
        self.printed = printed
        self.notes = notes
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=22 + 4 * len(notes))
        self.set_title(latin1(printed.title))
        self.set_subject(latin1(f"{printed.ref} {printed.tlp}"))
        self.set_creator("Tocsin")
        self.set_lang(printed.language)
        self.set_creation_date(printed.date)

    def _marking(self) -> None:
        label = self.printed.tlp
        self.set_font(_FONT, "B", 9)
        self.set_fill_color(0, 0, 0)
        self.set_text_color(*_COLOURS.get(label, (255, 255, 255)))
        width = self.get_string_width(label) + 4
        self.set_x(self.w - self.r_margin - width)
        self.cell(width, 5, label, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)

    def header(self) -> None:
        self.set_y(8)
        self._marking()
        self.set_font(_FONT, "", 8)
        self.cell(0, 4, latin1(self.printed.ref), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(max(self.get_y(), self.t_margin))

    def footer(self) -> None:
        self.set_y(-(16 + 4 * len(self.notes)))
        self.set_font(_FONT, "I", 7)
        for note in self.notes:
            self.multi_cell(0, 4, latin1(note), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(_FONT, "", 8)
        page = self.printed.page.format(page=self.page_no(), pages="{nb}")
        self.cell(0, 5, latin1(page), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._marking()

    def write_text(self, size: float, style: str, text: str, height: float = 5) -> None:
        self.set_font(_FONT, style, size)
        self.multi_cell(0, height, latin1(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def section(self, section: Section) -> None:
        self.ln(2)
        self.write_text(11, "B", f"{section.number}. {section.title}", 6)
        self.lines(section.lines)

    def lines(self, lines: tuple[Line, ...]) -> None:
        for line in lines:
            if line.label:
                self.row(line.label, line.value or "-")
            else:
                self.write_text(10, "", line.value)

    def row(self, label: str, value: str) -> None:
        """The label in a left column beside its value; a long value runs on to the next pages
        in its column."""
        self.set_font(_FONT, "B", 8)
        found = self.multi_cell(
            _LABEL, 4.5, latin1(label), align="L", dry_run=True, output=MethodReturnValue.LINES
        )
        height = 4.5 * len(found if isinstance(found, list) else [label])
        if self.will_page_break(height):
            self.add_page()
        top, page = self.get_y(), self.page
        self.multi_cell(_LABEL, 4.5, latin1(label), align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.set_font(_FONT, "", 10)
        self.multi_cell(0, 4.5, latin1(value), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if self.page == page:
            self.set_y(max(self.get_y(), top + height))
        self.ln(1)


def pdf(printed: Form) -> bytes:
    """The form as PDF bytes."""
    notes = printed.notes + ((printed.latin1_note,) if _outside(printed) else ())
    doc = _Document(printed, notes)
    doc.add_page()
    for banner in printed.banners:
        doc.set_text_color(200, 0, 0)
        doc.write_text(13, "B", banner, 7)
    doc.set_text_color(0, 0, 0)
    doc.lines(printed.justification)
    doc.write_text(14, "B", printed.title, 7)
    if printed.layout_label:
        doc.write_text(9, "I", printed.layout_label)
    for section in printed.sections:
        doc.section(section)
    return bytes(doc.output())
