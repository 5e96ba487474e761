"""Vulnerability cases worked on the web as ``tocsin cvd`` works them (issue 14, "the whole desk
on the web"): open a case, move it, log a message, add a vendor and a product; a refused change
says why and changes nothing; those who may only read see no form and are refused. On SQLite and
PostgreSQL."""

from __future__ import annotations

import re

from tests.integration.test_console_http import Desk, ana, csrf_of, desk, log_in
from tocsin.model.people import Principal

__all__ = ["ana", "desk"]


def send(desk: Desk, path: str, page: str, **fields: str):  # type: ignore[no-untyped-def]
    return desk.client.post(path, data={"csrf": csrf_of(desk.client, page), **fields})


def opened(desk: Desk) -> str:
    answer = send(
        desk,
        "/cvd",
        "/cvd",
        title="Overflow in the router's web interface",
        reporter="Rosa Researcher",
        contact="rosa@example.org",
        vendors="Acme Networks, Example Corp",
        description="A long login name overflows a buffer.",
    )
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/cvd/(TOCSIN-VU-\d{4}-\d{4})", answer.headers["location"])
    assert found
    return found.group(1)


def test_a_case_is_opened_with_its_vendors_and_audited(desk: Desk, ana: Principal) -> None:
    public_id = opened(desk)
    page = desk.client.get(f"/cvd/{public_id}").text
    assert "Overflow in the router" in page and "Acme Networks" in page and "Example Corp" in page
    audit = desk.team.store.cases.audit_for("cvd", public_id)
    assert "cvd.create" in {entry.action for entry in audit}


def test_a_case_without_a_title_is_not_opened_and_the_form_says_why(
    desk: Desk, ana: Principal
) -> None:
    answer = send(desk, "/cvd", "/cvd", title="", reporter="Rosa")
    assert answer.status_code == 400
    assert 'id="form-error"' in answer.text and 'aria-invalid="true"' in answer.text
    assert "TOCSIN-VU-" not in answer.text.split("<tbody>")[1].split("</tbody>")[0]


def test_a_case_moves_and_an_illegal_move_is_refused(desk: Desk, ana: Principal) -> None:
    public_id = opened(desk)
    page = f"/cvd/{public_id}"
    assert send(desk, f"{page}/move", page, state="triaged").status_code == 303
    assert "<dd>triaged</dd>" in desk.client.get(page).text
    refused = send(desk, f"{page}/move", page, state="published")
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text
    assert "<dd>triaged</dd>" in desk.client.get(page).text


def test_a_message_a_vendor_and_a_product_are_added(desk: Desk, ana: Principal) -> None:
    public_id = opened(desk)
    page = f"/cvd/{public_id}"
    said = send(desk, f"{page}/log", page, direction="out", party="reporter", text="Thank you")
    assert said.status_code == 303
    vendor = send(desk, f"{page}/vendors", page, name="Third Vendor", status="contacted")
    assert vendor.status_code == 303
    product = send(
        desk, f"{page}/products", page, vendor="Acme Networks", identifier="pkg:generic/acme-os@4.2"
    )
    assert product.status_code == 303, product.text
    shown = desk.client.get(page).text
    assert "Thank you" in shown
    assert "Third Vendor" in shown and "contacted" in shown
    assert "pkg:generic/acme-os@4.2" in shown


def test_an_auditor_sees_no_form_and_is_refused(desk: Desk) -> None:
    desk.user("ana")
    assert log_in(desk.client, "ana").status_code == 303
    public_id = opened(desk)
    desk.client.cookies.clear()
    desk.user("audrey", role="auditor")
    assert log_in(desk.client, "audrey").status_code == 303
    page = f"/cvd/{public_id}"
    shown = desk.client.get(page).text
    assert f'action="{page}/move"' not in shown
    assert 'method="post" action="/cvd"' not in desk.client.get("/cvd").text
    refused = send(desk, f"{page}/move", page, state="triaged")
    assert refused.status_code == 403
