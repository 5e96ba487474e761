"""The secret key kept in the data folder when none is configured: made once, owner-only, the
same for every process; a file others may read, or a short key, is refused with a message."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest

from tocsin.auth.key_files import create_once
from tocsin.auth.keys import MIN_SECRET_KEY_LENGTH, stored_secret_key
from tocsin.errors import ConfigError
from tocsin.services.desk import with_secret_key
from tocsin.settings import Settings


def test_the_key_is_made_once_for_its_owner_only(tmp_path: Path) -> None:
    """A missing key file is made 0600 (in a new 0700 folder) and read back the same after."""
    path = tmp_path / "data" / "secret.key"
    first = stored_secret_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(first) >= MIN_SECRET_KEY_LENGTH
    assert stored_secret_key(path) == first


def test_a_second_maker_keeps_the_first_key(tmp_path: Path) -> None:
    """Creation links a finished file into place: a process that comes second leaves the first
    one's key as it is, and no half-written temporary file stays behind."""
    path = tmp_path / "secret.key"
    first = stored_secret_key(path)
    create_once(path, b"another key that lost the race, never to be used\n")
    assert stored_secret_key(path) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.key"]


def test_processes_starting_together_agree(tmp_path: Path) -> None:
    """Several processes asking for the key of an empty folder at once all get the same one."""
    path = tmp_path / "secret.key"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        keys = pool.map(stored_secret_key, [path] * 8)
    assert len(set(keys)) == 1 and keys[0] == path.read_text().strip()


def test_a_key_file_others_may_read_is_refused(tmp_path: Path) -> None:
    """Mode 0644: refused, naming the file and the fix, never showing the key."""
    path = tmp_path / "secret.key"
    key = stored_secret_key(path)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match=r"open to others \(mode 0644\); run: chmod 600") as err:
        stored_secret_key(path)
    assert str(path) in str(err.value) and key not in str(err.value)


def test_a_short_key_file_is_refused(tmp_path: Path) -> None:
    """A key of fewer than 32 characters (or none at all) signs nothing."""
    path = tmp_path / "secret.key"
    path.write_text("too short\n")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="shorter than 32 characters") as err:
        stored_secret_key(path)
    assert "too short" not in str(err.value)


def test_a_configured_key_wins_and_no_file_is_made(tmp_path: Path) -> None:
    """TOCSIN_SECRET_KEY, when set, is the key; the data folder is left alone."""
    configured = Settings(secret_key="k" * 40, data_dir=str(tmp_path))
    assert with_secret_key(configured).secret_key == "k" * 40
    assert list(tmp_path.iterdir()) == []
    kept = with_secret_key(Settings(data_dir=str(tmp_path)))
    assert kept.secret_key == (tmp_path / "secret.key").read_text().strip()
    elsewhere = Settings(data_dir=str(tmp_path), secret_key_file=str(tmp_path / "k" / "s.key"))
    assert with_secret_key(elsewhere).secret_key != kept.secret_key
