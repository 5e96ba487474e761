"""Evidence on incidents: uploaded into the content-addressed store, downloaded as attachments,
and every action written to the item's chain of custody and to the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO

from tocsin.cases.evidence_files import EvidenceFiles, safe_download_name
from tocsin.cases.incidents import Incidents
from tocsin.errors import NotFound, TocsinError
from tocsin.model import access
from tocsin.model.people import Principal
from tocsin.store.base import Store


@dataclass(frozen=True, slots=True)
class Download:
    name: str  # safe for Content-Disposition
    media_type: str  # sniffed from the bytes at upload, served only as an attachment
    sha256: str
    size: int
    stream: BinaryIO


class Evidence:
    def __init__(self, store: Store, incidents: Incidents, files: EvidenceFiles) -> None:
        self.store = store
        self.incidents = incidents
        self.cases = store.cases
        self.files = files

    def upload(self, who: Principal, incident_id: int, stream: BinaryIO, filename: str) -> int:
        incident = access.changeable(who, self.cases.incident(incident_id))
        stored = self.files.put(stream)
        name = safe_download_name(filename)
        now = self.incidents.now()
        with self.store.transaction() as conn:
            evidence_id = self.cases.add_evidence(
                conn,
                incident_id=incident.id,
                sha256=stored.sha256,
                filename=name,
                size=stored.size,
                media_type=stored.media_type,
                uploaded_by=who.username,
                uploaded_at=now,
            )
            self.cases.add_custody(
                conn,
                evidence_id=evidence_id,
                at=now,
                actor=who.username,
                action="uploaded",
                sha256=stored.sha256,
            )
            self.incidents.record(
                conn,
                who,
                incident,
                "evidence.upload",
                "evidence",
                f"evidence {name} ({stored.size} bytes, sha256 {stored.sha256[:16]}…)",
                {"evidence": evidence_id, "sha256": stored.sha256, "size": stored.size},
            )
        return evidence_id

    def items(self, who: Principal, incident_id: int) -> list[dict[str, Any]]:
        access.visible(who, self.cases.incident(incident_id))
        return self.cases.evidence(incident_id)

    def custody(self, who: Principal, evidence_id: int) -> list[dict[str, Any]]:
        item = self._item(who, evidence_id)
        return self.cases.custody(item["id"])

    def download(self, who: Principal, evidence_id: int) -> Download:
        """The file, after checking its hash still matches (a court will ask)."""
        item = self._item(who, evidence_id)
        if not self.files.verify(item["sha256"]):
            raise TocsinError("this evidence file no longer matches its hash; it is not served")
        now = self.incidents.now()
        with self.store.transaction() as conn:
            self.cases.add_custody(
                conn,
                evidence_id=item["id"],
                at=now,
                actor=who.username,
                action="downloaded",
                sha256=item["sha256"],
            )
            self.cases.append_audit(
                conn,
                at=now,
                actor=who.username,
                action="evidence.download",
                object_type="evidence",
                object_id=str(item["id"]),
                details={"sha256": item["sha256"]},
            )
        return Download(
            item["filename"],
            item["media_type"],
            item["sha256"],
            item["size"],
            self.files.open(item["sha256"]),
        )

    def item(self, who: Principal, evidence_id: int) -> dict[str, Any]:
        """One item's record (name, size, type, hash, incident), if its incident may be seen."""
        return self._item(who, evidence_id)

    def _item(self, who: Principal, evidence_id: int) -> dict[str, Any]:
        """The item; the same NotFound whether it does not exist or may not be seen (another
        team learns nothing, not even that the number is taken)."""
        item = self.cases.evidence_item(evidence_id)
        incident = self.cases.incident(item["incident_id"]) if item is not None else None
        if item is None or incident is None or not access.can_see(who, incident):
            raise NotFound("no such evidence")
        return item
