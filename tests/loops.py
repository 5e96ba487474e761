"""Running an asyncio scenario from a synchronous test, in a loop of its own."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any


def run_alone(scenario: Callable[[], Coroutine[Any, Any, None]], timeout: float = 120) -> None:
    """Run ``scenario`` with ``asyncio.run`` in a thread of its own (a session's Playwright may
    already run a loop in the test's thread), and raise here what it raised there."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as exc:  # handed to the test's thread below
            failure.append(exc)

    runner = threading.Thread(target=run)
    runner.start()
    runner.join(timeout=timeout)
    assert not runner.is_alive(), f"the scenario did not end within {timeout} s"
    if failure:
        raise failure[0]
