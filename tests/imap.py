"""A real IMAP server for the mailbox tests: Debian's dovecot, started by the tests.

One throwaway dovecot per test process (``dovecot`` fixture), on a free loopback port, with its
own configuration, run and state folders under a temporary folder: IMAP over TLS only (port 993's
protocol on another port), a certificate signed by a test authority made here with
``cryptography``, users in a passwd-file and mail in Maildir. It reads nothing of the system's
dovecot configuration, and the system's dovecot service is never involved.

Each test takes a user of its own (``imap_account``): a fresh name with a passwd-file of its
own, so each test starts with an empty INBOX on a server that started once. Mail goes in with
IMAP APPEND (``Account.append``), as a mail server would deliver it.

When dovecot is not installed (``scripts/mail-deps.sh`` installs it; ``make test`` calls it) or
does not start, the tests fail with a message saying so: they are never skipped.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import ipaddress
import itertools
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DOVECOT = "/usr/sbin/dovecot"
_NAMES = itertools.count(1)
# Maildir++'s separator, dovecot's default: the intake must ask the server for it, since the
# configured folders are written with "/" whatever the server uses.
SEPARATOR = "."
# Far either side of any clock a test run uses (CI moves the wall clock to 2028): the certificate
# is valid whatever the date, so no test depends on today.
_VALID = (dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2099, 12, 31, tzinfo=dt.UTC))

_CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = tocsin-test-{port}
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 0
first_valid_gid = 0
ssl = required
ssl_cert = <{root}/server.pem
ssl_key = <{root}/server.key
disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
mail_privileged_group =
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service auth {{
  user = {user}
}}
service auth-worker {{
  user = {user}
}}
service stats {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {root}/users/%n
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
"""


@dataclass(frozen=True, slots=True)
class Account:
    """One user's mailbox on the test server."""

    host: str
    port: int
    ca_file: str  # the test authority's certificate, to verify the server with
    user: str
    password: str

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def connect(self) -> imaplib.IMAP4_SSL:
        client = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=self.context())
        try:
            client.login(self.user, self.password)
        except imaplib.IMAP4.error:
            client.shutdown()
            raise
        return client

    def append(self, message: bytes, folder: str = "INBOX") -> None:
        """Deliver one message into ``folder`` (made when missing), as a mail server would."""
        client = self.connect()
        try:
            if folder != "INBOX":
                client.create(_quoted(_server_name(folder)))
            status, answer = client.append(_quoted(_server_name(folder)), None, None, message)
            if status != "OK":
                raise AssertionError(f"APPEND refused: {answer!r}")
        finally:
            client.logout()

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        """Every message in ``folder``, as stored, in order; [] when the folder is empty."""
        client = self.connect()
        try:
            status, answer = client.select(_quoted(_server_name(folder)), readonly=True)
            if status != "OK":
                raise AssertionError(f"no folder {folder}: {answer!r}")
            _, data = client.uid("SEARCH", "ALL")
            found = []
            for uid in data[0].split():
                _, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
                found.append(next(p[1] for p in parts if isinstance(p, tuple)))
            return found
        finally:
            client.logout()

    def folders(self) -> list[str]:
        client = self.connect()
        try:
            _, data = client.list()
            names = (_folder_name(line) for line in data if isinstance(line, bytes))
            return sorted(name.replace(SEPARATOR, "/") for name in names)
        finally:
            client.logout()


@dataclass(frozen=True, slots=True)
class Dovecot:
    """The running server: where it listens, the authority that signed its certificate."""

    host: str
    port: int
    ca_file: str
    root: Path

    def add_user(self, password: str) -> Account:
        """A new user with an empty mailbox (a name no other test of this process has)."""
        user = f"desk{next(_NAMES)}"
        entry = self.root / "users" / user  # a file per user: nothing cached goes stale
        entry.write_text(f"{user}:{{PLAIN}}{password}\n", encoding="utf-8")
        entry.chmod(0o644)
        return Account(self.host, self.port, self.ca_file, user, password)


def _server_name(folder: str) -> str:
    """The tests name folders with "/" (``Tocsin/Processed``); the server's hierarchy is "."."""
    return folder.replace("/", SEPARATOR)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _folder_name(line: bytes) -> str:
    """The name in a LIST answer: ``(\\HasNoChildren) "." "Tocsin.Processed"`` → the last item."""
    text = line.decode()
    name = text.rsplit(' "', 1)[-1] if text.endswith('"') else text.rsplit(" ", 1)[-1]
    return name.strip('"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _certificates(root: Path) -> Path:
    """A test authority and the server's certificate it signs (for 127.0.0.1 and localhost);
    returns the authority's certificate, the one a client trusts."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tocsin test authority")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_VALID[0])
        .not_valid_after(_VALID[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_VALID[0])
        .not_valid_after(_VALID[1])
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (root / "server.pem").write_bytes(server.public_bytes(pem))
    (root / "server.key").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (root / "ca.pem").write_bytes(ca.public_bytes(pem))
    return root / "ca.pem"


def _wait_for(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Returns once the server accepts a TLS connection; fails at once when it has exited.

    ``dovecot -F`` stays in the foreground and binds its listeners before it reports itself
    started, so the loop ends on the first connection that is accepted; a refused connection
    (not yet listening) is tried again only while the process lives."""
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"dovecot exited with status {process.returncode} before listening on "
                f"127.0.0.1:{port}:\n{_tail(log)}"
            )
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return
        except ConnectionRefusedError:
            continue


def _real_time() -> dict[str, str]:
    """The environment without libfaketime: CI runs the tests with the wall clock moved
    (scripts/test-clock.sh), and a dovecot whose clock stands still drops its log-ins. The
    server's clock is not the tests' business; Tocsin's is the injected one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAKETIME")}
    preload = [p for p in env.get("LD_PRELOAD", "").split(":") if p and "faketime" not in p]
    env.pop("LD_PRELOAD", None)
    if preload:
        env["LD_PRELOAD"] = ":".join(preload)
    return env


def _tail(log: Path) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-20:])
    except OSError:
        return "(no log)"


@dataclass(frozen=True, slots=True)
class _RunAs:
    user: str
    group: str
    uid: int
    gid: int
    prefix: tuple[str, ...]  # the command that runs dovecot as that user


def _run_as() -> _RunAs:
    """Who the server runs as: the tests' own user; as root, Debian's ``dovecot`` user (a mail
    process as root is refused by dovecot), through ``runuser``."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        group = me.pw_name  # the user's own group name is not needed by dovecot beyond this
        return _RunAs(me.pw_name, group, me.pw_uid, me.pw_gid, ())
    entry = pwd.getpwnam("dovecot")
    return _RunAs(
        "dovecot", "dovecot", entry.pw_uid, entry.pw_gid, ("runuser", "-u", "dovecot", "--")
    )


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """A dovecot IMAP-over-TLS server on a free loopback port, for this test process."""
    if not os.access(DOVECOT, os.X_OK):
        raise RuntimeError(
            f"{DOVECOT} is missing: the mailbox tests need Debian's dovecot-imapd "
            "(run scripts/mail-deps.sh, which `make test` calls)"
        )
    who = _run_as()
    root = Path(tempfile.mkdtemp(prefix="tocsin-imap-"))
    try:
        for part in ("run", "state", "home", "users"):
            (root / part).mkdir()
        ca_file = _certificates(root)
        port = _free_port()
        config = root / "dovecot.conf"
        config.write_text(
            _CONFIG.format(
                root=root, port=port, user=who.user, group=who.group, uid=who.uid, gid=who.gid
            )
        )
        if who.prefix:
            for path in [root, *root.rglob("*")]:
                shutil.chown(path, who.uid, who.gid)
        log = root / "dovecot.log"
        process = subprocess.Popen(
            [*who.prefix, DOVECOT, "-F", "-c", str(config)],
            env=_real_time(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_for(process, port, log)
            yield Dovecot("127.0.0.1", port, str(ca_file), root)
        finally:
            process.terminate()
            process.wait()
            if process.stderr is not None:
                process.stderr.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_account(dovecot: Dovecot) -> Account:
    """A user of its own on the test process's dovecot, with an empty INBOX."""
    return dovecot.add_user("correct horse battery staple")
