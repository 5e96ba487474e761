"""docs/operations.md and deploy/ stay honest: every environment variable the operations guide
and the env file name is a setting Tocsin reads; the systemd units parse and run commands the
CLI has; the Containerfile's entry point, command and health check exist."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import typer.main

from tests.desk import FakeClock
from tocsin.cli import app
from tocsin.settings import SETTINGS, Settings
from tocsin.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
VARIABLE = re.compile(r"\bTOCSIN_[A-Z0-9_]+\b")
KNOWN = {f"TOCSIN_{key.upper()}" for key in SETTINGS} | {"TOCSIN_CONFIG"}


def test_every_variable_the_guide_names_is_a_setting() -> None:
    """A variable named in docs/operations.md that Tocsin does not read would be set in vain."""
    named = set(VARIABLE.findall(GUIDE))
    assert len(named) >= 5
    assert sorted(named - KNOWN) == []


DEPLOY = ROOT / "deploy"
UNITS = {"tocsin-web.service": "serve", "tocsin-worker.service": "worker"}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # systemd keys keep their case
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"), source=name)
    return parser


def cli_commands() -> set[str]:
    root = typer.main.get_command(app)
    return set(root.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "command"), sorted(UNITS.items()))
def test_each_systemd_unit_runs_its_tocsin_command(name: str, command: str) -> None:
    """The unit parses; it runs `tocsin <command>` (a command the CLI has) as the tocsin user,
    with the env file the example is installed as, and is wanted at boot."""
    parsed = unit(name)
    assert set(parsed.sections()) == {"Unit", "Service", "Install"}
    program, *args = shlex.split(parsed["Service"]["ExecStart"])
    assert Path(program).name == "tocsin" and args == [command]
    assert command in cli_commands()
    assert parsed["Service"]["User"] == "tocsin"
    assert parsed["Service"]["EnvironmentFile"] == "/etc/tocsin/tocsin.env"
    assert parsed["Install"]["WantedBy"] == "multi-user.target"


def test_the_env_example_sets_only_settings() -> None:
    """Every variable of deploy/tocsin.env.example, set or commented out, is a setting."""
    text = (DEPLOY / "tocsin.env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#? ?(TOCSIN_[A-Z0-9_]+)=", text, re.MULTILINE))
    assert "TOCSIN_DATABASE_URL" in named
    assert sorted(named - KNOWN) == []


def test_the_containerfile_runs_tocsin_as_a_user_with_a_volume_and_a_health_check() -> None:
    """Python slim, a non-root user, pip install of the project, a data volume, a health check
    on a route the app has, and an entry point that is the project's script running a command
    the CLI has."""
    text = (ROOT / "Containerfile").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.replace("\\\n", " ").splitlines()]
    instructions = {line.split()[0]: line for line in lines if line and not line.startswith("#")}
    assert re.match(r"FROM \S*python:3\.\d+-slim$", instructions["FROM"])
    assert instructions["USER"] == "USER tocsin"
    assert "pip install --no-cache-dir ." in text
    assert "/var/lib/tocsin" in instructions["VOLUME"]
    health = re.search(r"http://127\.0\.0\.1:8000(/[^?'\s]+)", instructions["HEALTHCHECK"])
    assert health is not None
    documented = create_app(Settings(secret_key="k" * 40), clock=FakeClock()).openapi()["paths"]
    assert health.group(1) in documented
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    entry = json.loads(instructions["ENTRYPOINT"].removeprefix("ENTRYPOINT"))
    command = json.loads(instructions["CMD"].removeprefix("CMD"))
    assert entry == ["tocsin"] and "tocsin" in scripts["project"]["scripts"]
    assert command[0] in cli_commands()
