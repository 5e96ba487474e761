"""Reports from the public, the pure part: what each path becomes on the desk (RSIT type and
priority), the checks of the answers and of who reports, and the reference and status codes."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.model.constituent import CRITICAL_SECTORS
from tocsin.model.report import (
    DEFACED_TYPE,
    FLAGS,
    LONG,
    PATHS,
    PRIORITIES,
    REPORT_SECTORS,
    SHORT,
    Answers,
    Kind,
    ReporterKind,
    Who,
    canonical_code,
    canonical_reference,
    classify,
    clean_answers,
    clean_path,
    clean_who,
    new_reference,
    new_status_code,
)
from tocsin.model.taxonomy import classification_type

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PLAIN = Who(ReporterKind.SELF, anonymous=True)
PLAIN_ANSWERS: dict[str, tuple[str, str]] = {
    "phishing": ("phishing", "P3"),
    "money": ("masquerade", "P2"),
    "ransom": ("infected-system", "P2"),
    "intimate": ("harmful-speech", "P1"),
    "harassment": ("harmful-speech", "P2"),
    "account": ("unprivileged-account-compromise", "P3"),
    "device": ("infected-system", "P4"),
    "service": ("outage", "P3"),
    "vulnerability": ("vulnerable-system", "P4"),
    "other": ("undetermined", "P4"),
}
CONTACT = {"reporter": ["self"], "contact": ["yes"], "email": ["ana@example.org"]}


def organisation(sector: str) -> Who:
    return Who(ReporterKind.ORGANISATION, anonymous=True, sector=sector)


# -- what the desk makes of a report -------------------------------------------------------------


def test_the_table_below_covers_every_path() -> None:
    """The ten paths of the portal are exactly the ones whose plain outcome is pinned here."""
    assert set(PATHS) == set(PLAIN_ANSWERS)


@pytest.mark.parametrize(("key", "expected"), sorted(PLAIN_ANSWERS.items()))
def test_plain_answers_give_the_paths_own_type_and_priority(
    key: str, expected: tuple[str, str]
) -> None:
    """With nothing that makes it worse, a path is its own RSIT type at its base priority."""
    assert classify(PATHS[key], {}, PLAIN) == expected


@pytest.mark.parametrize("key", sorted(PLAIN_ANSWERS))
def test_every_path_is_a_valid_rsit_type(key: str) -> None:
    """Each path's type is a current RSIT classification.type, spelt as the taxonomy does."""
    assert classification_type(PATHS[key].type) == PATHS[key].type


def test_the_defacement_type_is_a_valid_rsit_type() -> None:
    """The type a defacement becomes is a current RSIT classification.type too."""
    assert classification_type(DEFACED_TYPE) == DEFACED_TYPE


@pytest.mark.parametrize("given_", [["password"], ["card"], ["identity"], ["unsure", "card"]])
def test_phishing_that_gave_something_away_is_raised_one_step(given_: list[str]) -> None:
    """A password, card details or an identity document given away raise phishing P3 → P2."""
    assert classify(PATHS["phishing"], {"given": given_}, PLAIN) == ("phishing", "P2")


def test_phishing_that_gave_several_things_away_is_raised_only_once() -> None:
    """A password and a card given away are still one worse answer: P2, not P1."""
    answers: Answers = {"given": ["password", "card", "identity"]}
    assert classify(PATHS["phishing"], answers, PLAIN)[1] == "P2"


def test_phishing_that_gave_nothing_away_stays_at_its_base() -> None:
    """'Nothing, or I am not sure' does not raise a phishing report."""
    assert classify(PATHS["phishing"], {"given": ["unsure"]}, PLAIN)[1] == "P3"


@pytest.mark.parametrize(
    ("scope", "priority"), [("one", "P2"), ("several", "P2"), ("organisation", "P1")]
)
def test_ransom_on_an_organisations_network_is_raised(scope: str, priority: str) -> None:
    """Ransomware is P2, and P1 when a whole organisation's network is locked."""
    assert classify(PATHS["ransom"], {"scope": scope}, PLAIN) == ("infected-system", priority)


@pytest.mark.parametrize("sector", REPORT_SECTORS)
def test_a_critical_sector_raises_the_priority_one_step(sector: str) -> None:
    """An organisation of a critical sector (parliament and elections included) raises a
    device report P4 → P3; the other sectors leave it at P4."""
    expected = "P3" if sector in CRITICAL_SECTORS else "P4"
    assert classify(PATHS["device"], {}, organisation(sector)) == ("infected-system", expected)


def test_parliament_and_elections_are_critical() -> None:
    """The democratic institutions raise a report as the NIS2 sectors do."""
    for sector in ("parliament", "elections"):
        assert classify(PATHS["vulnerability"], {}, organisation(sector))[1] == "P3"


@pytest.mark.parametrize("flag", FLAGS)
def test_any_flag_raises_the_priority_one_step(flag: str) -> None:
    """A child, an older person or a person with a disability harmed: harassment P2 → P1."""
    who = Who(ReporterKind.OTHER, anonymous=True, flags=(flag,))
    assert classify(PATHS["harassment"], {}, who) == ("harmful-speech", "P1")


def test_several_flags_raise_only_once() -> None:
    """All three flags together are one step, like one flag."""
    who = Who(ReporterKind.OTHER, anonymous=True, flags=FLAGS)
    assert classify(PATHS["device"], {}, who)[1] == "P3"


def test_raises_stack_one_step_each() -> None:
    """A critical sector and a flag add up: device P4 → P2; with a worse answer too, phishing
    P3 → P1 (three steps, floored at P1)."""
    who = Who(ReporterKind.ORGANISATION, anonymous=True, sector="health", flags=("older",))
    assert classify(PATHS["device"], {}, who)[1] == "P2"
    assert classify(PATHS["phishing"], {"given": ["card"]}, who)[1] == "P1"


def test_raises_never_go_past_p1() -> None:
    """Every raise at once on a P2 path, or any raise on a P1 path, still gives P1."""
    who = Who(ReporterKind.ORGANISATION, anonymous=True, sector="elections", flags=("child",))
    assert classify(PATHS["ransom"], {"scope": "organisation"}, who)[1] == "P1"
    assert classify(PATHS["intimate"], {}, who)[1] == "P1"


def test_a_defaced_service_is_an_information_modification() -> None:
    """A service report of a defacement becomes unauthorised-information-modification; one
    that is down stays an outage."""
    assert classify(PATHS["service"], {"what": "defaced"}, PLAIN) == (DEFACED_TYPE, "P3")
    assert classify(PATHS["service"], {"what": "down"}, PLAIN) == ("outage", "P3")


# -- the answers to a path's questions -----------------------------------------------------------


def test_clean_path_names_a_missing_and_an_unknown_path() -> None:
    """No path is 'required'; a path that is not offered is 'not_an_option'."""
    assert clean_path({}) == (None, {"path": "required"})
    assert clean_path({"path": ["hacking"]}) == (None, {"path": "not_an_option"})
    assert clean_path({"path": [" ransom "]}) == (PATHS["ransom"], {})


def test_good_answers_come_out_trimmed_and_typed() -> None:
    """Texts are trimmed, checkboxes are a list without repeats, empty answers are left out."""
    raw = {
        "site": ["  https://bank.example/login "],
        "given": ["password", "password", "card"],
        "when": ["2026-11-20"],
        "narrative": [""],
    }
    answers, errors = clean_answers(PATHS["phishing"], raw)
    assert errors == {}
    assert answers == {
        "site": "https://bank.example/login",
        "given": ["password", "card"],
        "when": "2026-11-20",
    }


@pytest.mark.parametrize(
    ("key", "field", "value"),
    [
        ("phishing", "given", ["password", "bitcoin"]),
        ("ransom", "scope", ["everything"]),
        ("money", "paid_how", ["cash"]),
        ("service", "what", ["hacked"]),
    ],
)
def test_an_unknown_option_is_refused(key: str, field: str, value: list[str]) -> None:
    """A radio or checkbox value the question does not offer is 'not_an_option', not kept."""
    answers, errors = clean_answers(PATHS[key], {"what": ["down"], field: value})
    assert errors[field] == "not_an_option"
    assert field not in answers


def test_an_over_long_answer_is_refused() -> None:
    """One character over a text's limit is 'too_long' (200 for a line, 5000 for the account);
    exactly the limit is kept."""
    path = PATHS["other"]
    over = clean_answers(path, {"narrative": ["x" * (LONG + 1)]})[1]
    assert over == {"narrative": "too_long"}
    assert clean_answers(path, {"narrative": ["x" * LONG]})[1] == {}
    site = clean_answers(PATHS["service"], {"site": ["s" * (SHORT + 1)], "what": ["down"]})[1]
    assert site == {"site": "too_long"}
    amount = clean_answers(PATHS["money"], {"amount": ["9" * 41]})[1]
    assert amount == {"amount": "too_long"}


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "2026-02-30", "31/03/2026"])
def test_a_bad_date_is_refused(text: str) -> None:
    """A 'when' that is not a calendar date is 'bad_date'."""
    answers, errors = clean_answers(PATHS["device"], {"when": [text]})
    assert errors == {"when": "bad_date"}
    assert "when" not in answers


def test_required_questions_are_required() -> None:
    """The account is required for a vulnerability and for 'something else', and 'what do
    you see' for a service; elsewhere nothing is."""
    assert clean_answers(PATHS["vulnerability"], {})[1] == {"narrative": "required"}
    assert clean_answers(PATHS["other"], {"narrative": ["   "]})[1] == {"narrative": "required"}
    assert clean_answers(PATHS["service"], {})[1] == {"what": "required"}
    assert clean_answers(PATHS["phishing"], {})[1] == {}


def test_answers_to_other_paths_questions_are_not_kept() -> None:
    """A field that is not one of the path's questions is ignored."""
    answers, errors = clean_answers(PATHS["device"], {"amount": ["100 EUR"], "device": ["phone"]})
    assert (answers, errors) == ({"device": "phone"}, {})


# -- who reports ---------------------------------------------------------------------------------


def test_a_reporter_who_may_be_contacted_is_kept_whole() -> None:
    """Name, e-mail, phone and interpreter are kept for a reporter who may be contacted."""
    raw = CONTACT | {
        "name": ["Ana Lima"],
        "phone": ["+351 21 000 0000"],
        "interpreter": ["Portuguese"],
    }
    who, errors = clean_who(raw)
    assert errors == {}
    assert who is not None and not who.anonymous
    assert who.contact == {
        "name": "Ana Lima",
        "email": "ana@example.org",
        "phone": "+351 21 000 0000",
        "interpreter": "Portuguese",
    }


def test_an_organisation_needs_a_sector() -> None:
    """An organisation without a sector is 'required', with one not offered 'not_an_option'."""
    raw = CONTACT | {"reporter": ["organisation"]}
    assert clean_who(raw) == (None, {"sector": "required"})
    assert clean_who(raw | {"sector": ["aerospace"]}) == (None, {"sector": "not_an_option"})
    who, errors = clean_who(raw | {"sector": ["parliament"]})
    assert errors == {} and who is not None and who.sector == "parliament"


def test_a_sector_is_kept_only_for_an_organisation() -> None:
    """A person reporting for themselves has no sector, whatever the form carried."""
    who, _ = clean_who(CONTACT | {"sector": ["parliament"]})
    assert who is not None and who.sector is None


def test_contact_yes_needs_an_email_or_a_phone() -> None:
    """Asking to be contacted with neither e-mail nor phone is 'need_contact' (on the e-mail);
    either one alone is enough."""
    raw = {"reporter": ["self"], "contact": ["yes"], "name": ["Ana"]}
    assert clean_who(raw) == (None, {"email": "need_contact"})
    assert clean_who(raw | {"phone": ["+44 20 7946 0000"]})[1] == {}
    assert clean_who(raw | {"email": ["a@b.example"]})[1] == {}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("email", "ana at example.org", "bad_email"),
        ("email", "ana@example", "bad_email"),
        ("email", "a@b@c.example", "bad_email"),
        ("phone", "call me", "bad_phone"),
        ("phone", "12", "bad_phone"),
        ("email", "a" * 250 + "@x.example", "too_long"),
        ("name", "n" * (SHORT + 1), "too_long"),
    ],
)
def test_bad_contact_details_are_named(field: str, value: str, code: str) -> None:
    """An e-mail or a phone number that cannot be one, or a detail over its length, is refused
    with its own code."""
    raw = {"reporter": ["self"], "contact": ["yes"], "phone": ["+1 555 0100"]} | {field: [value]}
    assert clean_who(raw) == (None, {field: code})


def test_reporter_and_contact_are_required_choices() -> None:
    """Who reports and whether they may be contacted must be answered, from the options."""
    assert clean_who({}) == (None, {"reporter": "required", "contact": "required"})
    refused = clean_who({"reporter": ["robot"], "contact": ["maybe"]})[1]
    assert refused == {"reporter": "not_an_option", "contact": "not_an_option"}


def test_an_unknown_flag_is_refused() -> None:
    """A flag that is not offered is 'not_an_option'; known ones are kept in their order."""
    assert clean_who(CONTACT | {"flags": ["child", "vip"]}) == (None, {"flags": "not_an_option"})
    who, _ = clean_who(CONTACT | {"flags": ["disability", "child"]})
    assert who is not None and who.flags == ("child", "disability")


def test_an_anonymous_reporter_keeps_no_identity() -> None:
    """What an anonymous reporter typed (name, e-mail, phone, names, interpreter) is dropped:
    nothing is left to keep apart from the incident."""
    raw = {
        "reporter": ["other"],
        "contact": ["anonymous"],
        "name": ["Ana Lima"],
        "email": ["ana@example.org"],
        "phone": ["+351 21 000 0000"],
        "flags": ["older"],
        "victim_name": ["Bea Lima"],
        "interpreter": ["Portuguese"],
    }
    who, errors = clean_who(raw)
    assert errors == {}
    assert who is not None and who.anonymous
    assert who.contact == {}
    assert (who.name, who.email, who.phone, who.victim_name) == ("", "", "", "")
    assert who.flags == ("older",)  # not identity: it routes the report


@pytest.mark.parametrize("kind", ["self", "other", "organisation"])
def test_victim_and_organisation_names_are_kept_only_where_they_belong(kind: str) -> None:
    """victim_name is kept only for a report on someone else's behalf, org_name only for an
    organisation's."""
    raw = CONTACT | {
        "reporter": [kind],
        "sector": ["media"],
        "victim_name": ["Bea Lima"],
        "org_name": ["Lima Press"],
    }
    who, errors = clean_who(raw)
    assert errors == {} and who is not None
    assert who.victim_name == ("Bea Lima" if kind == "other" else "")
    assert who.org_name == ("Lima Press" if kind == "organisation" else "")


# -- references and status codes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["R-7K3M-9QXD", "r-7k3m-9qxd", "r 7k3m 9qxd", "7K3M9QXD", " R7K3M9QXD ", "R-7K3M-9QXD\n"],
)
def test_a_reference_is_read_as_people_copy_it(typed: str) -> None:
    """Lower case, spaces, a missing prefix or missing dashes all read as the reference."""
    assert canonical_reference(typed) == "R-7K3M-9QXD"


def test_a_reference_maps_the_look_alike_letters() -> None:
    """O reads as zero, I and L as one (Crockford's base 32 has none of them)."""
    assert canonical_reference("R-OK1M-IQLD") == "R-0K1M-1Q1D"
    assert canonical_reference("r-ok1m-iqld") == "R-0K1M-1Q1D"


@pytest.mark.parametrize("typed", ["", "R-", "7K3M9QX", "7K3M9QXDA", "R-7K3M-9QXD-4", "hello"])
def test_a_reference_of_the_wrong_length_is_refused(typed: str) -> None:
    """Too few or too many letters give no reference at all."""
    assert canonical_reference(typed) == ""


def test_a_prefixed_reference_missing_a_letter_is_refused() -> None:
    """'R-7K3M-9QX' (the prefix written, one letter missing) is too short: the prefix's R must
    not be read as the reference's first letter, giving another reference."""
    for typed in ("R-7K3M-9QX", "r 7k3m 9qx"):
        assert canonical_reference(typed) == "", (
            f"canonical_reference({typed!r}) gave {canonical_reference(typed)!r}: the R of the "
            "prefix was taken as a letter of the reference, so a wrong length was not refused"
        )


def test_new_references_are_canonical() -> None:
    """A new reference is R- and two groups of four Crockford letters, and reads as itself."""
    reference = new_reference()
    assert re.fullmatch(rf"R-[{CROCKFORD}]{{4}}-[{CROCKFORD}]{{4}}", reference)
    assert canonical_reference(reference) == reference


def test_a_code_is_read_as_people_copy_it() -> None:
    """Lower case, spaces for dashes, O for zero and I or L for one read as the code."""
    code = "0A1B2-C3D4E-F5G6H-J7K8M"
    assert canonical_code(code) == code
    assert canonical_code("0a1b2 c3d4e f5g6h j7k8m") == code
    assert canonical_code("Oa1b2c3d4ef5g6hj7k8m") == code
    assert canonical_code("0aIb2-c3d4e-f5g6h-j7k8m") == code
    assert canonical_code("0aLb2-c3d4e-f5g6h-j7k8m") == code


@pytest.mark.parametrize(
    "typed", ["", "0A1B2-C3D4E-F5G6H-J7K8", "0A1B2-C3D4E-F5G6H-J7K8M-N", "R-7K3M-9QXD"]
)
def test_a_code_of_the_wrong_length_is_refused(typed: str) -> None:
    """A code with a letter too few or too many gives no code at all."""
    assert canonical_code(typed) == ""


def test_a_status_code_holds_100_random_bits() -> None:
    """Twenty letters of the 32-letter alphabet (5 bits each), in four groups of five; two new
    codes differ."""
    code = new_status_code()
    assert re.fullmatch(rf"[{CROCKFORD}]{{5}}(-[{CROCKFORD}]{{5}}){{3}}", code)
    letters = code.replace("-", "")
    assert len(set(CROCKFORD)) == 32
    assert len(letters) * math.log2(len(CROCKFORD)) == 100
    assert new_status_code() != code


codes = st.text(alphabet=CROCKFORD, min_size=20, max_size=20).map(
    lambda raw: "-".join(raw[i : i + 5] for i in range(0, 20, 5))
)


@given(codes)
def test_any_code_reads_as_itself(code: str) -> None:
    """canonical_code gives back any well-formed code, also typed in lower case with spaces."""
    assert canonical_code(code) == code
    assert canonical_code(code.lower().replace("-", " ")) == code


@given(codes)
def test_any_code_survives_the_look_alikes(code: str) -> None:
    """Every zero typed as O and every one typed as I or L still reads as the code."""
    misread = code.replace("0", "O").replace("1", "l")
    assert canonical_code(misread) == code
    assert canonical_code(code.replace("1", "I")) == code


@given(st.text(max_size=200))
def test_canonical_forms_are_canonical_or_empty(text: str) -> None:
    """Whatever is typed, the reference and the code are either empty or well-formed."""
    reference = canonical_reference(text)
    assert reference == "" or re.fullmatch(rf"R-[{CROCKFORD}]{{4}}-[{CROCKFORD}]{{4}}", reference)
    code = canonical_code(text)
    assert code == "" or canonical_code(code) == code


# -- the checks never break on what a form may carry ---------------------------------------------

forms = st.dictionaries(
    st.sampled_from(
        [
            "path",
            "site",
            "given",
            "amount",
            "paid_how",
            "scope",
            "what",
            "when",
            "narrative",
            "reporter",
            "sector",
            "flags",
            "contact",
            "name",
            "email",
            "phone",
            "victim_name",
            "org_name",
            "interpreter",
            "device",
        ]
    )
    | st.text(max_size=10),
    st.lists(st.text(max_size=300), max_size=3),
    max_size=12,
)


@given(forms, st.sampled_from(sorted(PATHS)))
def test_clean_answers_never_raises(raw: dict[str, list[str]], key: str) -> None:
    """Any text form gives answers or error codes, never an exception; what is kept passes
    again unchanged, and a single answer never breaks its question's limit."""
    path = PATHS[key]
    answers, errors = clean_answers(path, raw)
    assert set(answers).isdisjoint(errors)
    for field_, value in answers.items():
        question = path.question(field_)
        assert question is not None
        if question.kind is Kind.CHECKS:
            assert isinstance(value, list) and set(value) <= set(question.options)
        else:
            assert isinstance(value, str) and 0 < len(value) <= question.max_length
    if not errors:
        again = {k: v if isinstance(v, list) else [v] for k, v in answers.items()}
        assert clean_answers(path, again) == (answers, {})


@given(forms)
def test_clean_who_and_path_never_raise(raw: dict[str, list[str]]) -> None:
    """Any text form gives a path and a reporter, or error codes, never an exception; an
    accepted reporter classifies on every path within P1–P4 and never below its base."""
    path, path_errors = clean_path(raw)
    assert (path is None) == bool(path_errors)
    who, errors = clean_who(raw)
    assert (who is None) == bool(errors)
    if who is None:
        return
    if who.anonymous:
        assert who.contact == {}
    for each in PATHS.values():
        _, priority = classify(each, {}, who)
        assert priority in PRIORITIES
        assert PRIORITIES.index(priority) <= PRIORITIES.index(each.priority)


@given(
    st.sampled_from(sorted(PATHS)),
    st.sampled_from((None, *REPORT_SECTORS)),
    st.lists(st.sampled_from(FLAGS), unique=True),
)
def test_priority_is_the_base_less_one_step_per_raise_floored_at_p1(
    key: str, sector: str | None, flags: list[str]
) -> None:
    """Without a worse answer, the priority is the base raised once for a critical sector and
    once for any flag, never past P1."""
    kind = ReporterKind.ORGANISATION if sector else ReporterKind.SELF
    who = Who(kind, anonymous=True, sector=sector, flags=tuple(flags))
    steps = (sector in CRITICAL_SECTORS) + bool(flags)
    expected = PRIORITIES[max(PRIORITIES.index(PATHS[key].priority) - steps, 0)]
    assert classify(PATHS[key], {}, who)[1] == expected


def test_an_anonymous_organisation_keeps_its_name_and_nothing_else() -> None:
    """An organisation that stays anonymous drops the person's name and means of contact, but
    its own name is kept: not a person's identity, and it says whom the report is about."""
    raw = {
        "reporter": ["organisation"],
        "sector": ["health"],
        "contact": ["anonymous"],
        "org_name": ["Riverside Clinic"],
        "name": ["Bea Lima"],
        "email": ["bea@example.org"],
    }
    who, errors = clean_who(raw)
    assert errors == {} and who is not None and who.anonymous
    assert who.contact == {"org_name": "Riverside Clinic"}
