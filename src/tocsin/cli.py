"""Placeholder; the command line lands next."""


def main() -> None:
    raise SystemExit("not yet")
