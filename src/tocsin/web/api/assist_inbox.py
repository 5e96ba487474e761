"""``POST /api/v1/assist/inbox``: where another Tocsin delivers its signed envelopes (requests,
acknowledgements, status changes, answers), and ``GET /api/v1/assist/identity``: the key a
counterpart registers for us.

No token: the envelope's signature, checked against the key registered for its sender in the
directory, is the proof of who sends. The answer is our signed receipt; a refusal says why in one
word (``malformed``, ``recipient``, ``sender``, ``signature``, ``time``, ``replay``) and a
sentence.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from tocsin.services.types import EnvelopeRefused
from tocsin.web.common.deps import Services

router = APIRouter(tags=["assistance"])

STATUS = {
    "malformed": 400,
    "recipient": 400,
    "sender": 403,
    "signature": 403,
    "time": 403,
    "replay": 409,
}


class Refusal(BaseModel):
    error: str = Field(description="malformed, recipient, sender, signature, time or replay")
    detail: str


class Identity(BaseModel):
    party: str = Field(description="Our identifier in the exchange: the key's fingerprint")
    public_key: str = Field(description="Our Ed25519 public key, base64 of its 32 bytes")


@router.post(
    "/assist/inbox",
    summary="Deliver a signed envelope from another Tocsin",
    responses={
        200: {"description": "Our signed receipt (an envelope of kind receipt)"},
        400: {"model": Refusal, "description": "Malformed, or for another Tocsin"},
        403: {"model": Refusal, "description": "Unknown sender, bad signature, out of time"},
        409: {"model": Refusal, "description": "A replayed envelope"},
    },
)
def inbox(
    desk: Services,
    envelope: Annotated[dict[str, Any], Body(description="The signed envelope")],
) -> JSONResponse:
    try:
        receipt = desk.exchange.receive(envelope)
    except EnvelopeRefused as exc:
        refusal = Refusal(error=exc.reason, detail=str(exc))
        return JSONResponse(refusal.model_dump(), status_code=STATUS.get(exc.reason, 400))
    return JSONResponse(receipt)


@router.get(
    "/assist/identity",
    response_model=Identity,
    summary="The public key another Tocsin registers to exchange with this one",
)
def identity(desk: Services) -> Identity:
    party, public_key = desk.exchange.identity()
    return Identity(party=party, public_key=public_key)
