"""Find PostgreSQL for the tests, or start a throwaway cluster from the local binaries."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def ensure_postgres() -> Iterator[str]:
    url = os.environ.get("TOCSIN_TEST_POSTGRES", DEFAULT_URL)
    if _answers(url):
        yield url
        return
    bindirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bindirs:
        raise RuntimeError(
            f"PostgreSQL does not answer at {url} and no local PostgreSQL binaries were found "
            "(/usr/lib/postgresql/*/bin). Start PostgreSQL or set TOCSIN_TEST_POSTGRES."
        )
    bindir = bindirs[-1]
    workdir = tempfile.mkdtemp(prefix="tocsin-pg-")
    port = _free_port()
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres user
        shutil.chown(workdir, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(workdir, "data")
    subprocess.run(
        [*run_as, f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            f"{bindir}/pg_ctl",
            "-D",
            data,
            "-w",
            "-l",
            f"{workdir}/log",
            "-o",
            f"-p {port} -k {workdir} -h 127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)
