"""OpenPGP for notices (PGP/MIME, RFC 3156) through GnuPG: a keyring in a GnuPG home, and a
notice signed, or signed then encrypted, so that the bytes signed are the bytes sent: ``seal``
for a notice the desk wrote as bytes (``Sealer``, as the desk calls it), ``protect`` for an
``email`` message."""

from __future__ import annotations

import base64
import binascii
import copy
import io
import re
import secrets
import shutil
import subprocess
from dataclasses import replace
from email import policy
from email.generator import BytesGenerator
from email.message import EmailMessage, Message
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import gnupg

from tocsin.errors import InvalidValue, NotFound, TocsinError
from tocsin.notify.mime import CRLF, Mail, fold, header, multipart

HOME_MODE = 0o700
MICALG = "pgp-sha256"
PREAMBLE = "This is an OpenPGP/MIME message (RFC 4880 and 3156)"
_SHA256 = "8"  # its number among OpenPGP hash algorithms (RFC 4880 §9.4)
_DIGEST = ("--digest-algo", "SHA256")
_WIRE = policy.SMTP  # CRLF line ends, as the message travels
_FROM_LINE = re.compile(rb"^From ", re.MULTILINE)  # mbox stores would turn it into ">From "
_ARMOR = "-----BEGIN PGP "
_FINGERPRINT = re.compile(r"[0-9A-F]{40}|[0-9A-F]{64}")
_UNUSABLE = {"e": "has expired", "r": "is revoked", "d": "is disabled"}


class PgpError(TocsinError):
    """GnuPG refused or failed (no such key, an expired or revoked key, a bad passphrase):
    carries gpg's own words, never a passphrase."""


class Keyring:
    """A GnuPG home directory (created 0700 when missing) and the operations notices need.
    Keep its path short: gpg-agent's socket lives in it and socket paths are limited."""

    def __init__(self, home: Path, *, binary: str = "gpg") -> None:
        if not home.exists():
            home.mkdir(mode=HOME_MODE, parents=True)
        self.home = home
        self._binary = binary
        self._gpg = gnupg.GPG(gpgbinary=binary, gnupghome=str(home))

    def __repr__(self) -> str:
        return f"Keyring({str(self.home)!r})"

    def import_key(self, armored: str) -> str:
        """Import one ASCII-armored key (public, or secret for the team's own) and return its
        fingerprint. Refuses garbage, and blocks holding no key or more than one."""
        if _ARMOR not in armored:
            raise InvalidValue("key", armored, "not an ASCII-armored OpenPGP key block")
        found = list(dict.fromkeys(k["fingerprint"] for k in self._gpg.scan_keys_mem(armored)))
        if len(found) > 1:
            raise InvalidValue("key", armored, f"holds {len(found)} keys; give one at a time")
        result = self._gpg.import_keys(armored)
        if not found or found[0] not in result.fingerprints:
            raise InvalidValue("key", armored, f"GnuPG could not import it: {_words(result)}")
        return str(found[0])

    def fingerprints(self) -> list[str]:
        """The fingerprints of the public keys held."""
        return [str(k["fingerprint"]) for k in self._gpg.list_keys()]

    def export_public(self, key: str) -> str:
        """The ASCII-armored public key ``key`` (a fingerprint), to publish or hand out."""
        armored = str(self._gpg.export_keys(fingerprint("key", key)))
        if _ARMOR not in armored:
            raise NotFound(f"no public key {key} in {self.home}")
        return armored

    def generate_key(
        self, name: str, email: str, *, passphrase: str | None = None, expire: str = "0"
    ) -> str:
        """Generate an ed25519 signing key with a cv25519 encryption subkey (fast: tests make
        throwaway ones) and return its fingerprint; no passphrase unless one is given."""
        fields: dict[str, Any] = {
            "key_type": "EDDSA",
            "key_curve": "ed25519",
            "key_usage": "sign",
            "subkey_type": "ECDH",
            "subkey_curve": "cv25519",
            "subkey_usage": "encrypt",
            "name_real": name,
            "name_email": email,
            "expire_date": expire,
        }
        if passphrase:
            fields["passphrase"] = passphrase
        else:
            fields["no_protection"] = True
        result = self._gpg.gen_key(self._gpg.gen_key_input(**fields))
        if not result.fingerprint:
            raise PgpError(f"key generation failed: {_words(result)}")
        return str(result.fingerprint)

    def sign_detached(self, data: bytes, *, signer: str, passphrase: str | None = None) -> bytes:
        """An ASCII-armored detached SHA-256 signature of exactly ``data`` (binary mode) by the
        key with fingerprint ``signer``."""
        signer = fingerprint("signer", signer)
        result = self._gpg.sign(
            data, detach=True, passphrase=_checked(passphrase), extra_args=["-u", signer, *_DIGEST]
        )
        if result.returncode != 0 or not result.fingerprint:
            self._diagnose(signer)
            raise PgpError(f"signing with {signer} failed: {_words(result)}")
        if result.hash_algo != _SHA256:
            raise PgpError(f"gpg signed with hash algorithm {result.hash_algo}, not SHA-256")
        return bytes(result.data)

    def sign_and_encrypt(
        self, data: bytes, *, signer: str, recipient: str, passphrase: str | None = None
    ) -> bytes:
        """``data`` signed by ``signer`` then encrypted to ``recipient`` (fingerprints), in one
        gpg call, ASCII-armored. The recipient's key is trusted because the team imported it."""
        signer = fingerprint("signer", signer)
        recipient = fingerprint("recipient_key", recipient)
        result = self._gpg.encrypt(
            data,
            [recipient],
            sign=True,
            always_trust=True,
            armor=True,
            passphrase=_checked(passphrase),
            extra_args=["-u", signer, *_DIGEST],
        )
        if result.returncode != 0 or not result.ok:
            self._diagnose(signer, recipient)
            raise PgpError(f"encrypting to {recipient} signed by {signer} failed: {_words(result)}")
        return bytes(result.data)

    def close(self) -> None:
        """Stop this home's gpg-agent (it outlives gpg otherwise)."""
        gpgconf = Path(shutil.which(self._binary) or self._binary).with_name("gpgconf")
        subprocess.run(  # noqa: S603 - a fixed program with our own arguments, no shell
            [str(gpgconf), "--homedir", str(self.home), "--kill", "gpg-agent"],
            capture_output=True,
            check=False,
        )

    def _diagnose(self, signer: str, recipient: str | None = None) -> None:
        """After gpg failed: raise the plainer reason when it is a missing or unusable key."""
        keys = self._gpg.list_keys(secret=True, keys=[signer])
        if not keys:
            raise PgpError(f"no secret key for signer {signer} in {self.home}")
        state = _UNUSABLE.get(keys[0]["trust"])  # gpg's own judgement of the key's validity
        if state:
            raise PgpError(f"the signing key {signer} {state}")
        if recipient is not None and not self._gpg.list_keys(keys=[recipient]):
            raise PgpError(f"no public key {recipient} to encrypt to in {self.home}")


def fingerprint(field: str, value: str) -> str:
    """An OpenPGP fingerprint (40 or 64 hex digits; spaces allowed), in capitals."""
    cleaned = value.replace(" ", "").upper()
    if not _FINGERPRINT.fullmatch(cleaned):
        raise InvalidValue(field, value, "not an OpenPGP fingerprint (40 or 64 hex digits)")
    return cleaned


def protect(
    message: EmailMessage,
    keyring: Keyring,
    *,
    signer: str,
    recipient_key: str | None,
    passphrase: str | None = None,
) -> EmailMessage:
    """The notice as PGP/MIME: multipart/signed when ``recipient_key`` is None, otherwise
    multipart/encrypted to that (already imported) key, signed inside. The outer headers (From,
    To, Subject, Date, Message-ID...) stay outside; the content is made 7-bit and CRLF first, and
    the signed bytes are checked to be the bytes the returned message serialises to."""
    body = _canonical(message)
    if recipient_key is None:
        signature = keyring.sign_detached(body, signer=signer, passphrase=passphrase)
        kind = f'multipart/signed; protocol="application/pgp-signature"; micalg={MICALG}'
        parts = [
            BytesParser(policy=_WIRE).parsebytes(body),
            _leaf(
                'application/pgp-signature; name="signature.asc"',
                signature,
                "OpenPGP digital signature",
                'attachment; filename="signature.asc"',
            ),
        ]
        contents = [body, signature]
    else:
        cipher = keyring.sign_and_encrypt(
            body, signer=signer, recipient=recipient_key, passphrase=passphrase
        )
        kind = 'multipart/encrypted; protocol="application/pgp-encrypted"'
        parts = [
            _leaf("application/pgp-encrypted", b"Version: 1\n", "PGP/MIME version identification"),
            _leaf(
                'application/octet-stream; name="encrypted.asc"',
                cipher,
                "OpenPGP encrypted message",
                'inline; filename="encrypted.asc"',
            ),
        ]
        contents = [cipher]
    outer = EmailMessage(policy=_WIRE)
    for name, value in message.items():
        if not _is_content(name) and name.lower() != "mime-version":
            outer[name] = value
    outer["MIME-Version"] = "1.0"
    boundary = _boundary(contents)
    outer["Content-Type"] = f'{kind}; boundary="{boundary}"'
    outer.preamble = PREAMBLE
    for part in parts:
        outer.attach(part)
    if recipient_key is None:
        framed = b"--%s\r\n%s\r\n--%s\r\n" % (boundary.encode(), body, boundary.encode())
        if framed not in _flatten(outer):
            raise PgpError("the signed part would not be sent as it was signed; refusing it")
    return outer


class Sealer:
    """The team's key applied to each notice as the desk asks (``sealer(mail, recipient_key=…)``,
    the recipient's ASCII-armoured key or None): the key imported, then ``seal``. Picklable, for
    a sender process, which opens the keyring again; the passphrase never shows in ``repr``."""

    def __init__(self, home: Path, signer: str, passphrase: str | None = None) -> None:
        self.home = home
        self.signer = signer
        self._passphrase = passphrase
        self._keyring: Keyring | None = None

    def __repr__(self) -> str:
        return f"Sealer({str(self.home)!r}, {self.signer!r})"

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_keyring": None}

    def __call__(self, mail: Mail, *, recipient_key: str | None) -> Mail:
        if self._keyring is None:
            self._keyring = Keyring(self.home)
        keyring = self._keyring
        recipient = keyring.import_key(recipient_key) if recipient_key else None
        return seal(
            mail, keyring, signer=self.signer, recipient_key=recipient, passphrase=self._passphrase
        )


def seal(
    mail: Mail,
    keyring: Keyring,
    *,
    signer: str,
    recipient_key: str | None,
    passphrase: str | None = None,
) -> Mail:
    """``protect`` for a notice written as bytes: its content is already 7-bit and CRLF (see
    ``tocsin.notify.mime``), so exactly those bytes are signed, or signed and encrypted, and
    framed as they were signed; the outer headers stay as they are."""
    if recipient_key is None:
        signature = keyring.sign_detached(mail.content, signer=signer, passphrase=passphrase)
        parts = [
            mail.content,
            _raw_leaf(
                'application/pgp-signature; name="signature.asc"',
                signature,
                "OpenPGP digital signature",
                'attachment; filename="signature.asc"',
            ),
        ]
        params = f'protocol="application/pgp-signature"; micalg={MICALG}'
        content = multipart("signed", parts, params=params, preamble=PREAMBLE)
        if b"\r\n" + mail.content + b"\r\n--" not in content:
            raise PgpError("the signed part would not be sent as it was signed; refusing it")
    else:
        cipher = keyring.sign_and_encrypt(
            mail.content, signer=signer, recipient=recipient_key, passphrase=passphrase
        )
        parts = [
            _raw_leaf(
                "application/pgp-encrypted", b"Version: 1\n", "PGP/MIME version identification"
            ),
            _raw_leaf(
                'application/octet-stream; name="encrypted.asc"',
                cipher,
                "OpenPGP encrypted message",
                'inline; filename="encrypted.asc"',
            ),
        ]
        params = 'protocol="application/pgp-encrypted"'
        content = multipart("encrypted", parts, params=params, preamble=PREAMBLE)
    return replace(mail, content=content)


def _raw_leaf(content_type: str, payload: bytes, description: str, disposition: str = "") -> bytes:
    """A PGP/MIME leaf as bytes; ``payload`` is ASCII armour (or the version line)."""
    head = fold("Content-Type", content_type.split()) + header("Content-Description", description)
    if disposition:
        head += fold("Content-Disposition", disposition.split())
    body = payload.replace(b"\r\n", b"\n").replace(b"\n", CRLF)
    return head + CRLF + body


def _canonical(message: EmailMessage) -> bytes:
    """The message's content (its Content-* headers and body) as sent: 7-bit, CRLF."""
    inner = copy.deepcopy(message)
    for name in {n.lower() for n in inner}:
        if not _is_content(name):
            del inner[name]
    for part in inner.walk():
        if not part.is_multipart():
            _seven_bit(part)
    body = _flatten(inner)
    if _flatten(BytesParser(policy=_WIRE).parsebytes(body)) != body:
        raise PgpError("the notice does not serialise the same way twice; it cannot be signed")
    return body


def _seven_bit(part: Message) -> None:
    """Re-encode a leaf so no transport may touch it (RFC 3156 §3): base64 stays; text becomes
    quoted-printable (trailing white space and "From " at a line start encoded), the rest base64."""
    if str(part.get("Content-Transfer-Encoding", "7bit")).strip().lower() == "base64":
        return
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return
    if part.get_content_maintype() == "text":
        qp = binascii.b2a_qp(data.replace(b"\r\n", b"\n"), istext=True)
        encoded, cte = _FROM_LINE.sub(b"=46rom ", qp), "quoted-printable"
    else:
        encoded, cte = base64.encodebytes(data), "base64"
    del part["Content-Transfer-Encoding"]
    part["Content-Transfer-Encoding"] = cte
    part.set_payload(encoded.decode("ascii"))


def _leaf(
    content_type: str, payload: bytes, description: str, disposition: str = ""
) -> EmailMessage:
    part = EmailMessage(policy=_WIRE)
    part["Content-Type"] = content_type
    part["Content-Description"] = description
    if disposition:
        part["Content-Disposition"] = disposition
    part.set_payload(payload.decode("ascii"))
    return part


def _boundary(contents: list[bytes]) -> str:
    while True:
        boundary = f"=_tocsin_{secrets.token_hex(12)}"
        if not any(boundary.encode() in content for content in contents):
            return boundary


def _flatten(message: EmailMessage) -> bytes:
    buffer = io.BytesIO()
    BytesGenerator(buffer, policy=_WIRE).flatten(message)
    return buffer.getvalue()


def _is_content(name: str) -> bool:
    return name.lower().startswith("content-")


def _checked(passphrase: str | None) -> str | None:
    if passphrase is not None and any(c in passphrase for c in "\r\n\0"):
        raise InvalidValue("passphrase", "(hidden)", "must not hold a line break or a NUL")
    return passphrase


def _words(result: Any) -> str:
    """gpg's own messages from a result (its status lines and any passphrase left out)."""
    lines = str(getattr(result, "stderr", "") or "").splitlines()
    said = [ln.removeprefix("gpg: ").strip() for ln in lines if ln.startswith("gpg: ")]
    status = getattr(result, "status", None)
    words = "; ".join(dict.fromkeys([*([str(status)] if status else []), *said]))
    return words or f"gpg exited with code {getattr(result, 'returncode', '?')}"
