"""The notice desk built from the settings: the sender, the mail server, the team's key."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

from tocsin.cvd.cases import Cvd
from tocsin.errors import ConfigError, Conflict
from tocsin.formats.csaf import Publisher
from tocsin.model.cvd import State
from tocsin.model.numbers import parse_id
from tocsin.model.people import Principal
from tocsin.notify.compose import Sender
from tocsin.notify.dispatch import AT_LEAST, Protect
from tocsin.notify.notifier import Notifier, NotifySettings, Sent
from tocsin.notify.smtp import SmtpSettings
from tocsin.settings import Settings
from tocsin.store.base import Store

log = logging.getLogger("tocsin.notify")
PER_SENDER = AT_LEAST  # the fewest notices a sender process is started for


def notifier(settings: Settings, store: Store, now: Callable[[], int]) -> Notifier:
    if not settings.secret_key:
        raise ConfigError(
            "notices need a secret key (TOCSIN_SECRET_KEY, or the one Tocsin keeps in "
            "secret_key_file): their acknowledgement links are signed with it"
        )
    sender = Sender(
        team=settings.notify_team,
        address=settings.notify_from,
        domain=settings.notify_from.rpartition("@")[2] or "localhost",
        base_url=settings.public_url,
    )
    home = Path(settings.notify_gnupg_home) if settings.notify_gnupg_home else None
    config = NotifySettings(
        sender=sender,
        smtp=SmtpSettings.parse(settings.smtp_url),
        secret_key=settings.secret_key,
        resend_after=settings.notify_resend_after,
        digest_hour=settings.notify_digest_hour,
        per_domain=settings.notify_per_domain,
        gnupg_home=home,
        team_key=settings.notify_key or None,
    )
    protect = _protector(home, settings.notify_key) if home is not None else None
    return Notifier(store, config, now=now, protect=protect)


@dataclass(frozen=True, slots=True)
class Round:
    """What one run of the notice desk did."""

    planned: int
    reminded: int
    sent: Sent

    def line(self) -> str:
        parts = ", ".join(f"{n} {state}" for state, n in sorted(self.sent.outcomes.items()))
        return f"planned {self.planned}, reminders {self.reminded}; sent: {parts or 'nothing'}"


def run_round(notices: Notifier, *, workers: int = 2) -> Round:
    """Plan the new events, queue the urgent notices nobody acknowledged, send what is due."""
    planned = len(notices.plan().notices)
    reminded = notices.remind()
    return Round(planned, reminded, notices.send(workers=workers))


def _protector(home: Path, key: str) -> Protect:
    from tocsin.notify.pgp import Sealer

    if not key:
        raise ConfigError("TOCSIN_NOTIFY_GNUPG_HOME is set: TOCSIN_NOTIFY_KEY must name the key")
    return Sealer(home, key)


def announce_advisory(
    settings: Settings, store: Store, now: Callable[[], int], who: Principal, ref: str
) -> list[int]:
    """Send a published case's CSAF advisory to the constituents it concerns, through the
    notices (once each); refused while the case is unpublished or under embargo."""
    cvd = Cvd(store, now=now)
    number = parse_id(ref.strip())
    case = cvd.by_public_id(who, ref) if number is None else cvd.get(who, number)
    if case.state is not State.PUBLISHED:
        raise Conflict(f"{case.public_id} is {case.state.label}: only a published case is sent")
    publisher = Publisher(settings.notify_team, settings.public_url)
    document = cvd.advisory(who, case.id, publisher=publisher)  # refuses under embargo
    recipients = cvd.affected_constituents(case.id)
    return notifier(settings, store, now).announce(
        recipients, case.public_id, orjson.dumps(document).decode()
    )
