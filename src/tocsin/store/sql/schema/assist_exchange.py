"""The exchange of requests for assistance between Tocsins (migration 0021): the exchange log,
which is also the outbox, and the nonces seen.

``assist_messages`` holds every message sent or received: an outgoing one waits in it (status
``queued``, ``next_attempt_at`` when due) until the other side's signed receipt is stored in it;
an incoming one is kept with the receipt we answered. ``(direction, party, message_id)`` is
unique: the receiver takes a message once, however often it is sent. ``assist_nonces`` keeps the
nonces of the envelopes opened until their window is over, so a replay is refused.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Table, Text

from tocsin.store.sql.schema.meta import Id, metadata

assist_messages = Table(
    "assist_messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("request_id", BigInteger, ForeignKey("assist_requests.id")),
    Column("counterpart_id", BigInteger, ForeignKey("assist_contacts.id")),
    Column("direction", Text, nullable=False),  # outgoing, incoming
    Column("channel", Text, nullable=False),  # tocsin
    Column("kind", Text, nullable=False),  # request, acknowledgement, status, answer
    Column("party", Text, nullable=False),  # the other Tocsin's identifier
    Column("message_id", Text, nullable=False),  # the same over every attempt
    Column("nonce", Text, nullable=False),  # the last envelope's nonce
    Column("status", Text, nullable=False),  # queued, delivered, failed, received
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", BigInteger),  # Unix seconds; null when nothing is left to do
    Column("error", Text, nullable=False),
    Column("payload", Text, nullable=False),  # JSON
    Column("receipt", Text, nullable=False),  # JSON: the signed receipt (ours or theirs)
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("delivered_at", BigInteger),
    Index("assist_messages_once", "direction", "party", "message_id", unique=True),
    Index("assist_messages_due", "next_attempt_at"),
    Index("assist_messages_request", "request_id", "id"),
)

assist_nonces = Table(
    "assist_nonces",
    metadata,
    Column("party", Text, primary_key=True),  # whose envelope
    Column("nonce", Text, primary_key=True),
    Column("expires_at", BigInteger, nullable=False),  # after it, the window refuses it anyway
    Index("assist_nonces_expiry", "expires_at"),
)
