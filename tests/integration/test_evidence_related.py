"""Evidence with its chain of custody, and related items, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.desk import Team, make_team
from tests.factories import make_event, rows
from tocsin.cases.evidence import Evidence
from tocsin.cases.evidence_files import EvidenceFiles, EvidenceTooLarge
from tocsin.cases.related import related
from tocsin.errors import Forbidden, NotFound, TocsinError
from tocsin.store import Store


@pytest.fixture
def team(store: Store) -> Team:
    return make_team(store)


@pytest.fixture
def evidence(team: Team, tmp_path: Path) -> Evidence:
    return Evidence(team.store, team.desk, EvidenceFiles(tmp_path / "evidence", max_bytes=1000))


def incident(team: Team, *indicators: tuple[str, str]) -> int:
    return team.desk.create(
        team.people["analyst"],
        title="x",
        type="phishing",
        priority="P3",
        indicators=list(indicators),
    ).id


def test_upload_and_download_keep_a_chain_of_custody(team: Team, evidence: Evidence) -> None:
    """An upload is hashed and typed by its bytes; each upload and download is a custody line
    and an audit entry naming who, when and the hash."""
    analyst, lead = team.people["analyst"], team.people["lead"]
    incident_id = incident(team)
    item = evidence.upload(analyst, incident_id, io.BytesIO(b"%PDF-1.7 made up"), "../ransom.html")
    (stored,) = evidence.items(lead, incident_id)
    assert stored["filename"] == "ransom.html" and stored["media_type"] == "application/pdf"
    got = evidence.download(lead, item)
    with got.stream:
        assert got.stream.read() == b"%PDF-1.7 made up"
    custody = evidence.custody(lead, item)
    assert [(c["actor"], c["action"]) for c in custody] == [
        ("analyst", "uploaded"),
        ("lead", "downloaded"),
    ]
    assert {c["sha256"] for c in custody} == {stored["sha256"]}
    actions = [e.action for e in team.store.cases.audit()]
    assert "evidence.upload" in actions and "evidence.download" in actions


def test_evidence_is_refused_when_too_large_or_not_allowed(team: Team, evidence: Evidence) -> None:
    """Over the size limit nothing is stored; an auditor may not upload; another team cannot
    see the item at all."""
    incident_id = incident(team)
    with pytest.raises(EvidenceTooLarge):
        evidence.upload(team.people["analyst"], incident_id, io.BytesIO(b"x" * 1001), "big")
    assert evidence.items(team.people["analyst"], incident_id) == []
    with pytest.raises(Forbidden):
        evidence.upload(team.people["auditor"], incident_id, io.BytesIO(b"x"), "x")
    item = evidence.upload(team.people["analyst"], incident_id, io.BytesIO(b"x"), "x")
    with pytest.raises(NotFound):
        evidence.download(team.people["outsider"], item)


def test_a_file_changed_on_disk_is_not_served(
    team: Team, evidence: Evidence, tmp_path: Path
) -> None:
    """If the stored bytes no longer match their hash, the download is refused."""
    item = evidence.upload(team.people["analyst"], incident(team), io.BytesIO(b"original"), "a")
    (path,) = [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]
    path.chmod(0o600)
    path.write_bytes(b"tampered")
    with pytest.raises(TocsinError, match="no longer matches"):
        evidence.download(team.people["lead"], item)


def test_related_incidents_and_events_share_an_indicator(team: Team) -> None:
    """Incidents and stored events sharing an address with an incident are listed, with the
    shared indicator; unrelated ones are not, and hidden incidents never show."""
    team.store.write(
        rows(make_event(source__ip="192.0.2.50"), make_event(source__ip="192.0.2.51")), []
    )
    first = incident(team, ("ip", "192.0.2.50"))
    second = incident(team, ("ip", "192.0.2.50"), ("fqdn", "phish.example"))
    incident(team, ("ip", "198.51.100.1"))
    found = related(team.desk, team.people["analyst"], first)
    assert [(i.id, why) for i, why in found.incidents] == [(second, "ip 192.0.2.50")]
    assert [e["source.ip"] for e, _ in found.events] == ["192.0.2.50"]
    with pytest.raises(NotFound):
        related(team.desk, team.people["outsider"], first)
