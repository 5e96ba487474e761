"""The names of the domain that the web and the command line may use, all here: the services'
types (for annotations) and the few values a form handles itself (an upload, its refusals and
limits, the name a download is given). The adapters import them from here, never from the
domain packages, so the import contracts can keep them to the services layer."""

from __future__ import annotations

from tocsin.assist.directory import Contacts
from tocsin.assist.duty import ClockView, RegisterRow
from tocsin.assist.exchange import Delivery, Exchange
from tocsin.assist.prints import Printed
from tocsin.assist.record import Result
from tocsin.assist.requests import Assistance
from tocsin.auth.envelopes import EnvelopeRefused
from tocsin.cases.audit import AuditLog
from tocsin.cases.bulk import Bulk, BulkOutcome, MergePlan
from tocsin.cases.dossier import Dossier
from tocsin.cases.evidence import Evidence
from tocsin.cases.evidence_files import EvidenceTooLarge, safe_download_name
from tocsin.cases.handover import Change
from tocsin.cases.incidents import Incidents, QueueRow
from tocsin.cases.playbooks import Playbook, offered
from tocsin.cases.queue import QueuePage
from tocsin.cases.related import Related
from tocsin.cases.reports import (
    MAX_FILES,
    Addition,
    AlreadySent,
    FileRefused,
    Progress,
    Reports,
    StartStamp,
    Upload,
)
from tocsin.cvd.cases import Cvd
from tocsin.model.assist.bases import Basis
from tocsin.model.assist.figures import TABLES as FIGURE_TABLES
from tocsin.model.assist.figures import Figures
from tocsin.model.assist.request import (
    Contact,
    Direction,
    Identifier,
    LedgerEntry,
    Link,
    Message,
    Request,
    Safeguards,
    Step,
)
from tocsin.model.assist.states import Ground, Reason, State
from tocsin.notify.notifier import Notifier
from tocsin.services.assist_views import RequestView, element_labels
from tocsin.share.sharing import Sharing
from tocsin.stats.report import Report as YearReport

__all__ = [
    "FIGURE_TABLES",
    "MAX_FILES",
    "Addition",
    "AlreadySent",
    "Assistance",
    "AuditLog",
    "Basis",
    "Bulk",
    "BulkOutcome",
    "Change",
    "ClockView",
    "Contact",
    "Contacts",
    "Cvd",
    "Delivery",
    "Direction",
    "Dossier",
    "EnvelopeRefused",
    "Evidence",
    "EvidenceTooLarge",
    "Exchange",
    "Figures",
    "FileRefused",
    "Ground",
    "Identifier",
    "Incidents",
    "LedgerEntry",
    "Link",
    "MergePlan",
    "Message",
    "Notifier",
    "Playbook",
    "Printed",
    "Progress",
    "QueuePage",
    "QueueRow",
    "Reason",
    "RegisterRow",
    "Related",
    "Reports",
    "Request",
    "RequestView",
    "Result",
    "Safeguards",
    "Sharing",
    "StartStamp",
    "State",
    "Step",
    "Upload",
    "YearReport",
    "element_labels",
    "offered",
    "safe_download_name",
]
