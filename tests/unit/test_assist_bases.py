"""Every legal basis declares its elements with their sources, and refuses a request lacking one."""

from __future__ import annotations

import pytest

from tocsin.errors import InvalidValue
from tocsin.model.assist.bases import (
    ELEMENTS,
    LINKS,
    RULES,
    Aim,
    Basis,
    Element,
    check_known,
    check_link,
    linkable,
    missing,
    require,
)

REQUIRED = [(b, e) for b in Basis for e in ELEMENTS[b] if e.required]
OPTIONAL = [(b, e) for b in Basis for e in ELEMENTS[b] if not e.required]


def full(basis: Basis) -> dict[str, str]:
    """Every required element of ``basis`` filled in."""
    return {e.id: f"text of {e.id}" for e in ELEMENTS[basis] if e.required}


def test_every_basis_has_a_rule_and_elements() -> None:
    assert set(RULES) == set(Basis) == set(ELEMENTS)
    assert all(RULES[b].basis is b for b in Basis)
    assert all(any(e.required for e in ELEMENTS[b]) for b in Basis)


@pytest.mark.parametrize("basis", list(Basis), ids=str)
def test_element_ids_are_unique_per_basis(basis: Basis) -> None:
    ids = [e.id for e in ELEMENTS[basis]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("basis", list(Basis), ids=str)
def test_a_complete_request_passes(basis: Basis) -> None:
    require(basis, full(basis))
    assert missing(basis, full(basis)) == []


@pytest.mark.parametrize(("basis", "element"), REQUIRED, ids=lambda x: getattr(x, "id", str(x)))
def test_each_required_element_is_refused_when_missing(basis: Basis, element: Element) -> None:
    given = full(basis)
    del given[element.id]
    with pytest.raises(InvalidValue) as caught:
        require(basis, given)
    assert caught.value.field == f"elements.{element.id}"
    assert caught.value.reason.startswith(f"missing: {element.label} ({element.source})")
    assert missing(basis, given) == [element]


@pytest.mark.parametrize(
    ("basis", "element"), REQUIRED[::5], ids=lambda x: getattr(x, "id", str(x))
)
@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_blank_text_counts_as_missing(basis: Basis, element: Element, blank: str) -> None:
    given = full(basis) | {element.id: blank}
    assert missing(basis, given) == [element]
    with pytest.raises(InvalidValue, match=f"elements.{element.id}"):
        require(basis, given)


@pytest.mark.parametrize(("basis", "element"), OPTIONAL, ids=lambda x: getattr(x, "id", str(x)))
def test_an_optional_element_may_be_left_out_and_may_be_given(
    basis: Basis, element: Element
) -> None:
    require(basis, full(basis))
    require(basis, full(basis) | {element.id: "given"})


def test_an_unknown_element_is_refused_with_the_known_ones() -> None:
    with pytest.raises(InvalidValue) as caught:
        require(Basis.BC_29, full(Basis.BC_29) | {"domain": "example.org"})
    assert caught.value.field == "elements.domain"
    assert "not an element of BC-29" in caught.value.reason
    assert "mla_intent" in caught.value.reason


def test_several_missing_are_named_after_the_first() -> None:
    with pytest.raises(InvalidValue) as caught:
        require(Basis.BC_29, {"authority": "CERT"})
    assert caught.value.field == "elements.offence"
    assert "Budapest Convention Art. 29(2)(b)" in caught.value.reason
    assert "also missing: facts, data, relation, custodian, necessity, mla_intent" in str(
        caught.value
    )
    assert missing(Basis.BC_29, {"authority": "CERT"})[0].id == "offence"


def test_bc29_keeps_the_ids_the_forms_depend_on() -> None:
    assert [e.id for e in ELEMENTS[Basis.BC_29]] == [
        "authority",
        "offence",
        "facts",
        "data",
        "relation",
        "custodian",
        "necessity",
        "mla_intent",
    ]
    assert {e.source for e in ELEMENTS[Basis.BC_29]} == {
        f"Budapest Convention Art. 29(2)({letter})" for letter in "abcdef"
    }


def test_one_id_means_one_thing_across_bases() -> None:
    """The shared ids (authority, offence, data…) appear on most bases with one meaning."""
    carriers = {b for b in Basis if any(e.id == "authority" for e in ELEMENTS[b])}
    assert carriers == set(Basis)
    emergency_facts = {b for b in Basis if any(e.id == "emergency_facts" for e in ELEMENTS[b])}
    assert emergency_facts == {Basis.P2_9, Basis.P2_10}


@pytest.mark.parametrize(
    ("basis", "sources"),
    [
        (Basis.P2_6, [f"Art. 6(3)({x})" for x in "abcd"]),
        (Basis.P2_7, [f"Art. 7(3)({x})" for x in "abcdef"]),
        (Basis.P2_9, [f"Art. 9(3)({x})" for x in "abcdef"]),
        (Basis.EPOC, [f"Annex I Section {x}" for x in "ABCFGIL"]),
    ],
    ids=lambda x: str(x) if isinstance(x, Basis) else "",
)
def test_the_paragraphs_asking_for_elements_are_all_cited(basis: Basis, sources: list[str]) -> None:
    cited = {e.source for e in ELEMENTS[basis]}
    for source in sources:
        assert any(source in c for c in cited), source


def test_the_emergency_types_and_aims() -> None:
    assert {b for b, r in RULES.items() if r.emergency} == {Basis.P2_9, Basis.P2_10}
    assert RULES[Basis.BC_29].aim is Aim.PRESERVATION
    assert RULES[Basis.EPOC_PR].aim is Aim.PRESERVATION
    assert RULES[Basis.BC_30].aim is Aim.DISCLOSURE
    assert RULES[Basis.EPOC].aim is Aim.PRODUCTION
    assert RULES[Basis.BC_35].aim is Aim.ADVICE
    assert RULES[Basis.BC_29].citation == "Budapest Convention Art. 29"


@pytest.mark.parametrize("text", ["bc-29", "BC 29", "BC_29", " bc-29 "])
def test_basis_parse(text: str) -> None:
    assert Basis.parse(text) is Basis.BC_29


def test_basis_parse_lists_the_bases() -> None:
    with pytest.raises(ValueError, match=r"not a legal basis .*EPOC-PR"):
        Basis.parse("BC-99")


@pytest.mark.parametrize(
    ("link", "parent", "child"),
    [
        ("follow_up", Basis.BC_29, Basis.BC_31),
        ("follow_up", Basis.BC_29, Basis.EIO),
        ("follow_up", Basis.EPOC_PR, Basis.EPOC),
        ("next_hop", Basis.BC_30, Basis.BC_29),
        ("next_hop", Basis.BC_29, Basis.BC_29),
    ],
    ids=str,
)
def test_the_links_the_instruments_make(link: str, parent: Basis, child: Basis) -> None:
    check_link(link, parent, child)
    assert child in linkable(link, parent)


def test_a_link_the_instruments_do_not_make_is_refused_with_the_allowed_bases() -> None:
    with pytest.raises(InvalidValue) as caught:
        check_link("follow_up", Basis.BC_29, Basis.P2_9)
    assert caught.value.field == "basis"
    assert "a follow up of a BC-29 request is one of: BC-31" in caught.value.reason
    assert "Art. 29(1)" in caught.value.reason
    with pytest.raises(InvalidValue, match="next hop of a BC-30 request is one of: BC-29"):
        check_link("next_hop", Basis.BC_30, Basis.BC_31)


def test_a_basis_without_links_says_so() -> None:
    with pytest.raises(InvalidValue, match="a P2-9 request has no follow up"):
        check_link("follow_up", Basis.P2_9, Basis.BC_31)
    assert linkable("next_hop", Basis.EPOC) == ()


def test_every_link_names_its_source_and_a_known_kind() -> None:
    from tocsin.model.assist.request import Link

    kinds = {link.value for link in Link if link.value}
    assert {kind for kind, _ in LINKS} == kinds
    assert all(source for _, source in LINKS.values())


def test_check_known_lets_a_draft_lack_elements_but_not_carry_strangers() -> None:
    check_known(Basis.BC_29, {"authority": "CERT"})
    with pytest.raises(InvalidValue) as caught:
        check_known(Basis.EPOC, {"authority": "CERT", "mla_intent": "yes"})
    assert caught.value.field == "elements.mla_intent"
    assert "not an element of EPOC" in caught.value.reason
