"""Users, log-in and API tokens on a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pyotp
import pytest

from tests.desk import FakeClock
from tocsin.errors import Forbidden, InvalidValue, NotAuthenticated, NotFound, TooManyAttempts
from tocsin.model.people import Principal, Role
from tocsin.services.accounts import Accounts
from tocsin.store import Store

PASSWORD = "correct horse battery staple"


@pytest.fixture
def accounts(store: Store) -> Accounts:
    return Accounts(store, now=FakeClock())


def admin(accounts: Accounts) -> Principal:
    team = accounts.ensure_team()
    user = accounts.add_user(
        Principal.system(), name="root-admin", password=PASSWORD, role="admin", org_id=team
    )
    return Principal.of(user)


def test_a_user_logs_in_with_the_right_password_only(accounts: Accounts) -> None:
    """The right password logs in; a wrong one, an unknown user or a disabled one do not, all
    with the same message."""
    boss = admin(accounts)
    accounts.add_user(boss, name="Ana", password=PASSWORD, role="analyst", org_id=boss.org_id or 0)
    assert accounts.authenticate("ana", PASSWORD).username == "ana"
    messages = set()
    for name, password in (("ana", "wrong password!!"), ("nobody", PASSWORD)):
        with pytest.raises(NotAuthenticated) as caught:
            accounts.authenticate(name, password, client="192.0.2.1")
        messages.add(str(caught.value))
    accounts.set_disabled(boss, "ana", True)
    with pytest.raises(NotAuthenticated) as caught:
        accounts.authenticate("ana", PASSWORD)
    messages.add(str(caught.value))
    assert messages == {"wrong user name, password or code"}


def test_passwords_are_stored_as_argon2_hashes(accounts: Accounts, store: Store) -> None:
    """The stored password is an argon2id hash, never the password."""
    boss = admin(accounts)
    user = store.people.user(boss.user_id or 0)
    assert user is not None and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_repeated_failures_are_rate_limited(accounts: Accounts) -> None:
    """After five tries for one name, even the right password waits."""
    admin(accounts)
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate("root-admin", "wrong password!!", client="198.51.100.9")
    with pytest.raises(TooManyAttempts, match="too many attempts") as caught:
        accounts.authenticate("root-admin", PASSWORD, client="198.51.100.10")
    assert 0 < caught.value.retry_after <= 300


def test_totp_is_required_once_enabled_and_a_code_works_once(accounts: Accounts) -> None:
    """With TOTP on, the password alone fails, a valid code passes, and the same code twice
    fails."""
    boss = admin(accounts)
    secret = pyotp.random_base32()
    accounts.set_totp(boss, "root-admin", secret)
    with pytest.raises(NotAuthenticated):
        accounts.authenticate("root-admin", PASSWORD)
    code = pyotp.TOTP(secret).at(accounts.now())
    assert accounts.authenticate("root-admin", PASSWORD, code=code).username == "root-admin"
    with pytest.raises(NotAuthenticated):
        accounts.authenticate("root-admin", PASSWORD, code=code)


def test_a_person_checks_their_own_password_and_second_factor(accounts: Accounts) -> None:
    """The account page asks the service: the own password matches, another does not, and two
    factors show once TOTP is on (nobody's answer is no)."""
    boss = admin(accounts)
    assert accounts.password_matches(boss, PASSWORD)
    assert not accounts.password_matches(boss, "wrong password!!")
    assert not accounts.password_matches(Principal.system(), PASSWORD)
    assert not accounts.has_two_factor(boss)
    accounts.set_totp(boss, "root-admin", pyotp.random_base32())
    assert accounts.has_two_factor(boss)


def test_only_admins_manage_users(accounts: Accounts) -> None:
    """A lead cannot create or disable users; a weak password or a bad role is refused."""
    boss = admin(accounts)
    team = boss.org_id or 0
    lead = Principal.of(
        accounts.add_user(boss, name="lead", password=PASSWORD, role="lead", org_id=team)
    )
    with pytest.raises(Forbidden):
        accounts.add_user(lead, name="x1", password=PASSWORD, role="analyst", org_id=team)
    with pytest.raises(Forbidden):
        accounts.set_disabled(lead, "root-admin", True)
    with pytest.raises(InvalidValue, match="password"):
        accounts.add_user(boss, name="x2", password="short", role="analyst", org_id=team)
    with pytest.raises(InvalidValue, match="role"):
        accounts.add_user(boss, name="x3", password=PASSWORD, role="king", org_id=team)


def test_tokens_are_stored_hashed_scoped_and_revocable(accounts: Accounts, store: Store) -> None:
    """A token works until revoked, carries its scopes, and only its digest is stored."""
    boss = admin(accounts)
    new = accounts.create_token(boss, "ci", "read")
    who = accounts.token_principal(new.secret)
    assert (who.username, who.scopes, who.role) == ("root-admin", frozenset({"read"}), Role.ADMIN)
    assert all(new.secret not in repr(t) for t in store.people.tokens())
    accounts.revoke_token(boss, new.token.id)
    with pytest.raises(NotAuthenticated):
        accounts.token_principal(new.secret)
    with pytest.raises(NotFound):
        accounts.revoke_token(Principal(999, "x", Role.ANALYST, 1), new.token.id)


def test_every_change_to_users_and_tokens_is_audited_without_secrets(
    accounts: Accounts, store: Store
) -> None:
    """User creation, disabling, password resets and tokens are in the audit log; no password
    or token secret is."""
    boss = admin(accounts)
    accounts.add_user(boss, name="ana", password=PASSWORD, role="analyst", org_id=boss.org_id or 0)
    accounts.set_disabled(boss, "ana", True)
    accounts.reset_password(boss, "ana", "another long password")
    new = accounts.create_token(boss, "ci", "read,write")
    accounts.revoke_token(boss, new.token.id)
    entries = store.cases.audit()
    actions = [e.action for e in entries]
    for action in ("user.create", "user.disable", "user.password", "token.create", "token.revoke"):
        assert action in actions
    text = repr(entries)
    assert PASSWORD not in text and new.secret not in text and "another long" not in text
