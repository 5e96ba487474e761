"""Notify benchmark: matched events batched into notices and handed to a local SMTP server.

    python bench/notify.py [--constituents 10000] [--events 100000] [--database-url URL] [--sign]

Registers N constituents (a /24 or a /28 of private ranges each, ``soc@c<N>.example``, English
or French, CSV, XARF or both) and M events spread over them (types and priorities mixed, so both
immediate notices and daily digests are planned) in a fresh SQLite store (give --database-url
postgresql://… for an empty PostgreSQL database), starts a local SMTP server (aiosmtpd) in a
process of its own that counts what it accepts, then times the notice desk: plan, send, and the
whole batch. In the same run, as a baseline, the same number of bare minimal messages go to the
same server process through plain smtplib over one connection: what the transport alone costs.
The server runs apart, as a mail server would, so it does not contend for this process's GIL;
its CPU is printed apart, and it shares the machine's cores with the sender. With --sign every
notice is also signed (PGP/MIME) with a throwaway team key made in a temporary GnuPG home;
--workers sets the sender processes (--workers 1: the desk sends alone); --profile writes a
cProfile (CPU of this process's thread) of plan and send, where the sending shows with
--workers 1 only. Not a test: figures only.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import shutil
import smtplib
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tocsin.model.constituent import Constituent
from tocsin.model.event import fingerprint
from tocsin.model.fields import sanitize
from tocsin.model.taxonomy import taxonomy_of
from tocsin.notify.compose import Sender
from tocsin.notify.dispatch import Protect
from tocsin.notify.notifier import Notifier, NotifySettings
from tocsin.notify.smtp import SmtpSettings
from tocsin.pipeline.stages.dedupe import rank
from tocsin.services.desk import audit_keys
from tocsin.settings import Settings
from tocsin.store import Store, open_store
from tocsin.store.rows import EventRow, event_row

NOW = 1_795_830_000 + 10 * 3600  # 2026-11-28 10:20 UTC: after the digest hour
TYPES = [
    "infected-system",
    "vulnerable-system",
    "scanner",
    "c2-server",
    "phishing",
    "brute-force",
    "ddos-amplifier",
    "potentially-unwanted-accessible",
    "information-disclosure",
    "spam",
]
PRIORITIES = ["P1"] * 1 + ["P2"] * 2 + ["P3"] * 4 + ["P4"] * 3  # 3 in 10 go at once
FORMATS = [["csv"], ["xarf"], ["csv", "xarf"]]
CHUNK = 10_000


class Counting:
    """The server's handler: counts messages and bytes, keeps nothing."""

    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages += 1
        self.bytes += len(envelope.original_content or b"")
        return "250 2.0.0 Ok: queued"


class LoopbackController(Controller):
    """aiosmtpd's threaded server on a loopback port the kernel picks."""

    def __init__(self, handler: Any) -> None:
        super().__init__(handler, hostname="127.0.0.1", server_hostname="mx.bench")

    def _create_server(self) -> Any:  # runs in the server's thread
        listener = socket.create_server(("127.0.0.1", 0))
        self.port = listener.getsockname()[1]
        return self.loop.create_server(self._factory_invoker, sock=listener)


def serve(pipe: Connection) -> None:
    """The SMTP server's process: sends its port, then answers each "count" with the messages
    and bytes received and its CPU seconds so far, until told anything else."""
    handler = Counting()
    controller = LoopbackController(handler)
    controller.start()
    try:
        pipe.send(controller.port)
        while pipe.recv() == "count":
            pipe.send((handler.messages, handler.bytes, time.process_time()))
    finally:
        controller.stop()


class Server:
    """The local SMTP server in a process of its own (spawned: no thread of ours comes along)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=serve, args=(theirs,), daemon=True)
        self.process.start()
        self.port: int = self.pipe.recv()

    def counts(self) -> tuple[int, int, float]:
        """Messages and bytes received, and the server's CPU seconds, so far."""
        self.pipe.send("count")
        messages, received, cpu = self.pipe.recv()
        return messages, received, cpu

    def stop(self) -> None:
        self.pipe.send("stop")
        self.process.join(timeout=10)


def network(n: int) -> str:
    """A distinct private range per constituent: 10.x.y.0/24 for the even, a /28 in
    172.16.0.0/12 for the odd."""
    if n % 2 == 0:
        return f"10.{(n // 2) // 256}.{(n // 2) % 256}.0/24"
    block = n // 2
    return f"172.{16 + block // 4096}.{(block // 16) % 256}.{(block % 16) * 16}/28"


def host(net: str, rng: random.Random) -> str:
    base, _, bits = net.partition("/")
    a, b, c, d = (int(x) for x in base.split("."))
    size = 256 if bits == "24" else 16
    return f"{a}.{b}.{c}.{d + rng.randrange(1, size - 1)}"


def constituents(count: int, rng: random.Random) -> list[Constituent]:
    made = []
    for n in range(count):
        notify: dict[str, Any] = {
            "addresses": [f"soc@c{n}.example"],
            "lang": "fr" if n % 3 == 0 else "en",
            "formats": FORMATS[n % len(FORMATS)],
        }
        if n % 10 == 0:
            notify["refuse"] = ["spam"]
        if n % 7 == 0:
            notify["immediate"] = ["P1"]
        made.append(
            Constituent.from_mapping(
                {
                    "name": f"Constituent {n}",
                    "sector": rng.choice(["energy", "health", ""]),
                    "networks": [network(n)],
                    "abuse_contact": f"abuse@c{n}.example",
                    "notify": notify,
                }
            )
        )
    return made


def events(count: int, registry: list[Constituent], rng: random.Random) -> Iterator[EventRow]:
    """``count`` valid, fingerprinted events over the constituents, seen in the last six days."""
    for i in range(count):
        owner = registry[i % len(registry)]
        kind = rng.choice(TYPES)
        seen = datetime.fromtimestamp(NOW - rng.randrange(600, 6 * 86400), tz=UTC)
        raw = {
            "feed.name": "bench",
            "classification.type": kind,
            "tlp": "AMBER",
            "time.source": seen.isoformat(),
            "time.observation": seen.isoformat(),
            "source.ip": host(owner.networks[0], rng),
            "source.port": 1024 + i // len(registry),
            "source.asn": 64500 + i % 20,
            "protocol.transport": "tcp",
            "tocsin.priority": rng.choice(PRIORITIES),
            "tocsin.constituent": owner.name,
        }
        event = {k: sanitize(k, v) for k, v in raw.items()}
        event["classification.taxonomy"] = taxonomy_of(kind)
        event["tocsin.fingerprint"] = fingerprint(event)
        yield event_row(event, rank(event))


def seed(store: Store, count: int, registry: list[Constituent], rng: random.Random) -> int:
    written = 0
    chunk: list[EventRow] = []
    for row in events(count, registry, rng):
        chunk.append(row)
        if len(chunk) == CHUNK:
            written += store.write(chunk, [])
            chunk = []
    if chunk:
        written += store.write(chunk, [])
    return written


def baseline(port: int, count: int) -> float:
    """Seconds for ``count`` bare messages over one plain smtplib connection."""
    message = EmailMessage()
    message["From"] = "cert@csirt.example"
    message["To"] = "soc@c0.example"
    message["Subject"] = "bench"
    message.set_content("x\n")
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        for _ in range(count):
            client.send_message(message)
    return time.perf_counter() - started


def signer() -> tuple[Protect, Callable[[], None]]:
    """A throwaway team key in a short-pathed GnuPG home, and what signs with it."""
    from tocsin.notify.pgp import Keyring, Sealer

    keyring = Keyring(Path(tempfile.mkdtemp(prefix="g", dir="/tmp")) / "h")
    key = keyring.generate_key("Bench CSIRT", "cert@csirt.example")

    def close() -> None:
        keyring.close()
        shutil.rmtree(keyring.home.parent, ignore_errors=True)

    return Sealer(keyring.home, key), close


def _children_cpu() -> float:
    """CPU seconds of the child processes that have ended (the senders, once joined)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--constituents", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument(
        "--database-url", help="an empty database; default: a fresh SQLite file in a temp folder"
    )
    parser.add_argument("--sign", action="store_true", help="sign every notice (PGP/MIME)")
    parser.add_argument(
        "--workers", type=int, default=2, help="sender processes (default 2, as tocsin notify)"
    )
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of plan and send")
    args = parser.parse_args()

    rng = random.Random(6)
    work = Path(tempfile.mkdtemp(prefix="tocsin-notify-bench-"))
    url = args.database_url or f"sqlite:///{work / 'tocsin.db'}"
    server = Server()
    close_signer: Callable[[], None] = lambda: None  # noqa: E731
    keys = audit_keys(Settings(database_url=url, data_dir=str(work / "data")))
    store = open_store(url, audit_key=keys.mac)  # sealed as the desk seals it
    try:
        started = time.perf_counter()
        registry = constituents(args.constituents, rng)
        store.replace_constituents(registry)
        written = seed(store, args.events, registry, rng)
        print(
            f"seeded {len(registry):,} constituents and {written:,} events "
            f"in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        protect = None
        if args.sign:
            protect, close_signer = signer()
        settings = NotifySettings(
            sender=Sender(
                "National CSIRT", "cert@csirt.example", "csirt.example", "https://tocsin.example"
            ),
            smtp=SmtpSettings("127.0.0.1", server.port, timeout=30, helo="tocsin.bench"),
            secret_key="b" * 40,
            per_domain=1000,
        )
        desk = Notifier(store, settings, now=lambda: NOW, protect=protect)
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile(time.thread_time)  # this thread's CPU, not the wait
            profiler.enable()
        _, _, server_cpu = server.counts()
        started, cpu = time.perf_counter(), time.process_time()
        senders_cpu = _children_cpu()
        planned = desk.plan()
        planning = time.perf_counter() - started
        notices = len(planned.notices)
        sent = desk.send(limit=notices + 1, workers=args.workers)
        whole = time.perf_counter() - started
        sending = whole - planning
        cpu = time.process_time() - cpu
        senders_cpu = _children_cpu() - senders_cpu  # the server is still running: not counted
        received, received_bytes, bare_cpu = server.counts()
        server_cpu = bare_cpu - server_cpu
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        bare = baseline(server.port, notices)
        bare_cpu = server.counts()[2] - bare_cpu
    finally:
        close_signer()
        store.close()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    carried = sum(len(p.event_ids) for p in planned.notices)
    immediate = sum(p.period.startswith("now:") for p in planned.notices)
    print(
        f"notify, {backend}, {args.constituents:,} constituents, {written:,} events"
        f"{', signed' if args.sign else ''}, {args.workers} sender process(es)"
    )
    print(
        f"planned {notices:,} notices ({immediate:,} immediate, {notices - immediate:,} "
        f"digests) carrying {carried:,} events; left out: {dict(planned.skipped)}"
    )
    print(
        f"outcomes {dict(sent.outcomes)}, held back {sent.waiting}, server received "
        f"{received:,} ({received_bytes / 1e6:.1f} MB)"
    )
    print(f"plan            {planning:7.1f} s  {carried / planning:9,.0f} events/s")
    print(f"send            {sending:7.1f} s  {notices / sending:9,.0f} notices/s")
    print(
        f"whole batch     {whole:7.1f} s  {notices / whole:9,.0f} notices/s  "
        f"{carried / whole:9,.0f} events/s  (goal: under 60 s)"
    )
    print(
        f"  CPU {cpu:.1f} s in this process, {senders_cpu:.1f} s in the sender processes, "
        f"{server_cpu:.1f} s in the SMTP server's process"
    )
    print(
        f"baseline        {bare:7.1f} s  {notices / bare:9,.0f} messages/s  "
        f"({notices:,} bare messages, plain smtplib, one connection)"
    )
    print(f"  the SMTP server's process {bare_cpu:.1f} s CPU")
    print(f"sending costs {sending / bare:.1f}× the bare transport")


if __name__ == "__main__":
    main()
