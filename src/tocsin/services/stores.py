"""Opening the configured store: the one place adapters get a store from."""

from __future__ import annotations

from tocsin.settings import Settings
from tocsin.store import Store, open_store


def open_configured_store(settings: Settings) -> Store:
    return open_store(settings.database_url)
