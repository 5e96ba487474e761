"""A request for assistance printed in the T-CY layout: a real PDF read back with pdftotext, and
HTML, in English and French (tocsin.formats.tcy, docs/assistance.md "Printed forms")."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from datetime import UTC, datetime

import pytest

from tocsin.formats import tcy
from tocsin.model.assist.bases import ELEMENTS, Basis
from tocsin.model.assist.request import (
    Contact,
    Direction,
    Identifier,
    Link,
    Request,
    Safeguards,
)
from tocsin.model.assist.states import State

SEEN = datetime(2026, 3, 1, 22, 15, 7, tzinfo=UTC)
MADE = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

ELEMENT_VALUES = {
    "authority": "National Cybercrime Unit",
    "offence": "Computer fraud, Criminal Code s. 462",
    "facts": "Phishing kit harvested bank credentials from 214 victims",
    "data": "Subscriber and connection logs of the VPS",
    "relation": "The VPS hosted the phishing kit",
    "custodian": "Hosting provider Example Networks",
    "necessity": "Logs are kept only 30 days",
    "mla_intent": "An MLA request will follow within 60 days",
}
OURS = {
    "organisation": "National CSIRT",
    "person": "Ada Duty",
    "address": "1 Harbour Street",
    "telephone": "+3225550100",
    "mobile": "+32475550100",
    "email": "247@csirt.example",
    "office_hours": "24/7",
    "timezone": "Europe/Brussels",
    "channel": "Tocsin",
    "confirmation_name": "Bruno Lead",
    "investigative_authority": "Federal Computer Crime Unit",
}


def contact() -> Contact:
    return Contact(
        id=7,
        country="FR",
        authority="OFAC 24/7",
        kind="24/7",
        channel="email",
        address="pc247@interieur.example",
        languages=("fr", "en"),
        timezone="Europe/Paris",
        office_hours="24/7",
        public_key="",
        notes="",
        version=1,
        confirmed_at=None,
        updated_at=MADE,
    )


def request(**changes: object) -> Request:
    made = Request(
        id=1,
        ref="RFA-2026-0042",
        direction=Direction.OUTGOING,
        basis=Basis.BC_29,
        state=State.DRAFT,
        org_id=1,
        counterpart_id=7,
        their_ref="",
        title="Phishing VPS",
        emergency=False,
        urgent=False,
        justification="",
        elements=ELEMENT_VALUES,
        identifiers=(
            Identifier("ipv4", "203.0.113.7", port=51234, at=SEEN, tolerance=60),
            Identifier("ipv4", "198.51.100.9", flags=("shared address: no port and time",)),
            Identifier("email", "crook@mail.example"),
        ),
        safeguards=Safeguards(
            necessity="Only the logs of the period", data_categories=("subscriber", "traffic")
        ),
        tlp="AMBER",
        language="en",
        parent_id=None,
        link=Link.NONE,
        outcome="",
        outcome_note="",
        created_by=1,
        approved_by=None,
        created_at=MADE,
        updated_at=MADE,
    )
    return dataclasses.replace(made, **changes)  # type: ignore[arg-type]


def read_back(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it, with its layout."""
    assert pdf.startswith(b"%PDF-")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def flat(text: str) -> str:
    """The text with each run of spaces and line ends made one space (pdftotext -layout pads the
    columns; a long heading wraps)."""
    return " ".join(text.split())


ENGLISH = [
    "Data preservation request under Articles 29 and 30 of the Budapest Convention",
    "1. Date",
    "2. Reference / case number",
    "3. Request status",
    "4. Requested authority",
    "5. Requesting authority",
    "6. Contact for additional confirmation",
    "7. Investigative / operational authority in charge of the case",
    "Information required by Article 29(2) of the Budapest Convention",
    "Identifiers",
    "Confidentiality",
]
FRENCH = [
    "Demande de conservation de données en vertu des articles 29 et 30 de la Convention",
    "1. Date",
    "2. Référence / numéro de dossier",
    "3. Statut de la demande",
    "4. Autorité requise",
    "5. Autorité requérante",
    "6. Contact pour toute confirmation complémentaire",
    "7. Autorité d'enquête / opérationnelle chargée de l'affaire",
    "Informations requises par l'article 29, paragraphe 2, de la Convention de Budapest",
    "Identifiants",
    "Confidentialité",
]


@pytest.mark.parametrize(("language", "headings"), [("en", ENGLISH), ("fr", FRENCH)])
def test_the_pdf_holds_the_sections_values_identifiers_and_marking(
    language: str, headings: list[str]
) -> None:
    """The T-CY(2018)11 sections in the language asked, every element's value, our details and
    the counterpart's, and each identifier with its port, UTC time, tolerance and flags."""
    pdf = tcy.print_request(request(), contact(), OURS, language, "pdf")
    text = flat(read_back(pdf))
    for heading in headings:
        assert heading in text
    for value in [*ELEMENT_VALUES.values(), "National CSIRT", "Ada Duty", "OFAC 24/7"]:
        assert value in text
    assert "02/03/2026" in text  # section 1: the date, DD/MM/YYYY
    assert "203.0.113.7 · port 51234 · 2026-03-01 22:15:07 UTC ± 60 s" in text
    assert "198.51.100.9 · " in text and "shared address: no port and time" in text
    assert "crook@mail.example" in text
    assert "RFA-2026-0042" in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_carries_the_tlp_marking_in_its_header_and_footer(language: str) -> None:
    long = request(tlp="RED", elements={**ELEMENT_VALUES, "facts": "lorem " * 3000})
    pages = read_back(tcy.print_request(long, contact(), OURS, language, "pdf")).split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) >= 3
    for page in pages:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[0] == "TLP:RED"  # the header
        assert lines[-1] == "TLP:RED"  # the footer
        assert "TLP:AMBER" not in page


def test_a_long_summary_of_facts_runs_across_pages_without_losing_a_word() -> None:
    words = [f"fact{number:04d}" for number in range(2500)]
    long = request(elements={**ELEMENT_VALUES, "facts": " ".join(words)})
    text = read_back(tcy.print_request(long, contact(), OURS, "en", "pdf"))
    assert text.count("\f") >= 3
    assert re.findall(r"fact\d{4}", text) == words


def test_an_emergency_is_marked_at_the_top_with_its_justification() -> None:
    urgent = request(emergency=True, urgent=True, justification="A hostage is held")
    for language, mark in [("en", "EMERGENCY"), ("fr", "URGENCE")]:
        text = flat(read_back(tcy.print_request(urgent, contact(), OURS, language, "pdf")))
        top = text.split("1. Date")[0]
        assert mark in top and "A hostage is held" in top
    calm = flat(read_back(tcy.print_request(request(), contact(), OURS, "en", "pdf")))
    assert "EMERGENCY" not in calm


def test_the_article_31_layout_adds_sections_8_to_10() -> None:
    """Sections 8–10 of T-CY(2018)10 carry the prosecution, the previous MLA request and the
    previous preservation request; the elements' section does not repeat them."""
    stored = request(
        basis=Basis.BC_31,
        elements={
            "offence": "Computer fraud",
            "prosecution": "Prosecutor's office of Brussels, 2026/123",
            "mla_ref": "MLA-2025-77",
            "preservation_ref": "RFA-2026-0001 of 02/02/2026",
        },
    )
    text = flat(read_back(tcy.print_request(stored, contact(), OURS, "en", "pdf")))
    assert "T-CY(2018)10" in text
    assert "8. Prosecution office or court in charge" in text
    assert "9. Previous mutual legal assistance request" in text
    assert "10. Previous preservation request" in text
    for value in ["Prosecutor's office of Brussels, 2026/123", "MLA-2025-77", "RFA-2026-0001 of"]:
        assert text.count(value) == 1
    assert "11. Elements of the request" in text and "Computer fraud" in text
    fr = flat(read_back(tcy.print_request(stored, contact(), OURS, "fr", "pdf")))
    assert "10. Demande de conservation antérieure" in fr
    section = tcy.form(stored, contact(), ours=OURS, language="fr").sections[7]
    assert section.lines == (
        tcy.Line(
            "Parquet ou juridiction compétents, numéros de dossier",
            "Prosecutor's office of Brussels, 2026/123",
        ),
    )


def test_an_extension_names_the_previous_request() -> None:
    again = {**OURS, "previous_ref": "RFA-2026-0007"}
    text = flat(read_back(tcy.print_request(request(), contact(), again, "en", "pdf")))
    assert "Extension of a previous request" in text and "RFA-2026-0007" in text
    first = flat(read_back(tcy.print_request(request(), contact(), OURS, "en", "pdf")))
    assert "New request" in first and "Extension of a previous request" not in first


def test_an_incoming_request_has_the_counterpart_as_requesting_authority() -> None:
    printed = tcy.form(request(direction=Direction.INCOMING), contact(), ours=OURS, language="en")
    sections = {section.title: section for section in printed.sections}
    requesting = [line.value for line in sections["Requesting authority"].lines]
    requested = [line.value for line in sections["Requested authority"].lines]
    assert "OFAC 24/7" in requesting and "National CSIRT" in requested


def test_another_basis_lists_its_own_elements_in_order_with_their_own_labels() -> None:
    """A generic layout: the basis's elements in its table's order; a label table without words
    for them prints the element's own label."""
    declared = ELEMENTS[Basis.P2_6]
    given = {item.id: f"value of {item.id}" for item in declared}
    mine = request(basis=Basis.P2_6, elements=given)
    printed = tcy.form(mine, contact(), ours=OURS, language="fr")
    assert printed.layout == ""
    elements = printed.sections[7]
    assert elements.title == "Éléments de la demande"
    assert [(line.label, line.value) for line in elements.lines] == [
        (item.label, f"value of {item.id}") for item in declared
    ]
    text = flat(read_back(tcy.render_pdf(printed)))
    for item in declared:
        assert f"value of {item.id}" in text


def test_an_unknown_language_falls_back_to_english_and_says_so() -> None:
    printed = tcy.form(request(), contact(), ours=OURS, language="xx")
    assert printed.language == "en" and printed.asked == "xx"
    text = flat(read_back(tcy.render_pdf(printed)))
    assert "Data preservation request" in text
    assert 'No label table for the language "xx"' in text
    html = tcy.render_html(printed)
    assert "No label table for the language &#34;xx&#34;" in html
    assert "No label table" not in tcy.render_html(
        tcy.form(request(), None, ours={}, language="fr")
    )


def test_the_html_is_escaped() -> None:
    evil = request(elements={**ELEMENT_VALUES, "facts": "<script>alert(1)</script> & co"})
    html = tcy.print_request(evil, contact(), OURS, "en", "html").decode("utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert html.count("TLP:AMBER") == 2  # header and footer
    assert 'lang="en"' in html and "port 51234" in html


def test_letters_outside_latin1_are_replaced_in_the_pdf_and_said_so() -> None:
    typed = request(elements={**ELEMENT_VALUES, "facts": "Москва – “quoted”"})
    text = flat(read_back(tcy.print_request(typed, contact(), OURS, "en", "pdf")))
    assert '?????? - "quoted"' in text
    assert "Letters outside Latin-1" in text
    html = tcy.print_request(typed, contact(), OURS, "en", "html").decode("utf-8")
    assert "Москва" in html


def test_every_label_table_has_the_english_keys_and_the_t_cy_elements() -> None:
    """A table may lack a key (it is printed in English), but the shipped ones are complete, and
    name every element of the T-CY layouts' bases."""
    english = tcy._table("en")
    assert tcy.languages()[0] == "en" and "fr" in tcy.languages()
    for language in tcy.languages()[1:]:
        table = tcy._table(language)
        for basis in (Basis.BC_29, Basis.BC_30, Basis.BC_31):
            named = table.get(f"element-{basis.value}", {})
            assert [item.id for item in ELEMENTS[basis] if item.id not in named] == [], language
        missing = [
            f"{group}.{key}"
            for group, words in english.items()
            for key in words
            if key not in table.get(group, {})
        ]
        assert missing == [], language


def test_the_counterparts_language_is_chosen_when_it_has_a_table() -> None:
    assert tcy.choose_language(contact()) == "fr"
    assert tcy.choose_language(dataclasses.replace(contact(), languages=("xx",))) == "en"
    assert tcy.choose_language(contact(), "en") == "en"


def test_the_pdf_is_the_same_bytes_each_time() -> None:
    """No wall clock: the creation date is the request's date."""
    first = tcy.print_request(request(), contact(), OURS, "en", "pdf")
    assert first == tcy.print_request(request(), contact(), OURS, "en", "pdf")
    assert b"D:20260302093000" in first


@pytest.mark.parametrize("language", tcy.languages())
def test_each_language_prints_its_own_words_all_in_latin1(language: str) -> None:
    """The PDF's core fonts cover Latin-1: a label table outside it would print "?"."""
    table = tcy._table(language)
    for group in table.values():
        for text in group.values():
            text.encode("latin-1")
    text = flat(read_back(tcy.print_request(request(), contact(), OURS, language, "pdf")))
    for key in ("requested", "requesting", "elements_29", "identifiers"):
        assert table["section"][key] in text
    facts = {item.id: item.label for item in ELEMENTS[Basis.BC_29]}["facts"]
    facts = table.get("element-BC-29", {}).get("facts", facts)
    assert set(facts.split()) <= set(text.split())  # a label wraps in its column
    assert "?" not in text.replace(table["word"]["latin1"], "")
