"""Sharing: TAXII collections, agreements, released STIX objects (migration 0009)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    Table,
    Text,
)

from tocsin.store.sql.schema.meta import Id, metadata

share_collections = Table(
    "share_collections",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("uuid", Text, nullable=False, unique=True),  # the TAXII collection id
    Column("alias", Text, nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
)

share_agreements = Table(
    "share_agreements",
    metadata,
    Column("org_id", BigInteger, ForeignKey("organisations.id"), primary_key=True),
    Column("collection_id", BigInteger, ForeignKey("share_collections.id"), primary_key=True),
    Column("can_read", Boolean, nullable=False),
    Column("can_write", Boolean, nullable=False),
    Column("max_tlp", SmallInteger, nullable=False),
    Column("approval", Boolean, nullable=False),
    Column("updated", BigInteger, nullable=False),
)

share_objects = Table(
    "share_objects",  # one row per version of a STIX object in a collection, for one audience
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=True),
    Column("collection_id", BigInteger, ForeignKey("share_collections.id"), nullable=False),
    # microseconds since the epoch, unique and increasing within a collection: the page cursor
    Column("date_added", BigInteger, nullable=False),
    Column("object_id", Text, nullable=False),
    # modified, else created, in microseconds since the epoch; 0 for objects with neither (SCOs)
    Column("version", BigInteger, nullable=False),
    Column("type", Text, nullable=False),
    Column("spec_version", Text, nullable=False),
    Column("tlp", SmallInteger, nullable=False),
    Column("audience", BigInteger, nullable=False),  # 0: every partner allowed; else one org
    Column("is_first", Boolean, nullable=False),
    Column("is_last", Boolean, nullable=False),
    Column("release_id", BigInteger),
    Column("source_org", BigInteger),  # the partner that wrote it over TAXII
    Column("data", Text, nullable=False),  # the object's JSON, served as stored
    Index("share_objects_added", "collection_id", "date_added", unique=True),
    Index("share_objects_id", "collection_id", "object_id", "audience", "version", unique=True),
)

share_releases = Table(
    "share_releases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("collection_id", BigInteger, ForeignKey("share_collections.id"), nullable=False),
    Column("audience", BigInteger, nullable=False),
    Column("tlp", SmallInteger, nullable=False),
    Column("state", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("approver", Text),
    Column("decided", BigInteger),
    Column("objects", Integer, nullable=False),
    Column("summary", Text, nullable=False),
    Column("payload", Text, nullable=False),  # the STIX objects, as a JSON array
    Index("share_releases_state", "state", "id"),
)

share_status = Table(
    "share_status",  # TAXII status resources of POSTed envelopes, kept at least 24 hours
    metadata,
    Column("id", Text, primary_key=True),
    Column("org_id", BigInteger),
    Column("created", BigInteger, nullable=False),
    Column("data", Text, nullable=False),
)

share_pulls = Table(
    "share_pulls",  # where each TAXII pull stopped: the next pull asks for what came after
    metadata,
    Column("name", Text, primary_key=True),
    Column("last_added", Text, nullable=False),
    Column("updated", BigInteger, nullable=False),
)
