"""Users, log-in and API tokens on a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pyotp
import pytest

from tests.desk import FakeClock
from tocsin.auth.throttle import Limits
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


def test_repeated_failures_wait_at_their_address_only(accounts: Accounts) -> None:
    """After five tries for one name from one address, even the right password waits there, and
    passes from another address."""
    admin(accounts)
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate("root-admin", "wrong password!!", client="198.51.100.9")
    with pytest.raises(TooManyAttempts, match="too many attempts") as caught:
        accounts.authenticate("root-admin", PASSWORD, client="198.51.100.9")
    assert 0 < caught.value.retry_after <= 300
    assert accounts.authenticate("root-admin", PASSWORD, client="198.51.100.10")


def small(store: Store) -> Accounts:
    """Accounts with small limits: 2 per name and address, 3 per address, 4 per name."""
    return Accounts(store, now=FakeClock(), limits=Limits(pair=2, address=3, user=4))


def test_one_address_is_limited_across_names(store: Store) -> None:
    """An address spraying many names is refused after ``address`` tries, whatever the name."""
    accounts = small(store)
    for name in ("a1", "a2", "a3"):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate(name, "wrong password!!", client="198.51.100.9")
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("a4", "wrong password!!", client="198.51.100.9")


def test_an_ipv6_client_counts_by_its_64(store: Store) -> None:
    """Addresses of one IPv6 /64 share their counts: a host cannot take a fresh one per try."""
    accounts = small(store)
    for host in (1, 2):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate("root-admin", "wrong password!!", client=f"2001:db8:1:2::{host}")
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("root-admin", PASSWORD, client="2001:db8:1:2::ff")


def test_rotating_addresses_slow_a_name_but_never_lock_out_its_owner(store: Store) -> None:
    """Past ``user`` tries for one name from many addresses, new addresses wait; the address the
    owner logged in from before, and a browser vouched for (device cookie), still get in."""
    accounts = small(store)
    admin(accounts)
    assert accounts.authenticate("root-admin", PASSWORD, client="192.0.2.7")
    for i in range(3):  # with the owner's log-in, the name's 4 tries
        with pytest.raises(NotAuthenticated):
            accounts.authenticate("root-admin", "wrong password!!", client=f"198.51.100.{i}")
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("root-admin", PASSWORD, client="203.0.113.1")
    assert accounts.authenticate("root-admin", PASSWORD, client="192.0.2.7")
    assert accounts.authenticate("root-admin", PASSWORD, client="203.0.113.2", vouched=True)


def test_an_unknown_address_shares_no_count_with_other_names(store: Store) -> None:
    """Tries without a client address count per name only: failing for one name never stops
    another from logging in (no pooled empty-address count)."""
    accounts = small(store)
    boss = admin(accounts)
    accounts.add_user(boss, name="ana", password=PASSWORD, role="analyst", org_id=boss.org_id or 0)
    for name in ("root-admin", "x1", "x2", "x3"):
        for _ in range(2):
            with pytest.raises(NotAuthenticated):
                accounts.authenticate(name, "wrong password!!", client="")
    assert accounts.authenticate("ana", PASSWORD, client="")


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


def test_a_person_changes_their_own_password_with_the_current_one(accounts: Accounts) -> None:
    """The account page asks the service: a wrong current password is refused at its field, the
    right one sets the new password; two factors show once TOTP is on (nobody's answer is no)."""
    boss = admin(accounts)
    with pytest.raises(InvalidValue, match="not your password"):
        accounts.change_own_password(boss, "wrong password!!", "another long password")
    accounts.change_own_password(boss, PASSWORD, "another long password")
    assert accounts.authenticate("root-admin", "another long password")
    assert not accounts.has_two_factor(boss)
    assert not accounts.has_two_factor(Principal.system())
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
