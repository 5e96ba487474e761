"""Time as Tocsin reads it: whole seconds since the epoch, from a clock that is passed in.

Every service takes a ``Now``; only the adapters' defaults (``wall_clock``) read the real time, so
a test moves time by handing in its own clock and never sleeps or depends on today's date.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Now = Callable[[], int]


def wall_clock() -> int:
    return int(time.time())


__all__ = ["Now", "wall_clock"]
