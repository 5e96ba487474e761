"""People's names as the pages show them (the store keeps ids)."""

from __future__ import annotations

from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts


def member_names(accounts: Accounts, who: Principal) -> dict[int, str]:
    """Display names of one's own organisation's staff, by user id (disabled people included)."""
    return accounts.names(who)


def name_of(names: dict[int, str], user_id: int | None) -> str:
    if user_id is None:
        return "nobody"
    return names.get(user_id, f"user #{user_id}")
