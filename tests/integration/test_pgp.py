"""OpenPGP for notices with the real gpg: a signed notice verifies, byte for byte, in a keyring
holding only the team's public key; an encrypted one opens only with the recipient's secret key
and carries a valid signature inside; bad keys, unknown or expired signers and wrong passphrases
give clear errors."""

from __future__ import annotations

import io
import pickle
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import make_msgid
from pathlib import Path

import gnupg
import pytest

from tocsin.errors import InvalidValue
from tocsin.notify.mime import Mail, address_header, attachment, header, multipart, text_part
from tocsin.notify.pgp import MICALG, Keyring, PgpError, Sealer, protect, seal

TEXT = "Bonjour,\nFrom now on, 2 hosts of yours are listed.  \nÉvénement: open resolver\n"
CSV = b"source.ip,source.port,classification.type\n192.0.2.7,53,vulnerable-system\n"
JSON = b'{"Version": "4", "ReporterOrg": "CERT-\xc3\xa9"}\n'


@contextmanager
def _keyrings() -> Iterator[Callable[[], Keyring]]:
    """Makes keyrings in short homes under /tmp (gpg-agent's socket dislikes long paths), and
    stops their agents and removes them afterwards."""
    made: list[Keyring] = []

    def new() -> Keyring:
        home = Path(tempfile.mkdtemp(dir="/tmp", prefix="gpg"))
        # a cheap passphrase hashing, for test speed only (gpg-agent calibrates seconds of it)
        (home / "gpg-agent.conf").write_text("s2k-count 65536\n")
        made.append(Keyring(home))
        return made[-1]

    try:
        yield new
    finally:
        for keyring in made:
            keyring.close()
            shutil.rmtree(keyring.home, ignore_errors=True)


@dataclass
class Parties:
    team: Keyring  # the team's secret key and the recipient's public key
    team_fp: str
    recipient: Keyring  # the recipient's secret key and the team's public key
    recipient_fp: str
    verifier: Keyring  # the team's public key alone
    stranger: Keyring  # no key at all


@pytest.fixture(scope="module")
def parties() -> Iterator[Parties]:
    with _keyrings() as new:
        team, recipient, verifier, stranger = new(), new(), new(), new()
        team_fp = team.generate_key("CERT-XX", "cert@cert.example")
        recipient_fp = recipient.generate_key("Example ISP abuse", "abuse@isp.example")
        team.import_key(recipient.export_public(recipient_fp))
        recipient.import_key(team.export_public(team_fp))
        verifier.import_key(team.export_public(team_fp))
        yield Parties(team, team_fp, recipient, recipient_fp, verifier, stranger)


@pytest.fixture
def keyring() -> Iterator[Callable[[], Keyring]]:
    with _keyrings() as new:
        yield new


def notice() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "CERT-XX <cert@cert.example>"
    message["To"] = "abuse@isp.example"
    message["Subject"] = "[CERT-XX] 2 événements concernant votre réseau"
    message["Date"] = "Sat, 28 Nov 2026 03:00:00 +0000"
    message["Message-ID"] = make_msgid("notice7", domain="cert.example")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(TEXT, cte="8bit")
    message.add_attachment(CSV, maintype="text", subtype="csv", filename="events.csv")
    message.add_attachment(JSON, maintype="application", subtype="json", filename="xarf.json")
    return message


def wire(message: EmailMessage) -> bytes:
    """The bytes smtplib.send_message puts on the wire."""
    buffer = io.BytesIO()
    BytesGenerator(buffer).flatten(message, linesep="\r\n")
    return buffer.getvalue()


def split_signed(raw: bytes) -> tuple[bytes, bytes]:
    """The signed part's bytes and the detached signature, cut from the raw message the way a
    mail reader does: between the first delimiter's CRLF and the CRLF before the next one."""
    outer = BytesParser(policy=policy.default).parsebytes(raw)
    boundary = outer.get_boundary()
    assert boundary is not None
    delimiter = b"--" + boundary.encode()
    start = raw.index(delimiter + b"\r\n") + len(delimiter) + 2
    end = raw.index(b"\r\n" + delimiter, start)
    signature = outer.get_payload()[1].get_payload(decode=True)
    return raw[start:end], signature


def verify(keyring: Keyring, data: bytes, signature: bytes) -> gnupg.Verify:
    """gpg --verify of a detached signature, run in ``keyring``'s home as a recipient would."""
    with tempfile.NamedTemporaryFile(dir=keyring.home, suffix=".asc") as sig:
        sig.write(signature)
        sig.flush()
        return gnupg.GPG(gnupghome=str(keyring.home)).verify_data(sig.name, data)


def contents(mime: bytes) -> tuple[str, dict[str, bytes]]:
    """The text and the attachments (by file name) of a serialised notice."""
    message = BytesParser(policy=policy.default).parsebytes(mime)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    assert body is not None
    files = {a.get_filename() or "": a.get_payload(decode=True) for a in message.iter_attachments()}
    return body.get_content().replace("\r\n", "\n"), files  # CRLF on the wire


def test_a_signed_notice_verifies_with_only_the_team_public_key(parties: Parties) -> None:
    """The signed part cut from the sent bytes verifies in a keyring holding only the team's
    public key, and names the team's key."""
    raw = wire(protect(notice(), parties.team, signer=parties.team_fp, recipient_key=None))
    data, signature = split_signed(raw)
    result = verify(parties.verifier, data, signature)
    assert result.valid, result.stderr
    assert result.pubkey_fingerprint == parties.team_fp


def test_a_signed_notice_has_the_rfc3156_shape_and_keeps_its_headers(parties: Parties) -> None:
    """multipart/signed with protocol and micalg, the notice then the signature; the outer
    headers stay outside and the signed part holds the text and both attachments."""
    original = notice()
    signed = BytesParser(policy=policy.default).parsebytes(
        wire(protect(original, parties.team, signer=parties.team_fp, recipient_key=None))
    )
    assert signed.get_content_type() == "multipart/signed"
    assert signed.get_param("protocol") == "application/pgp-signature"
    assert signed.get_param("micalg") == MICALG == "pgp-sha256"
    for name in ("From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted"):
        assert signed[name] == original[name]
    inner, signature = signed.get_payload()
    assert signature.get_content_type() == "application/pgp-signature"
    assert inner["Subject"] is None and inner["From"] is None
    assert contents(inner.as_bytes()) == (TEXT, {"events.csv": CSV, "xarf.json": JSON})


def test_one_byte_changed_in_the_signed_part_fails_verification(parties: Parties) -> None:
    """A single byte altered in the signed part makes the signature bad."""
    raw = wire(protect(notice(), parties.team, signer=parties.team_fp, recipient_key=None))
    data, signature = split_signed(raw)
    at = data.index(b"events.csv")
    tampered = data[:at] + b"E" + data[at + 1 :]
    assert verify(parties.verifier, data, signature).valid
    assert not verify(parties.verifier, tampered, signature).valid


def test_the_signed_part_is_seven_bit_crlf_and_safe_from_transports(parties: Parties) -> None:
    """8-bit text, trailing spaces and a line starting "From " are encoded before signing, so no
    relay or mailbox may change the signed bytes; the text decodes to the original."""
    data, _ = split_signed(
        wire(protect(notice(), parties.team, signer=parties.team_fp, recipient_key=None))
    )
    data.decode("ascii")
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert not [line for line in lines if line.endswith((b" ", b"\t"))]
    assert not [line for line in lines if line.startswith(b"From ")]
    assert max(len(line) for line in lines) <= 78
    assert contents(data)[0] == TEXT


def test_protect_leaves_the_notice_it_was_given_unchanged(parties: Parties) -> None:
    """The caller's message is not re-encoded nor stripped of its headers (a retry reuses it)."""
    message = notice()
    before = wire(message)
    protect(message, parties.team, signer=parties.team_fp, recipient_key=parties.recipient_fp)
    protect(message, parties.team, signer=parties.team_fp, recipient_key=None)
    assert wire(message) == before


def test_an_encrypted_notice_opens_for_the_recipient_signed_inside(parties: Parties) -> None:
    """The recipient's secret key decrypts it to the original text and attachments, with a
    valid signature by the team's key inside."""
    sent = BytesParser(policy=policy.default).parsebytes(
        wire(
            protect(
                notice(), parties.team, signer=parties.team_fp, recipient_key=parties.recipient_fp
            )
        )
    )
    cipher = sent.get_payload()[1].get_payload(decode=True)
    result = gnupg.GPG(gnupghome=str(parties.recipient.home)).decrypt(cipher)
    assert result.ok, result.stderr
    assert result.valid and result.pubkey_fingerprint == parties.team_fp
    assert contents(result.data) == (TEXT, {"events.csv": CSV, "xarf.json": JSON})


def test_an_encrypted_notice_has_the_rfc3156_shape_and_keeps_its_headers(
    parties: Parties,
) -> None:
    """multipart/encrypted with its protocol, the version part then the armored message; the
    outer headers stay outside and nothing of the notice shows in clear."""
    original = notice()
    raw = wire(
        protect(original, parties.team, signer=parties.team_fp, recipient_key=parties.recipient_fp)
    )
    sent = BytesParser(policy=policy.default).parsebytes(raw)
    assert sent.get_content_type() == "multipart/encrypted"
    assert sent.get_param("protocol") == "application/pgp-encrypted"
    for name in ("From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted"):
        assert sent[name] == original[name]
    control, body = sent.get_payload()
    assert control.get_content_type() == "application/pgp-encrypted"
    assert control.get_payload().strip() == "Version: 1"
    assert body.get_content_type() == "application/octet-stream"
    assert body.get_payload().startswith("-----BEGIN PGP MESSAGE-----")
    assert b"events.csv" not in raw and b"192.0.2.7" not in raw


def test_a_keyring_without_the_recipient_key_cannot_decrypt(parties: Parties) -> None:
    """Neither a stranger nor the team itself can open a notice encrypted to the recipient."""
    sent = protect(
        notice(), parties.team, signer=parties.team_fp, recipient_key=parties.recipient_fp
    )
    cipher = sent.get_payload()[1].get_payload(decode=True)
    for keyring in (parties.stranger, parties.team):
        result = gnupg.GPG(gnupghome=str(keyring.home)).decrypt(cipher)
        assert not result.ok
        assert b"192.0.2.7" not in result.data


def mail() -> Mail:
    """The same notice written as bytes, as the desk writes it."""
    parts = [
        text_part(TEXT),
        attachment(CSV, 'text/csv; charset="utf-8"', "events.csv"),
        attachment(JSON, "application/json", "xarf.json"),
    ]
    head = (
        address_header("From", [("CERT-XX", "cert@cert.example")])
        + address_header("To", [("", "abuse@isp.example")])
        + header("Subject", "[CERT-XX] 2 événements concernant votre réseau")
        + header("Message-ID", "<notice7@cert.example>")
    )
    message_id = "<notice7@cert.example>"
    return Mail(
        "cert@cert.example", ("abuse@isp.example",), message_id, head, multipart("mixed", parts)
    )


def test_a_sealed_mail_verifies_as_sent_and_keeps_its_envelope(parties: Parties) -> None:
    """A notice written as bytes, signed: the part cut from the sent bytes verifies with only
    the team's public key and holds the text and files; headers and envelope are unchanged."""
    original = mail()
    sealed = seal(original, parties.team, signer=parties.team_fp, recipient_key=None)
    raw = sealed.as_bytes()
    data, signature = split_signed(raw)
    assert data == original.content
    result = verify(parties.verifier, data, signature)
    assert result.valid and result.pubkey_fingerprint == parties.team_fp
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message.get_content_type() == "multipart/signed"
    assert message.get_param("micalg") == MICALG
    assert message["Subject"] == "[CERT-XX] 2 événements concernant votre réseau"
    assert contents(data) == (TEXT, {"events.csv": CSV, "xarf.json": JSON})
    assert (sealed.head, sealed.sender, sealed.recipients, sealed.message_id) == (
        original.head,
        original.sender,
        original.recipients,
        original.message_id,
    )


def test_a_sealed_mail_to_a_key_opens_for_the_recipient(parties: Parties) -> None:
    """A notice written as bytes, encrypted to the recipient: only their key opens it, to the
    text and files, signed inside by the team; nothing shows in clear."""
    sealed = seal(mail(), parties.team, signer=parties.team_fp, recipient_key=parties.recipient_fp)
    raw = sealed.as_bytes()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message.get_content_type() == "multipart/encrypted"
    assert b"events.csv" not in raw and b"192.0.2.7" not in raw
    cipher = message.get_payload()[1].get_payload(decode=True)
    result = gnupg.GPG(gnupghome=str(parties.recipient.home)).decrypt(cipher)
    assert result.ok and result.valid and result.pubkey_fingerprint == parties.team_fp
    assert contents(result.data) == (TEXT, {"events.csv": CSV, "xarf.json": JSON})


def test_a_sealer_travels_to_another_process_without_its_keyring(parties: Parties) -> None:
    """A Sealer pickles (for a sender process) without its open keyring, opens it again there,
    imports the recipient's armoured key and encrypts; its repr shows no passphrase."""
    sealer = Sealer(parties.team.home, parties.team_fp, passphrase="hunter2 is not it")
    assert "hunter2" not in repr(sealer)
    sealer(mail(), recipient_key=None)  # opens the keyring
    copy = pickle.loads(pickle.dumps(sealer))  # noqa: S301 — our own bytes, just made
    armored = parties.recipient.export_public(parties.recipient_fp)
    sealed = copy(mail(), recipient_key=armored)
    assert b"multipart/encrypted" in sealed.content


def test_import_returns_the_fingerprint_of_the_key(
    parties: Parties, keyring: Callable[[], Keyring]
) -> None:
    """Importing an armored public key returns its fingerprint, then listed by the keyring."""
    fresh = keyring()
    assert fresh.import_key(parties.team.export_public(parties.team_fp)) == parties.team_fp
    assert fresh.fingerprints() == [parties.team_fp]


@pytest.mark.parametrize(
    ("armored", "reason"),
    [
        ("", "not an ASCII-armored OpenPGP key block"),
        ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG", "not an ASCII-armored OpenPGP key block"),
        (
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ0AAAAA\n"
            "-----END PGP PUBLIC KEY BLOCK-----\n",
            "GnuPG could not import it",
        ),
    ],
)
def test_importing_garbage_is_refused_with_a_reason(
    keyring: Callable[[], Keyring], armored: str, reason: str
) -> None:
    """Text that is no key, or an armored block that is broken, is an InvalidValue of the key
    saying why, and leaves the keyring empty."""
    fresh = keyring()
    with pytest.raises(InvalidValue) as raised:
        fresh.import_key(armored)
    assert raised.value.field == "key"
    assert raised.value.reason.startswith(reason)
    assert fresh.fingerprints() == []


def test_a_block_of_two_keys_is_refused(parties: Parties, keyring: Callable[[], Keyring]) -> None:
    """One key at a time: a block with two is refused before anything is imported."""
    fresh = keyring()
    both = parties.team.export_public(parties.team_fp) + parties.team.export_public(
        parties.recipient_fp
    )
    with pytest.raises(InvalidValue, match="holds 2 keys"):
        fresh.import_key(both)
    assert fresh.fingerprints() == []


def test_signing_with_an_unknown_key_raises_the_module_error(parties: Parties) -> None:
    """A signer whose secret key is not in the keyring is a PgpError naming it, signed or
    encrypted, even though the keyring holds another secret key."""
    unknown = "0123456789ABCDEF0123456789ABCDEF01234567"
    with pytest.raises(PgpError, match=f"no secret key for signer {unknown}"):
        protect(notice(), parties.team, signer=unknown, recipient_key=None)
    with pytest.raises(PgpError, match="no secret key"):
        protect(notice(), parties.team, signer=unknown, recipient_key=parties.recipient_fp)
    with pytest.raises(PgpError, match="no secret key"):  # a public key is not enough
        protect(notice(), parties.team, signer=parties.recipient_fp, recipient_key=None)


def test_encrypting_to_a_key_never_imported_raises_the_module_error(parties: Parties) -> None:
    """A recipient key the keyring does not hold is a PgpError naming it."""
    missing = "89ABCDEF0123456789ABCDEF0123456789ABCDEF"
    with pytest.raises(PgpError, match=f"no public key {missing}"):
        protect(notice(), parties.team, signer=parties.team_fp, recipient_key=missing)


def test_a_key_that_is_not_a_fingerprint_is_an_invalid_value(parties: Parties) -> None:
    """Keys are named by fingerprint: an armored key or an e-mail address given instead is an
    InvalidValue naming the argument, before gpg is asked anything."""
    armored = parties.team.export_public(parties.recipient_fp)
    with pytest.raises(InvalidValue) as raised:
        protect(notice(), parties.team, signer=parties.team_fp, recipient_key=armored)
    assert raised.value.field == "recipient_key"
    with pytest.raises(InvalidValue, match="not an OpenPGP fingerprint"):
        protect(notice(), parties.team, signer="cert@cert.example", recipient_key=None)


def test_an_expired_signing_key_raises_the_module_error(keyring: Callable[[], Keyring]) -> None:
    """A team key past its expiry date is a PgpError saying it has expired."""
    old = keyring()
    made = subprocess.run(
        [
            "gpg",
            "--homedir",
            str(old.home),
            "--batch",
            "--faked-system-time",
            "20200101T000000",
            "--passphrase",
            "",
            "--pinentry-mode",
            "loopback",
            "--quick-gen-key",
            "Old team key <old@cert.example>",
            "ed25519",
            "sign",
            "1d",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "revocation certificate stored" in made.stderr
    (expired,) = old.fingerprints()
    with pytest.raises(PgpError, match=f"the signing key {expired} has expired"):
        protect(notice(), old, signer=expired, recipient_key=None)


def test_a_protected_key_signs_with_its_passphrase(keyring: Callable[[], Keyring]) -> None:
    """A team key under a passphrase signs when the passphrase is given."""
    team = keyring()
    fp = team.generate_key("CERT-XX", "cert@cert.example", passphrase="hunter2 is not it")
    raw = wire(
        protect(notice(), team, signer=fp, recipient_key=None, passphrase="hunter2 is not it")
    )
    assert verify(team, *split_signed(raw)).valid


def test_a_wrong_passphrase_is_an_error_that_never_shows_it(
    keyring: Callable[[], Keyring],
) -> None:
    """A wrong passphrase is a PgpError with gpg's words, and neither passphrase appears."""
    team = keyring()
    fp = team.generate_key("CERT-XX", "cert@cert.example", passphrase="the right one 4821")
    with pytest.raises(PgpError) as raised:
        protect(notice(), team, signer=fp, recipient_key=None, passphrase="a wrong one 1937")
    said = str(raised.value)
    assert "passphrase" in said.lower()
    assert "4821" not in said and "1937" not in said
