"""Due notices composed and handed to the mail server: in this process over one kept connection,
or spread over a few sender processes, each with its own connection, when there are many.

A sender only composes and sends: it reads the events of its notices from the store and answers
each notice's ``Delivery``; the desk that started it records every outcome, once. The shares
are disjoint (every n-th notice of the list, which is in priority order, so the urgent ones go
first in each), so no notice goes twice. Composing a notice costs about as much CPU as the mail
server takes to receive it: while one sender waits for the server's replies, another composes.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import multiprocessing
import pickle
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from tocsin.errors import TocsinError
from tocsin.model.constituent import Constituent
from tocsin.model.event import Event
from tocsin.model.notice import Format, Reason, reason
from tocsin.notify.compose import Sender, compose
from tocsin.notify.delivery import Delivery
from tocsin.notify.mime import Mail
from tocsin.notify.smtp import Mailer
from tocsin.notify.smtp_settings import SmtpSettings
from tocsin.store.base import Store

ROUND = 100  # notices whose events are read in one query and whose outcomes travel together
AT_LEAST = 250  # notices per sender process for it to be worth starting one
_PURPOSE = b"tocsin.notice-ack\x00"

Protect = Callable[..., Mail]  # (mail, *, recipient_key) -> the mail signed, or encrypted
Delivered = tuple[dict[str, Any], Delivery]  # a notice, and what became of it


@dataclass(frozen=True)
class Courier:
    """All a sender needs to write and send notices (picklable, so a process can be given it):
    who they come from, the mail server, the key of the acknowledgement links, the team's key."""

    sender: Sender
    smtp: SmtpSettings
    key: bytes
    protect: Protect | None = None

    def token(self, notice_id: int) -> str:
        """The acknowledgement token in the notice's link (an HMAC: nothing to store)."""
        mac = hmac.new(self.key, _PURPOSE + str(notice_id).encode(), hashlib.sha256)
        return mac.hexdigest()[:32]

    def mail(
        self, notice: dict[str, Any], constituent: Constituent | None, events: Sequence[Event]
    ) -> Mail:
        """The notice's e-mail as it will leave (signed and encrypted when keys are set)."""
        reasons: list[Reason] = []
        formats: frozenset[Format] = frozenset({Format.CSV})
        if constituent is not None:
            formats = constituent.notify.formats
            counted = Counter(
                reason(constituent.networks, constituent.asns, constituent.domains, e)
                for e in events
            )
            reasons = [r for r, _ in counted.most_common(5)]
        url = f"{self.sender.base_url.rstrip('/')}/notices/{notice['id']}/ack/"
        mail = compose(
            notice, events, reasons, formats, self.sender, url + self.token(notice["id"])
        )
        if self.protect is not None:
            key = constituent.notify.pgp_key if constituent is not None else None
            mail = self.protect(mail, recipient_key=key)
        return mail

    def send(
        self, store: Store, notices: Sequence[dict[str, Any]], registry: dict[str, Constituent]
    ) -> Iterator[Delivered]:
        """Each notice with its delivery, as it goes, over one kept connection."""
        with Mailer(self.smtp) as mailer:
            for start in range(0, len(notices), ROUND):
                batch = notices[start : start + ROUND]
                events = store.notices.events_of([n["id"] for n in batch])
                for notice in batch:
                    constituent = registry.get(notice["recipient"])
                    yield notice, mailer.send(self.mail(notice, constituent, events[notice["id"]]))


class Dispatch:
    """The notices of one run handed over: ``with Dispatch(…) as dispatch`` starts the sender
    processes at once when there will be notices enough for them (and a store they can open),
    so that they start up while the desk prepares the notices; ``deliveries`` then hands them
    out and yields each notice with its delivery as it comes back, from the senders or else
    from this process."""

    def __init__(self, courier: Courier, store: Store, count: int, workers: int) -> None:
        self.courier = courier
        self.store = store
        senders = min(workers, count // AT_LEAST)
        worth = senders > 1 and _shareable(store.url) and _travels(courier)
        self.senders = senders if worth else 0
        self._pipes: list[Connection] = []
        self._processes: list[multiprocessing.process.BaseProcess] = []

    def __enter__(self) -> Dispatch:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no lock of ours
        for _ in range(self.senders):
            mine, theirs = context.Pipe()
            process = context.Process(
                target=_sender, args=(self.courier, self.store.url, theirs), daemon=True
            )
            process.start()
            theirs.close()
            self._pipes.append(mine)
            self._processes.append(process)
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        for pipe in self._pipes:
            pipe.close()  # a sender still waiting for its share ends
        for process in self._processes:
            if kind is not None:  # the desk stopped: so do the senders (what they sent and did
                process.terminate()  # not report stays due, and goes again, same Message-ID)
            process.join()

    def deliveries(self, notices: list[dict[str, Any]]) -> Iterator[Delivered]:
        """Each notice with its delivery; every notice goes once (every n-th of the list to
        each sender: the list is in priority order, so each sends the urgent ones first)."""
        if not self.senders:
            registry = {c.name: c for c in self.store.constituents()}
            yield from self.courier.send(self.store, notices, registry)
            return
        by_id = {n["id"]: n for n in notices}
        for index, pipe in enumerate(self._pipes):
            pipe.send(notices[index :: self.senders])
        for report in _reports(self._pipes):
            for notice_id, delivery in report:
                yield by_id[notice_id], delivery
        self._ended()

    def _ended(self) -> None:
        """Wait for the senders to end; one that ended in error fails the run."""
        for process in self._processes:
            process.join()
        if ended := [p.exitcode for p in self._processes if p.exitcode]:
            raise TocsinError(f"a notice sender process ended with code {ended[0]}")


def _reports(pipes: list[Connection]) -> Iterator[list[tuple[int, Delivery]]]:
    """The senders' reports as they come, a round of deliveries at a time, until every sender
    has hung up; then the first error a sender reported is raised."""
    pipes = list(pipes)
    failure: BaseException | None = None
    while pipes:
        for ready in wait(pipes):
            assert isinstance(ready, Connection)
            try:
                said = ready.recv()
            except EOFError:  # done, or died: what it sent and did not report goes again
                pipes.remove(ready)
                continue
            if isinstance(said, BaseException):
                failure = failure or said
                continue
            yield said
    if failure is not None:
        raise failure


def _sender(courier: Courier, url: str, pipe: Connection) -> None:
    """A sender process: opens the store and reads the registry, then sends the share of the
    notices it is given, reporting their deliveries a round at a time; an error that stops it
    is reported last."""
    from tocsin.store import open_store

    store = open_store(url)
    done: list[tuple[int, Delivery]] = []
    try:
        registry = {c.name: c for c in store.constituents()}
        try:
            notices = pipe.recv()
        except EOFError:  # the desk stopped before handing anything out
            return
        for notice, delivery in courier.send(store, notices, registry):
            done.append((notice["id"], delivery))
            if len(done) == ROUND:
                pipe.send(done)
                done = []
        pipe.send(done)
    except Exception as error:
        with contextlib.suppress(OSError):  # unless the desk is gone
            pipe.send(done)
            pipe.send(_portable(error))
    finally:
        store.close()
        pipe.close()


def _portable(error: Exception) -> Exception:
    """The error itself when it survives pickling, else a TocsinError saying what it was."""
    return error if _travels(error) else TocsinError(f"{type(error).__name__}: {error}")


def _travels(thing: object) -> bool:
    """Whether ``thing`` can go to another process (and come back whole)."""
    try:
        pickle.loads(pickle.dumps(thing))  # noqa: S301 — our own bytes, just made
    except Exception:
        return False
    return True


def _shareable(url: str) -> bool:
    """Whether other processes can open the same database (not an in-memory SQLite)."""
    return bool(url) and ":memory:" not in url and url.rstrip("/") not in ("sqlite:", "sqlite:/")
