"""People's names as the pages show them (the store keeps ids)."""

from __future__ import annotations

from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts


def member_names(accounts: Accounts, who: Principal) -> dict[int, str]:
    """Display names of the team members who can work incidents, by user id."""
    return {u.id: u.display_name or u.username for u in accounts.team_members(who)}


def name_of(names: dict[int, str], user_id: int | None) -> str:
    if user_id is None:
        return "nobody"
    return names.get(user_id, f"user #{user_id}")
