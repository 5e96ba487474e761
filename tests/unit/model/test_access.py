"""The one assign rule: incidents and vulnerability cases are taken on by active members of
their team whose role may change records, and by no one else."""

from __future__ import annotations

import pytest

from tocsin.errors import InvalidValue
from tocsin.model import access
from tocsin.model.people import Role, User

ANNA = User(7, "anna", "Anna", Role.ANALYST, org_id=1)


def test_an_active_writer_of_the_team_is_assigned_by_name() -> None:
    """An analyst of the record's team takes it on: the rule answers with their user name."""
    assert access.assignee("assignee", 7, ANNA, 1, work="work incidents") == "anna"


@pytest.mark.parametrize(
    "user",
    [
        None,
        User(7, "anna", "Anna", Role.ANALYST, org_id=2),
        User(7, "anna", "A", Role.ANALYST, 1, True),
    ],
)
def test_no_user_another_team_or_a_disabled_account_is_refused(user: User | None) -> None:
    """Unknown, of another team or disabled: refused, naming the field and the id asked for."""
    with pytest.raises(InvalidValue, match="handler: 7: not an active member of the team"):
        access.assignee("handler", 7, user, 1, work="handle cases")


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.PARTNER])
def test_a_role_that_cannot_change_records_is_refused(role: Role) -> None:
    """An auditor or a partner of the team reads but does not take on work."""
    user = User(7, "otto", "Otto", role, org_id=1)
    with pytest.raises(InvalidValue, match="this role cannot work incidents"):
        access.assignee("assignee", 7, user, 1, work="work incidents")
