"""The house plan holds: packages import only downwards (docs/architecture.md).

The contract lives in pyproject.toml ([tool.importlinter]); import-linter checks it. The
back-arrows the tree once had are planted one at a time in a copy of the package, and each must
break the contract, so that the check is shown to catch what it is there to catch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(project: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(project / "src")}
    return subprocess.run(
        [str(LINT), "--no-cache", "--no-logo", str(project / "pyproject.toml")],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def planted(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess[str]:
    """import-linter's verdict on a copy of the tree with ``line`` added to ``module``."""
    shutil.copytree(ROOT / "src" / "tocsin", tmp_path / "src" / "tocsin")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "tocsin" / module
    target.write_text(target.read_text() + f"\n{line}\n")
    return lint(tmp_path)


def test_the_packages_point_one_way() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Packages point one way KEPT" in result.stdout


# Each arrow the review found (or one of its kind), planted where it once was.
BACK_ARROWS = [
    ("store/rows.py", "import tocsin.pipeline.stages.batch"),  # store → pipeline
    ("pipeline/parsers/stix.py", "import tocsin.share.sharing"),  # pipeline → share
    ("share/sharing.py", "import tocsin.services.ingest"),  # share → services
    ("share/sharing.py", "import tocsin.cases.incidents"),  # share → cases
    ("model/incident.py", "import tocsin.store.base"),  # model → store
    ("formats/stix.py", "import tocsin.pipeline.runner"),  # formats → pipeline
]


@pytest.mark.parametrize(("module", "line"), BACK_ARROWS, ids=[m for m, _ in BACK_ARROWS])
def test_a_back_arrow_breaks_the_contract(tmp_path: Path, module: str, line: str) -> None:
    result = planted(tmp_path, module, line)
    assert result.returncode != 0
    assert "Packages point one way BROKEN" in result.stdout


# The command line's shortcuts past the Desk, each of the kind it once took.
CLI_SHORTCUTS = [
    ("cli/events.py", "import tocsin.store.base"),  # a store opened by a command
    ("cli/users.py", "import tocsin.cases.audit"),  # a domain function called directly
    ("cli/ingest.py", "import tocsin.pipeline.parsers"),
    ("cli/notify.py", "import tocsin.notify.dispatch"),
    ("cli/cvd.py", "import tocsin.cvd.cases"),
    ("cli/share.py", "import tocsin.share.sharing"),
]


@pytest.mark.parametrize(("module", "line"), CLI_SHORTCUTS, ids=[m for m, _ in CLI_SHORTCUTS])
def test_a_command_past_the_desk_breaks_the_contract(
    tmp_path: Path, module: str, line: str
) -> None:
    result = planted(tmp_path, module, line)
    assert result.returncode != 0
    assert "The command line goes through the services BROKEN" in result.stdout


# The web's shortcuts past the Desk, each of the kind it once took.
WEB_SHORTCUTS = [
    ("web/console/incident.py", "import tocsin.cases.dossier"),  # a domain function called directly
    ("web/api/incidents.py", "import tocsin.cases.related"),
    ("web/common/deps.py", "import tocsin.store"),  # the store handed to a route
    ("web/console/notices.py", "import tocsin.notify.notifier"),  # a service type named directly
    ("web/console/cvd.py", "import tocsin.cvd.cases"),
    ("web/console/sharing.py", "import tocsin.share.sharing"),
    ("web/taxii/routes.py", "import tocsin.share.sharing"),  # only share.taxii is let through
    ("web/console/events.py", "import tocsin.pipeline.runner"),
]


@pytest.mark.parametrize(("module", "line"), WEB_SHORTCUTS, ids=[m for m, _ in WEB_SHORTCUTS])
def test_a_page_past_the_desk_breaks_the_contract(tmp_path: Path, module: str, line: str) -> None:
    result = planted(tmp_path, module, line)
    assert result.returncode != 0
    assert "The web goes through the services BROKEN" in result.stdout


# The web's doors (console, portal, API, TAXII) share web.common and never import each other.
WEB_ARROWS = [
    ("web/console/incident.py", "import tocsin.web.portal.pages"),  # console → portal
    ("web/api/events.py", "import tocsin.web.console.queue"),  # api → console
    ("web/portal/status.py", "import tocsin.web.console.auth"),  # portal → console
    ("web/taxii/routes.py", "import tocsin.web.api.events"),  # taxii → api
    ("web/common/deps.py", "import tocsin.web.console.auth"),  # common → a door
]


@pytest.mark.parametrize(("module", "line"), WEB_ARROWS, ids=[m for m, _ in WEB_ARROWS])
def test_a_web_arrow_breaks_a_contract(tmp_path: Path, module: str, line: str) -> None:
    result = planted(tmp_path, module, line)
    assert result.returncode != 0
    verdicts = result.stdout.splitlines()
    assert any(v.startswith("The web's") and v.endswith("BROKEN") for v in verdicts)


# The SQL behind the storage protocols, reached from above the store.
SQL_REACHES = [
    ("cases/incidents.py", "import tocsin.store.sql.cases"),  # a domain service on the SQL store
    ("services/desk.py", "import tocsin.store.sql.store"),  # the composition root past open_store
    ("web/common/deps.py", "import sqlalchemy"),  # a SQLAlchemy object in an adapter
]


@pytest.mark.parametrize(("module", "line"), SQL_REACHES, ids=[m for m, _ in SQL_REACHES])
def test_sql_above_the_store_breaks_the_contract(tmp_path: Path, module: str, line: str) -> None:
    result = planted(tmp_path, module, line)
    assert result.returncode != 0
    assert "Only the store knows its SQL BROKEN" in result.stdout
