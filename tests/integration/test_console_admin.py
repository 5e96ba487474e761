"""Evidence on the incident page, user administration and the audit log page over HTTP,
in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx2 import Response

from tests.desk import Team, make_team
from tests.integration.test_console_http import PASSWORD, csrf_of, log_in
from tocsin.cases.evidence import Evidence
from tocsin.cases.evidence_files import EvidenceFiles
from tocsin.model.incident import Incident
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.services.desk import Desk as TocsinDesk
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app
from tocsin.web.common.deps import install, web_of

CONTENT = b"<html><script>alert('evidence is never rendered')</script></html>\n"
NAME = "résumé (draft).html"


@dataclass
class Desk:
    team: Team
    accounts: Accounts
    client: TestClient
    incident: Incident

    def user(self, name: str, role: str = "analyst", org_id: int | None = None) -> Principal:
        """A person who can log in (argon2 makes this cost about 0.1 s: create few)."""
        created = self.accounts.add_user(
            Principal.system(),
            name=name,
            password=PASSWORD,
            role=role,
            org_id=self.team.org_id if org_id is None else org_id,
        )
        return Principal.of(created)

    def logged_in(self, name: str, role: str = "analyst", org_id: int | None = None) -> Principal:
        who = self.user(name, role, org_id)
        self.client.cookies.clear()
        assert log_in(self.client, name).status_code == 303
        return who

    def evidence(self) -> list[dict[str, object]]:
        return self.team.store.cases.evidence(self.incident.id)

    def actions(self) -> list[str]:
        return [e.action for e in self.team.store.cases.audit()]


@pytest.fixture
def desk(settings: Settings, store: Store, tmp_path: Path) -> Iterator[Desk]:
    """The team of tests.desk with one open incident; evidence is kept under ``tmp_path``."""
    team = make_team(store)
    incident = team.desk.create(
        team.people["analyst"],
        title="Phishing kit on a ministry site",
        type="phishing",
        priority="P2",
    )
    app = create_app(replace(settings, data_dir=str(tmp_path / "data")), clock=team.clock)
    with TestClient(app, follow_redirects=False) as client:
        yield Desk(team, Accounts(store, now=team.clock), client, incident)


def upload(desk: Desk, content: bytes = CONTENT, name: str = NAME, csrf: bool = True) -> Response:
    path = f"/incidents/{desk.incident.id}"
    form = {"csrf": csrf_of(desk.client, path)} if csrf else {}
    return desk.client.post(f"{path}/evidence", data=form, files={"file": (name, content)})


def post(desk: Desk, path: str, **fields: str) -> Response:
    """A form POST with the CSRF token of the users page."""
    return desk.client.post(path, data={"csrf": csrf_of(desk.client, "/users"), **fields})


# -- evidence ------------------------------------------------------------------------------------


def test_uploaded_evidence_is_listed_and_downloaded_only_as_an_attachment(desk: Desk) -> None:
    """The upload 303s back to the incident, which lists name, size, type, SHA-256 and uploader;
    the download is the same bytes, as an opaque attachment that is never sniffed nor cached."""
    desk.logged_in("ana")
    response = upload(desk)
    assert response.status_code == 303
    assert response.headers["location"] == f"/incidents/{desk.incident.id}"
    (item,) = desk.evidence()
    digest = hashlib.sha256(CONTENT).hexdigest()
    page = desk.client.get(f"/incidents/{desk.incident.id}").text
    row = page.split('id="evidence"')[1]
    for shown in ("résumé (draft).html", str(len(CONTENT)), "text/plain", digest, "by ana"):
        assert shown in row, shown
    assert f'href="/evidence/{item["id"]}"' in row

    got = desk.client.get(f"/evidence/{item['id']}")
    assert got.status_code == 200
    assert got.content == CONTENT
    assert got.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20%28draft%29.html"
    )
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["cache-control"] == "no-store"


def test_the_custody_page_lists_the_upload_and_each_download(desk: Desk) -> None:
    """After an upload and a download the custody page has both lines, with who and the hash;
    both are in the audit log too."""
    desk.logged_in("ana")
    upload(desk)
    (item,) = desk.evidence()
    assert desk.client.get(f"/evidence/{item['id']}").status_code == 200
    page = desk.client.get(f"/evidence/{item['id']}/custody")
    assert page.status_code == 200
    rows = re.findall(r"<tr><td>.*?</tr>", page.text, re.S)
    assert len(rows) == 2
    assert "ana" in rows[0] and "uploaded" in rows[0] and str(item["sha256"]) in rows[0]
    assert "ana" in rows[1] and "downloaded" in rows[1]
    assert {"evidence.upload", "evidence.download"} <= set(desk.actions())


def test_evidence_over_the_limit_is_413_at_the_field(desk: Desk, tmp_path: Path) -> None:
    """Past the size limit: 413, the incident page with the message at the file field, and
    nothing stored."""
    app = desk.client.app
    web = web_of(app)
    small = Evidence(
        web.desk.store, web.desk.incidents, EvidenceFiles(tmp_path / "small", max_bytes=100)
    )
    install(app, replace(web, desk=replace(web.desk, evidence=small)))
    desk.logged_in("ana")
    response = upload(desk, b"x" * 101, "big.bin")
    assert response.status_code == 413
    assert re.search(r'id="e-file"[^>]*aria-invalid="true"', response.text)
    field = response.text.split('id="e-file-error"')[1].split("</p>")[0]
    assert "larger than the limit of 100 bytes" in field
    assert desk.evidence() == []
    assert upload(desk, b"x" * 100, "fits.bin").status_code == 303


def test_an_upload_without_a_file_is_400_at_the_field(desk: Desk) -> None:
    """Submitting the form with no file chosen shows the page again with the message."""
    desk.logged_in("ana")
    path = f"/incidents/{desk.incident.id}"
    response = desk.client.post(
        f"{path}/evidence", data={"csrf": csrf_of(desk.client, path)}, files={"file": ("", b"")}
    )
    assert response.status_code == 400
    assert "choose a file to upload" in response.text.split('id="e-file-error"')[1]
    assert desk.evidence() == []


def test_an_upload_without_the_csrf_token_is_403(desk: Desk) -> None:
    """Without the session's CSRF token the upload is refused and nothing is stored."""
    desk.logged_in("ana")
    response = upload(desk, csrf=False)
    assert response.status_code == 403 and "reload the page" in response.text
    assert desk.evidence() == []


def test_an_auditor_may_not_upload(desk: Desk) -> None:
    """An auditor sees no upload form, and a forged upload gets 403 and stores nothing."""
    desk.logged_in("audrey", role="auditor")
    page = desk.client.get(f"/incidents/{desk.incident.id}").text
    assert 'type="file"' not in page
    assert upload(desk).status_code == 403
    assert desk.evidence() == []


def test_another_organisation_gets_404_for_evidence(desk: Desk) -> None:
    """Someone of another team gets 404 for our evidence and its custody, learns nothing of the
    file, and no custody line is written."""
    service = web_of(desk.client.app).desk.evidence
    item = service.upload(
        desk.team.people["analyst"], desk.incident.id, BytesIO(b"x"), "secret-name.txt"
    )
    desk.logged_in("otto", org_id=desk.team.other_org_id)
    for suffix in ("", "/custody"):
        ours = desk.client.get(f"/evidence/{item}{suffix}")
        assert ours.status_code == 404
        assert "secret-name" not in ours.text and "content-disposition" not in ours.headers
        assert desk.client.get(f"/evidence/99999{suffix}").status_code == 404
    assert [c["action"] for c in desk.team.store.cases.custody(item)] == ["uploaded"]


def test_another_organisations_evidence_looks_missing(desk: Desk) -> None:
    """Another team's evidence gets the very same 404 page as evidence that does not exist."""
    service = web_of(desk.client.app).desk.evidence
    item = service.upload(desk.team.people["analyst"], desk.incident.id, BytesIO(b"x"), "x")
    desk.logged_in("otto", org_id=desk.team.other_org_id)
    assert desk.client.get(f"/evidence/{item}").text == desk.client.get("/evidence/99999").text


# -- users ---------------------------------------------------------------------------------------


def test_an_admin_adds_disables_enables_and_resets_a_user(desk: Desk) -> None:
    """Each form 303s back to the list and takes effect, and each change shows in the audit log
    page."""
    desk.logged_in("adam", role="admin")
    page = desk.client.get("/users")
    assert page.status_code == 200
    assert "National CSIRT" in page.text and "adam" in page.text
    form = {"username": "bea", "display_name": "Bea Lead", "role": "lead", "password": PASSWORD}
    steps = [
        ("/users", form),
        ("/users/bea/disable", {}),
        ("/users/bea/enable", {}),
        ("/users/bea/password", {"password": "a new and long passphrase"}),
    ]
    for path, fields in steps:
        response = post(desk, path, **fields)
        assert response.status_code == 303, (path, response.text)
        assert response.headers["location"] == "/users"
    row = desk.client.get("/users").text.split('<th scope="row">bea</th>')[1].split("</tr>")[0]
    assert "Bea Lead" in row and "lead" in row and "active" in row and "off" in row
    user = desk.team.store.people.user_named("bea")
    assert user is not None and user.org_id == desk.team.org_id and not user.disabled
    desk.accounts.authenticate("bea", "a new and long passphrase")

    audit = desk.client.get("/audit").text
    for action in ("user.create", "user.disable", "user.enable", "user.password"):
        assert re.search(rf"<td>adam</td>\s*<td>{action}</td>\s*<td>user bea</td>", audit), action
    assert "a new and long passphrase" not in audit and PASSWORD not in audit


def test_a_refused_new_user_shows_the_form_again_at_its_field(desk: Desk) -> None:
    """A short password: 400, the message linked to the password field, the name kept, nobody
    added."""
    desk.logged_in("adam", role="admin")
    response = post(desk, "/users", username="bea", display_name="", role="lead", password="short")
    assert response.status_code == 400
    assert 'href="#u-password"' in response.text
    assert re.search(r'id="u-username"[^>]*value="bea"', response.text)
    assert desk.team.store.people.user_named("bea") is None


def test_a_lead_may_not_manage_users(desk: Desk) -> None:
    """A lead gets 403 on the users page and on every form; nothing changes; the navigation
    offers the audit log but not the users."""
    desk.logged_in("lena", role="lead")
    nav = desk.client.get("/console").text.split("</nav>")[0]
    assert 'href="/audit"' in nav and 'href="/users"' not in nav
    assert desk.client.get("/users").status_code == 403
    token = csrf_of(desk.client)
    form = {"csrf": token, "username": "bea", "role": "admin", "password": PASSWORD}
    assert desk.client.post("/users", data=form).status_code == 403
    assert desk.client.post("/users/analyst/disable", data={"csrf": token}).status_code == 403
    assert desk.team.store.people.user_named("bea") is None
    analyst = desk.team.store.people.user_named("analyst")
    assert analyst is not None and not analyst.disabled


def test_user_forms_without_the_csrf_token_are_403(desk: Desk) -> None:
    """An admin's POSTs without the CSRF token are refused and change nothing."""
    desk.logged_in("adam", role="admin")
    before = desk.actions()
    assert desk.client.post("/users/analyst/disable").status_code == 403
    form = {"username": "bea", "role": "lead", "password": PASSWORD}
    assert desk.client.post("/users", data=form).status_code == 403
    analyst = desk.team.store.people.user_named("analyst")
    assert analyst is not None and not analyst.disabled
    assert desk.team.store.people.user_named("bea") is None
    assert desk.actions() == before


# -- the audit log -------------------------------------------------------------------------------


def test_the_audit_page_shows_the_verdict_intact_then_broken(
    desk: Desk, store: Store, settings: Settings
) -> None:
    """The page says the log is intact up to its last entry, with its head; after an entry is
    changed in the database it names the first broken entry."""
    desk.logged_in("audrey", role="auditor")
    TocsinDesk.build(settings, store, clock=desk.team.clock).audit.checkpoint()
    entries = store.cases.audit()
    page = desk.client.get("/audit")
    assert page.status_code == 200
    assert f"audit log intact up to entry {len(entries)}, covered by checkpoint" in page.text
    assert f"head {entries[-1].hash}" in page.text
    with store.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(sa.text("UPDATE audit_log SET actor = 'x' WHERE seq = 2"))
    page = desk.client.get("/audit")
    assert "audit log REWRITTEN at entry 2: its content was altered" in page.text
    assert "intact" not in page.text


def test_the_audit_page_pages_from_the_newest(desk: Desk, store: Store) -> None:
    """The newest 50 entries first, newest at the top; "Older entries" leads back to the first."""
    with store.transaction() as conn:
        for n in range(60):
            store.cases.append_audit(
                conn,
                at=desk.team.clock(),
                actor="tocsin",
                action="test.fill",
                object_type="test",
                object_id=str(n),
                details={"n": n},
            )
    desk.logged_in("adam", role="admin")
    last = store.cases.audit()[-1].seq
    page = desk.client.get("/audit").text
    seqs = [int(s) for s in re.findall(r'<th scope="row">(\d+)</th>', page)]
    assert seqs == list(range(last, last - 50, -1))
    older = re.search(r'href="/audit\?after=(\d+)">Older entries', page)
    assert older is not None
    rest = desk.client.get(f"/audit?after={older.group(1)}").text
    seqs = [int(s) for s in re.findall(r'<th scope="row">(\d+)</th>', rest)]
    assert seqs[0] == 50 and seqs[-1] == 1  # pages hold 50 after ``after``: 13–50 again
    assert 'href="/audit">The newest' in rest


@pytest.mark.parametrize("role", ["analyst", "partner"])
def test_the_audit_page_is_403_for_other_roles(desk: Desk, role: str) -> None:
    """Analysts and partners may not read the audit log, nor see it in the navigation."""
    desk.logged_in("pat", role=role)
    refused = desk.client.get("/audit")
    assert refused.status_code == 403
    assert 'href="/audit"' not in refused.text.split("</nav>")[0]


def test_an_oversized_request_is_refused_before_it_is_read(desk: Desk) -> None:
    """A body announced larger than 26 MB gets 413 at once, with the security headers."""
    response = desk.client.post(
        "/incidents/1/evidence",
        content=b"x",
        headers={"content-length": str(27 * 1024 * 1024), "content-type": "multipart/form-data"},
    )
    assert response.status_code == 413
    assert "content-security-policy" in response.headers
