"""The command line acts for a person only on that person's credential, on SQLite and PostgreSQL:
four-eyes release (approve, refuse, publish for a partner) and a CVD case's moves need the named
person's API token (``TOCSIN_TOKEN``) or their password on a terminal; a shell alone is no one.
A wrong credential changes nothing, says so, ends with status 2 and is counted: after five, even
the right one waits."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from click.testing import Result
from typer.testing import CliRunner

from tests.desk import Team, make_team
from tests.factories import make_event, rows
from tocsin.cli import app
from tocsin.cvd.cases import Cvd
from tocsin.model.people import Principal
from tocsin.model.share import ReleaseState
from tocsin.services.accounts import Accounts
from tocsin.store import Store

PASSWORD = "correct horse battery staple"
PROMPT_SECONDS = 60  # the deadline of a terminal read, never a wait


@dataclass
class Desk:
    team: Team
    store: Store
    runner: CliRunner
    tokens: dict[str, str]

    def run(self, *args: str, token: str | None = None) -> Result:
        env: dict[str, str | None] = {"TOCSIN_DATABASE_URL": self.store.url, "TOCSIN_WORKERS": "0"}
        env["TOCSIN_TOKEN"] = self.tokens.get(token, token) if token else None
        return self.runner.invoke(app, list(args), env=env, obj=self.team.clock)

    def ok(self, *args: str, token: str | None = None) -> str:
        result = self.run(*args, token=token)
        assert result.exit_code == 0, result.output
        return result.output

    def release_state(self, release: str) -> ReleaseState:
        found = self.store.share.release(int(release))
        assert found is not None
        return found[0].state

    def refusals(self, name: str) -> int:
        return sum(
            1
            for e in self.store.cases.audit()
            if e.action == "credential.refused" and e.object_id == name
        )


@pytest.fixture
def desk(store: Store) -> Desk:
    """The team (a lead and an admin among its people), an AMBER event, a collection whose
    agreement with CERT-XY asks for approval, and read/write tokens for the lead and the admin
    and a read-only one for the admin."""
    team = make_team(store)
    store.write(rows(make_event(source__ip="203.0.113.9", tlp="AMBER")), [])
    accounts = Accounts(store, now=team.clock)
    tokens = {
        name: accounts.create_token(team.people[name], "cli", "read,write").secret
        for name in ("lead", "admin")
    }
    tokens["admin-read"] = accounts.create_token(team.people["admin"], "ro", "read").secret
    here = Desk(team, store, CliRunner(), tokens)
    here.ok("share", "collection", "community", "--title", "Community")
    here.ok("partners", "add", "CERT-XY")
    here.ok("partners", "agreement", "CERT-XY", "community", "--max-tlp", "AMBER", "--approval")
    return here


def pending(desk: Desk) -> str:
    """A release the lead asked for, waiting for a second lead."""
    out = desk.ok("share", "publish", "community", "--partner", "CERT-XY", token="lead")
    assert "pending" in out, out
    return out.split("release ")[1].split(":")[0]


@pytest.mark.parametrize(
    "command",
    [
        lambda r: ["share", "approve", r, "--as", "admin"],
        lambda r: ["share", "refuse", r, "--reason", "names a victim", "--as", "admin"],
    ],
    ids=["approve", "refuse"],
)
def test_deciding_a_release_as_someone_without_their_credential_is_refused(
    desk: Desk, command: Callable[[str], list[str]]
) -> None:
    """``--as admin`` with neither the admin's token nor a terminal to ask their password on is
    refused with status 2 and a message naming TOCSIN_TOKEN, and the release still waits."""
    release = pending(desk)
    result = desk.run(*command(release))
    assert result.exit_code == 2, result.output
    assert "TOCSIN_TOKEN" in result.output and "Traceback" not in result.output
    assert desk.release_state(release) is ReleaseState.PENDING


def test_approving_with_no_person_at_all_is_refused(desk: Desk) -> None:
    """Without --as and without a token, approve does not fall back to the local administrator."""
    release = pending(desk)
    result = desk.run("share", "approve", release)
    assert result.exit_code == 2 and "acts for a person" in result.output
    assert desk.release_state(release) is ReleaseState.PENDING


def test_the_owners_token_approves_and_names_them(desk: Desk) -> None:
    """The admin's token in TOCSIN_TOKEN approves, with or without --as admin, as the admin."""
    release = pending(desk)
    assert "released by admin" in desk.ok("share", "approve", release, token="admin")
    other = pending(desk)
    assert "released by admin" in desk.ok("share", "approve", other, "--as", "admin", token="admin")


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("lead", "wrong token"),  # someone else's
        ("tocsin_" + "A" * 43, "wrong token"),  # shaped like a token, known to no one
        ("not a token", "wrong token"),
    ],
    ids=["another-persons", "unknown", "garbage"],
)
def test_a_token_that_is_not_the_named_persons_is_refused_and_counted(
    desk: Desk, token: str, expected: str
) -> None:
    """A token that is not the admin's, with --as admin, is refused with status 2: the release
    still waits, and the audit log records the refusal about the admin."""
    release = pending(desk)
    result = desk.run("share", "approve", release, "--as", "admin", token=token)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert desk.release_state(release) is ReleaseState.PENDING
    assert desk.refusals("admin") == 1


def test_a_revoked_token_is_refused(desk: Desk) -> None:
    """Once revoked, the admin's token no longer approves."""
    release = pending(desk)
    desk.ok("tokens", "revoke", "2")  # the admin's read/write token (the lead's is 1)
    result = desk.run("share", "approve", release, token="admin")
    assert result.exit_code == 2 and "wrong token" in result.output
    assert desk.release_state(release) is ReleaseState.PENDING


def test_a_read_only_token_does_not_approve(desk: Desk) -> None:
    """The admin's read-only token proves the admin but carries no right to write."""
    release = pending(desk)
    result = desk.run("share", "approve", release, token="admin-read")
    assert result.exit_code == 2
    assert desk.release_state(release) is ReleaseState.PENDING


def test_after_five_refusals_even_the_right_token_waits(desk: Desk) -> None:
    """Five wrong credentials for the admin within five minutes: the sixth try, with the right
    token, is refused as too many attempts; five minutes later it approves."""
    release = pending(desk)
    for _ in range(5):
        assert desk.run("share", "approve", release, "--as", "admin", token="lead").exit_code == 2
    blocked = desk.run("share", "approve", release, "--as", "admin", token="admin")
    assert blocked.exit_code == 2 and "too many attempts" in blocked.output
    assert desk.release_state(release) is ReleaseState.PENDING
    desk.team.clock.advance(301)
    assert "released by admin" in desk.ok("share", "approve", release, token="admin")


def test_the_four_eyes_rule_still_counts_the_proven_people(desk: Desk) -> None:
    """The lead, proven by their own token, may not approve their own release."""
    release = pending(desk)
    result = desk.run("share", "approve", release, token="lead")
    assert result.exit_code == 2 and "four eyes" in result.output


def test_publishing_for_a_partner_needs_a_person_and_for_everyone_does_not(desk: Desk) -> None:
    """publish --partner without a credential is refused and releases nothing; publishing GREEN
    for everyone stays a command of the local administrator."""
    refused = desk.run("share", "publish", "community", "--partner", "CERT-XY", "--as", "lead")
    assert refused.exit_code == 2 and "TOCSIN_TOKEN" in refused.output
    assert desk.store.share.releases() == []
    assert "release 1: released" in desk.ok("share", "publish", "community")


def test_a_cvd_move_needs_the_persons_credential(desk: Desk) -> None:
    """cvd move without a credential is refused and the case stays received; with the lead's
    token it moves, and the audit log names the lead."""
    case = Cvd(desk.store, now=desk.team.clock).create(
        desk.team.people["lead"], title="XSS in the router", reporter="Ana"
    )
    refused = desk.run("cvd", "move", case.public_id, "triaged", "--as", "lead")
    assert refused.exit_code == 2 and "TOCSIN_TOKEN" in refused.output
    assert "triaged" not in desk.ok("cvd", "list")
    assert "is triaged" in desk.ok("cvd", "move", case.public_id, "triaged", token="lead")
    moves = [e for e in desk.store.cases.audit() if e.action == "cvd.transition"]
    assert [e.actor for e in moves] == ["lead"]


# -- the password, asked on a real terminal --------------------------------------------------------


def on_terminal(desk: Desk, args: list[str], answer: str) -> tuple[int, str]:
    """The command run in a process of its own on a pseudo-terminal, the answer typed at its
    password prompt; its exit status and what the terminal showed."""
    env = dict(os.environ, TOCSIN_DATABASE_URL=desk.store.url, TOCSIN_WORKERS="0")
    env.pop("TOCSIN_TOKEN", None)
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "tocsin.cli", *args]
    with subprocess.Popen(command, env=env, stdin=follower, stdout=follower, stderr=follower) as p:
        os.close(follower)
        try:
            shown = converse(leader, answer)
        except BaseException:
            p.kill()  # the conversation failed: the process must not be waited on forever
            raise
    os.close(leader)
    return p.returncode, shown.decode(errors="replace")


def converse(leader: int, answer: str) -> bytes:
    """What the terminal shows until the process ends, the answer typed once the prompt is
    whole: click shows "Password of NAME:", then getpass turns echo off, flushing what was typed
    before, and writes the last space."""
    shown, typed = b"", False
    while True:
        ready, _, _ = select.select([leader], [], [], PROMPT_SECONDS)
        assert ready, f"the command said nothing for {PROMPT_SECONDS} s: {shown!r}"
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process has ended
            return shown
        if not chunk:
            return shown
        shown += chunk
        if not typed and b"Password of admin: " in shown:
            os.write(leader, answer.encode() + b"\n")
            typed = True


def test_on_a_terminal_the_persons_password_is_asked_and_checked(desk: Desk) -> None:
    """On a terminal, --as admin asks the admin's password without echoing it: a wrong one is
    refused (status 2, nothing released, the refusal audited), the right one approves."""
    Accounts(desk.store, now=desk.team.clock).reset_password(Principal.system(), "admin", PASSWORD)
    release = pending(desk)
    args = ["share", "approve", release, "--as", "admin"]
    status, shown = on_terminal(desk, args, "not the password at all")
    assert status == 2, shown
    assert "wrong password" in shown and "not the password" not in shown
    assert desk.release_state(release) is ReleaseState.PENDING
    assert desk.refusals("admin") == 1
    status, shown = on_terminal(desk, args, PASSWORD)
    assert status == 0, shown
    assert PASSWORD not in shown
    assert desk.release_state(release) is ReleaseState.RELEASED
