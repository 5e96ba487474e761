"""``tocsin backup DIR`` and ``tocsin restore DIR``: the database and the data folder, with a
manifest of every file's SHA-256.

A backup folder holds ``tocsin.db`` (SQLite's online backup, taken while the server runs),
``data/`` (a copy of ``TOCSIN_DATA_DIR``: the keys, the audit checkpoints, evidence files, the
collectors' raw archive, pulled TAXII pages), ``outside/`` (a key or checkpoint file a setting
keeps outside the data folder, under the setting's name) and ``manifest.json``. The audit
checkpoints are copied before the database, so the copied log holds every entry they cover
and ``tocsin audit verify`` passes on a restored store; evidence files after it, so every
evidence row of the copy finds its file. The folder is made 0700: it holds the keys.

PostgreSQL's database is not copied here: ``pg_dump`` does it (``POSTGRES_RECIPE``), and the
data folder is copied all the same. A restore checks every file against the manifest before it
writes anything, and refuses a store that already holds data unless forced.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from tocsin.errors import Conflict, InvalidValue, NotFound
from tocsin.settings import Settings
from tocsin.store import copy_database, database_file, holds_data, open_store, restore_database

MANIFEST = "manifest.json"
DATABASE = "tocsin.db"
FORMAT = 1
FOLDER_MODE = 0o700
POSTGRES_RECIPE = """\
pg_dump --format=custom --file=DIR/tocsin.pgdump "$TOCSIN_DATABASE_URL"      # back up
pg_restore --clean --if-exists --no-owner --dbname="$TOCSIN_DATABASE_URL" DIR/tocsin.pgdump
                                                                              # restore"""
# Files a setting may keep outside the data folder, by setting name.
OUTSIDE = ("secret_key_file", "audit_key_file", "audit_signing_key_file", "audit_checkpoints")
_SKIPPED_SUFFIXES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True, slots=True)
class Copied:
    """What a backup or a restore copied."""

    folder: Path
    files: int
    size: int
    database: bool  # False: PostgreSQL, whose database pg_dump copies


def backup(settings: Settings, folder: Path, now: int) -> Copied:
    """The store and its data folder, copied into the new or empty ``folder``."""
    if folder.exists() and any(folder.iterdir()):
        raise Conflict(f"{folder} is not empty: back up into a new folder")
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    folder.chmod(FOLDER_MODE)
    sources = _sources(settings)
    checkpoints = settings.audit_checkpoints_path.resolve()
    first = {name: path for name, path in sources.items() if path == checkpoints}
    files = {name: _copy_in(path, folder / name) for name, path in first.items()}
    database = database_file(settings.database_url) is not None
    if database:
        copy_database(settings.database_url, folder / DATABASE)
        files[DATABASE] = _digest(folder / DATABASE)
    for name, path in sources.items():
        if name not in files and path.is_file():  # a file may go while the copy runs
            files[name] = _copy_in(path, folder / name)
    manifest = {
        "format": FORMAT,
        "made": datetime.fromtimestamp(now, UTC).isoformat(),
        "database": DATABASE if database else None,
        "files": {n: {"sha256": d, "bytes": size} for n, (d, size) in sorted(files.items())},
    }
    (folder / MANIFEST).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    return Copied(folder, len(files), sum(size for _, size in files.values()), database)


def restore(settings: Settings, folder: Path, *, force: bool = False) -> Copied:
    """The backup in ``folder``, checked against its manifest, put back as the configured store
    and data folder; a store that holds data already is refused unless ``force``."""
    files, has_database = verify(folder)
    sqlite = database_file(settings.database_url) is not None
    if sqlite and not has_database:
        raise InvalidValue("backup", str(folder), "holds no database (made on PostgreSQL)")
    data = Path(settings.data_dir)
    if not force and (holds_data(settings.database_url) or _has_files(data)):
        raise Conflict(
            "the configured store already holds data "
            f"({settings.database_url.split('://')[0]}, {data}): restore with --force to "
            "overwrite it"
        )
    if sqlite:
        restore_database(folder / DATABASE, settings.database_url)
        open_store(settings.database_url).close()  # migrated, if the backup is older
    restored = 0
    for name in files:
        if name == DATABASE:
            continue
        _copy_out(folder / name, _destination(settings, name))
        restored += 1
    size = sum(size for _, size in files.values())
    return Copied(folder, restored + (1 if sqlite else 0), size, sqlite)


def verify(folder: Path) -> tuple[dict[str, tuple[str, int]], bool]:
    """The manifest's files, each checked (present, same SHA-256, none unlisted), and whether
    the backup holds a database; ``InvalidValue`` naming the first file that does not match."""
    try:
        manifest = orjson.loads((folder / MANIFEST).read_bytes())
    except FileNotFoundError:
        raise NotFound(f"no {MANIFEST} in {folder}: not a Tocsin backup") from None
    except orjson.JSONDecodeError:
        raise InvalidValue("backup", str(folder), f"its {MANIFEST} is not JSON") from None
    if manifest.get("format") != FORMAT:
        raise InvalidValue("backup", str(folder), f"format {manifest.get('format')!r} unknown")
    try:
        listed = {n: (str(f["sha256"]), int(f["bytes"])) for n, f in manifest["files"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InvalidValue("backup", str(folder), f"its {MANIFEST} lists no files") from None
    present = {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and path.name != MANIFEST
    }
    unlisted = sorted(present - set(listed))
    if unlisted:
        raise InvalidValue("backup file", unlisted[0], "is not in the manifest")
    for name, expected in sorted(listed.items()):
        path = folder / name
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise InvalidValue("backup file", name, "is outside the backup folder")
        if not path.is_file():
            raise InvalidValue("backup file", name, "is missing")
        if _digest(path) != expected:
            raise InvalidValue("backup file", name, "does not match its SHA-256 in the manifest")
    return listed, manifest.get("database") == DATABASE and DATABASE in listed


# -- what is copied, and where it goes back -----------------------------------------------------


def _sources(settings: Settings) -> dict[str, Path]:
    """Every file to copy, by its name in the backup: the data folder's under ``data/`` (less
    the database and its journals when the database lives there), the files settings keep
    elsewhere under ``outside/<setting>``."""
    data = Path(settings.data_dir).resolve()
    skip: set[Path] = set()
    db = database_file(settings.database_url)
    if db is not None:
        db = db.resolve()
        skip = {db, *(db.with_name(db.name + suffix) for suffix in _SKIPPED_SUFFIXES)}
    found: dict[str, Path] = {}
    if data.is_dir():
        for path in sorted(data.rglob("*")):
            if path.is_file() and path not in skip and not path.name.startswith(".new-key-"):
                found["data/" + path.relative_to(data).as_posix()] = path
    for setting in OUTSIDE:
        path = _configured(settings, setting).resolve()
        if path.is_file() and not path.is_relative_to(data):
            found[f"outside/{setting}"] = path
    return found


def _configured(settings: Settings, setting: str) -> Path:
    paths = {
        "secret_key_file": settings.secret_key_path,
        "audit_key_file": settings.audit_key_path,
        "audit_signing_key_file": settings.audit_signing_key_path,
        "audit_checkpoints": settings.audit_checkpoints_path,
    }
    return paths[setting]


def _destination(settings: Settings, name: str) -> Path:
    head, _, rest = name.partition("/")
    if head == "data":
        return Path(settings.data_dir) / rest
    if head == "outside" and rest in OUTSIDE:
        return _configured(settings, rest)
    raise InvalidValue("backup file", name, "is neither under data/ nor a known outside file")


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(path.is_file() for path in folder.rglob("*"))


def _copy_in(source: Path, target: Path) -> tuple[str, int]:
    target.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    shutil.copy2(source, target)  # with its mode: a key stays 0600
    return _digest(target)


def _copy_out(source: Path, target: Path) -> None:
    """``source`` at ``target``, whole or not at all (written aside, then renamed)."""
    target.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".restoring-", dir=target.parent)
    os.close(fd)
    try:
        shutil.copy2(source, temp)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _digest(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as read:
        while chunk := read.read(1 << 20):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


__all__ = ["DATABASE", "MANIFEST", "POSTGRES_RECIPE", "Copied", "backup", "restore", "verify"]
