"""The README documents every setting and every command; every command has help."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from tocsin.cli import app
from tocsin.settings import SETTINGS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands() -> list[tuple[str, str | None]]:
    """Every command as typed (``quarantine list``), with its help text."""
    root = typer.main.get_command(app)
    found: list[tuple[str, str | None]] = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            found.extend((f"{name} {sub}", cmd.help) for sub, cmd in subcommands.items())
        else:
            found.append((name, command.help))
    return found


def test_readme_starts_with_the_two_commands() -> None:
    """The first commands a newcomer sees are make demo and make test."""
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_every_setting_is_documented() -> None:
    """Each setting appears in the README under its environment variable."""
    missing = [key for key in SETTINGS if f"TOCSIN_{key.upper()}" not in README]
    assert missing == []


def test_every_command_is_documented_and_has_help() -> None:
    """Each command is shown in the README as ``tocsin <command>`` and has a help text."""
    found = commands()
    assert len(found) >= 10
    undocumented = [name for name, _ in found if f"tocsin {name}" not in README]
    without_help = [name for name, text in found if not text]
    assert undocumented == []
    assert without_help == []


ROOT = Path(__file__).resolve().parents[2]
CITED = re.compile(r"docs/([a-z_-]+)\.md(?: §(\d+(?:\.\d+)*))?")
HEADING = re.compile(r"^#+ (\d+(?:\.\d+)*)\.? ", re.MULTILINE)
BARE = re.compile(r"(?<![\w/\"])(?:feeds|standards|benchmarks|architecture)\.md")  # no docs/
OUTSIDE = re.compile(r"\.\.[/]shared[/]|/work[/]shared")  # [/]: so that this line is no match


def sources() -> list[Path]:
    """The files that may cite the docs: code, tests, benchmarks, the docs and the README."""
    found = [ROOT / "README.md"]
    for folder in ("src", "tests", "bench", "docs"):
        found.extend(
            path
            for path in sorted((ROOT / folder).rglob("*"))
            if path.suffix in {".py", ".md", ".toml", ".html", ".txt"}
        )
    return found


def test_citations_stay_inside_the_repository() -> None:
    """Every ``docs/NAME.md §N`` cited names a page of docs/ and a section it has; no citation
    points at a path a clone of the project does not hold, or names a page without its folder."""
    sections = {
        page.stem: set(HEADING.findall(page.read_text(encoding="utf-8")))
        for page in (ROOT / "docs").glob("*.md")
    }
    broken: list[str] = []
    outside: list[str] = []
    for path in sources():
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        if OUTSIDE.search(text) or (path.parent.name != "docs" and BARE.search(text)):
            outside.append(str(where))
        for page, section in CITED.findall(text):
            if page not in sections or (section and section not in sections[page]):
                broken.append(f"{where}: docs/{page}.md §{section}")
    assert outside == []
    assert broken == []


def test_the_paths_the_docs_name_exist() -> None:
    """Every path of this repository the README and docs/ name in backquotes (``src/tocsin/…``,
    ``tests/…``, ``bench/…``) is there, so that a package move cannot leave the docs behind."""
    named = re.compile(r"`((?:src/tocsin|tests|bench)/[\w./-]+?)/?`")
    missing: list[str] = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for path in named.findall(page.read_text(encoding="utf-8")):
            if not (ROOT / path).exists():
                missing.append(f"{page.relative_to(ROOT)}: {path}")
    # docs/architecture.md names modules from src/tocsin: ``services/desk.py``, ``web/console/``
    packages = "|".join(p.name for p in (ROOT / "src" / "tocsin").iterdir() if p.is_dir())
    inside = re.compile(rf"`((?:{packages})/[\w./-]*?)/?`")
    page = ROOT / "docs" / "architecture.md"
    for path in inside.findall(page.read_text(encoding="utf-8")):
        if not (ROOT / "src" / "tocsin" / path).exists():
            missing.append(f"docs/architecture.md: {path}")
    assert missing == []
