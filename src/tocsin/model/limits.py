"""The longest text each free-text field takes, in one table.

Every free text a person or a program gives Tocsin (a transition's comment, a note, a title, a
description, a name, a refusal's reason, the portal's account of what happened) has a declared
maximum here, in characters after surrounding white space is removed. The services check it with
``bounded`` before anything is stored: a longer text is refused whole (``TooLong``, which the API
answers with 422 and a form shows as its error), never cut and never kept. A field not in the
table has no place to be checked, so a new free-text field is added here first.
"""

from __future__ import annotations

from tocsin.errors import TooLong

ONE_LINE = 300  # a title or a name: one line on a page
PARAGRAPH = 2_000  # a reason or a summary
PAGE = 20_000  # a note, a comment, a description: a page of text

LIMITS: dict[str, int] = {
    # incidents
    "incident.title": ONE_LINE,
    "incident.comment": PAGE,  # said with a change of status
    "incident.note": PAGE,
    "incident.task": 500,
    "incident.description": PAGE,
    # sharing
    "collection.title": ONE_LINE,
    "collection.description": PAGE,
    "release.reason": PARAGRAPH,  # why a lead refused a release
    "organisation.name": 200,
    # people
    "user.display_name": 120,
    "token.name": 80,
    "view.name": 80,  # a saved view of the queue
    # vulnerability cases
    "cvd.title": ONE_LINE,
    "cvd.description": PAGE,
    "cvd.impact": PAGE,
    "cvd.cwe_name": ONE_LINE,
    "cvd.comment": PAGE,  # said with a change of state
    "cvd.message": PAGE,  # to or from a party
    "cvd.party": 200,
    "cvd.reporter": 200,
    "cvd.contact": 500,
    "cvd.vendor": 200,
    "cvd.product": 200,
    "cvd.version": 100,
    "cvd.advice": PARAGRAPH,
    # requests for assistance and the directory of 24/7 contacts
    "assist.title": ONE_LINE,
    "assist.their_ref": 200,
    "assist.element": PAGE,  # one element of the request (the facts, the data sought…)
    "assist.safeguard": PARAGRAPH,  # necessity, approving authority, onward transfer
    "assist.justification": PAGE,  # the written justification of an emergency
    "assist.note": PAGE,  # said with a change of state
    "assist.ledger": PARAGRAPH,
    "contact.authority": 200,
    "contact.address": 500,
    "contact.notes": PARAGRAPH,
    # the public's reports on the portal
    "report.answer": 200,  # a one-line answer: a name, an address, a phone number
    "report.account": 5_000,  # the free-text account of what happened
}


def limit_of(field: str) -> int:
    return LIMITS[field]


def bounded(field: str, text: str) -> str:
    """``text`` stripped, when it is within ``field``'s limit; else ``TooLong``."""
    cleaned = text.strip()
    limit = LIMITS[field]
    if len(cleaned) > limit:
        raise TooLong(field, limit, len(cleaned))
    return cleaned
