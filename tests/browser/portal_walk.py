"""A member of the public walking the report portal in a browser: the plan of one report (its
path, answers, who reports, whether a file goes with it) and the steps that carry it from the
first question to the status page.

Fields are found by id and name (``f-<name>``, ``button[name=go][value=…]``), never by their
words, which are translated. Each step waits for the next page by its hidden ``step`` field, so
nothing is slept on; ``visit`` is called once on every page the walk reaches, by its name.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import FilePayload, Page, expect

Visit = Callable[[Page, str], None]
PAGES = ("what", "details", "who", "evidence", "done", "status form", "status")
REFERENCE = re.compile(r"^R-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")  # Crockford base 32


def _png() -> bytes:
    """A real 1×1 white PNG: the portal decides a file's type by its bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()


@dataclass(frozen=True)
class Plan:
    """One report as a person would make it, and what the desk should make of it."""

    path: str
    expected: tuple[str, str]  # the incident's RSIT type and priority, worked out by hand
    texts: dict[str, str] = field(default_factory=dict)  # details: f-<key> → typed value
    chosen: dict[str, tuple[str, ...]] = field(default_factory=dict)  # radios and checkboxes
    reporter: str = "self"
    sector: str = ""
    flags: tuple[str, ...] = ()
    about: dict[str, str] = field(default_factory=dict)  # who: victim_name, org_name, name…
    email: str = ""  # empty: the reporter stays anonymous
    screenshot: bool = False


# One plan per path. The expected (type, priority) pairs are read off model/report.py by hand:
# the path's own type and priority, one step up for a worse answer (phishing: a password given;
# ransom: the whole organisation), one for a critical sector (health, parliament; not education
# or private), one for any flag; never above P1; a defaced service is a modification.
PLANS: dict[str, Plan] = {
    plan.path: plan
    for plan in (
        Plan(
            "phishing",
            ("phishing", "P2"),
            texts={"site": "https://bank-login.example/verify", "when": "2026-11-27"},
            chosen={"given": ("password",)},
            about={"name": "Amina K."},
            email="amina@example.org",
            screenshot=True,
        ),
        Plan(
            "money",
            ("masquerade", "P1"),
            texts={"amount": "450 EUR", "paid_to": "FR76 3000 6000 0112 3456 7890 189"},
            chosen={"paid_how": ("transfer",)},
            reporter="other",
            flags=("older",),
            about={"victim_name": "My grandmother"},
        ),
        Plan(
            "ransom",
            ("infected-system", "P1"),
            texts={"ransom_contact": "unlock@ransom.example"},
            chosen={"scope": ("organisation",)},
            reporter="organisation",
            sector="health",
            about={"org_name": "Riverside Clinic"},
            email="it@riverside-clinic.example",
            screenshot=True,
        ),
        Plan(
            "intimate",
            ("harmful-speech", "P1"),
            texts={"platform": "Instagram", "offender": "@stranger_123"},
            chosen={"paid": ("no",)},
        ),
        Plan(
            "harassment",
            ("harmful-speech", "P2"),
            texts={"platform": "A messaging app", "offender": "+33 6 12 34 56 78"},
            reporter="other",
            about={"victim_name": "My friend"},
            email="friend.helper@example.net",
            screenshot=True,
        ),
        Plan(
            "account",
            ("unprivileged-account-compromise", "P3"),
            texts={"service": "The school's e-mail"},
            chosen={"access": ("no",)},
            reporter="organisation",
            sector="education",
            screenshot=True,
        ),
        Plan("device", ("infected-system", "P4"), chosen={"device": ("phone",)}),
        Plan(
            "service",
            ("unauthorised-information-modification", "P2"),
            texts={"site": "https://www.parliament.example"},
            chosen={"what": ("defaced",)},
            reporter="organisation",
            sector="parliament",
            about={"org_name": "The Parliament"},
            email="webmaster@parliament.example",
        ),
        Plan(
            "vulnerability",
            ("vulnerable-system", "P4"),
            texts={
                "site": "https://shop.example",
                "narrative": "The order page shows other customers' invoices when the "
                "number in its address is changed.",
            },
            email="finder@example.com",
            screenshot=True,
        ),
        Plan(
            "other",
            ("undetermined", "P3"),
            texts={"narrative": "Someone opened a shop account in my brother's name."},
            reporter="other",
            flags=("disability",),
        ),
    )
}


def _nothing(page: Page, name: str) -> None:
    """The default visit: look at nothing."""


def at_step(page: Page, step: str) -> None:
    """Wait until the page of ``step`` has loaded (its hidden ``step`` field says so)."""
    expect(page.locator("input[name=step]")).to_have_value(step)


def choose(page: Page, name: str, value: str) -> None:
    page.check(f"input[name='{name}'][value='{value}']")


def go(page: Page, button: str = "next") -> None:
    page.click(f"button[name=go][value={button}]")


def start(page: Page, plan: Plan, lang: str, visit: Visit = _nothing) -> None:
    """From the first page to the path's questions."""
    page.goto(f"/report?lang={lang}")
    at_step(page, "what")
    visit(page, "what")
    choose(page, "path", plan.path)
    go(page)
    at_step(page, "details")


def answer_details(page: Page, plan: Plan) -> None:
    for key, value in plan.texts.items():
        page.fill(f"#f-{key}", value)
    for key, values in plan.chosen.items():
        for value in values:
            choose(page, key, value)


def answer_who(page: Page, plan: Plan) -> None:
    choose(page, "reporter", plan.reporter)
    if plan.sector:
        page.select_option("#f-sector", plan.sector)
    for flag in plan.flags:
        choose(page, "flags", flag)
    for key, value in plan.about.items():
        page.fill(f"#f-{key}", value)
    if plan.email:
        choose(page, "contact", "yes")
        page.fill("#f-email", plan.email)
    else:
        choose(page, "contact", "anonymous")


def report(page: Page, plan: Plan, lang: str = "en", visit: Visit = _nothing) -> tuple[str, str]:
    """Make the report of ``plan`` from the first page; its reference and private code."""
    start(page, plan, lang, visit)
    visit(page, "details")
    answer_details(page, plan)
    go(page)
    at_step(page, "who")
    visit(page, "who")
    answer_who(page, plan)
    go(page)
    at_step(page, "evidence")
    visit(page, "evidence")
    if plan.screenshot:
        screenshot = FilePayload(name="screenshot.png", mimeType="image/png", buffer=PNG)
        page.set_input_files("#f-files", files=[screenshot])
    go(page, "send")
    reference = page.locator("#reference")
    expect(reference).to_have_text(REFERENCE)
    visit(page, "done")
    return reference.inner_text().strip(), page.locator("#status-code").inner_text().strip()


def look_up(
    page: Page, reference: str, code: str, lang: str = "en", visit: Visit = _nothing
) -> None:
    """Open the status page of a report with its reference and code, as its reporter does."""
    page.goto(f"/report/status?lang={lang}")
    expect(page.locator("#f-code")).to_be_visible()
    visit(page, "status form")
    page.fill("#f-reference", reference)
    page.fill("#f-code", code)
    page.click("button[name=go][value=look]")
    expect(page.locator("#stage")).to_be_visible()
    visit(page, "status")
