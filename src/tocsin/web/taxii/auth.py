"""Who is asking over TAXII: HTTP Basic (a user name and password, or any name and an API token
as the password) or a bearer API token. A checked credential is remembered for a minute
(``web.common.remembered``), so a partner paging through a collection does not pay for an argon2
check per page; a new password or a disable ends it at once."""

from __future__ import annotations

import base64
import binascii

from fastapi import Request

from tocsin.errors import NotAuthenticated
from tocsin.model.people import Principal
from tocsin.web.common.deps import accounts, taxii_credentials
from tocsin.web.common.proxies import client_of

REFUSED = "TAXII needs HTTP Basic credentials or a bearer API token"


def who(request: Request) -> Principal:
    """The person behind the request's credentials; NotAuthenticated without good ones."""
    header = request.headers.get("authorization", "")
    if not header:
        raise NotAuthenticated(REFUSED)
    return taxii_credentials(request).principal(
        header, lambda: _check(request, header), accounts(request).session_epoch
    )


def _check(request: Request, header: str) -> Principal:
    people = accounts(request)
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return people.token_principal(value.strip())
    if scheme.lower() != "basic":
        raise NotAuthenticated(REFUSED)
    try:
        name, _, secret = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise NotAuthenticated("unreadable Basic credentials") from None
    if secret.startswith("tocsin_"):
        return people.token_principal(secret)
    return Principal.of(people.authenticate(name, secret, client=client_of(request)))
