"""Waiting for an event in the background threads of ``kb web``."""

from __future__ import annotations

import threading
import time

STEP = 0.25


def pause(event: threading.Event, seconds: float) -> bool:
    """Wait up to ``seconds`` for ``event``; returns whether it was set.

    Sleeps in short steps rather than making one timed wait on a lock: a timed lock wait never
    returns in a process whose monotonic clock is shifted (libfaketime fakes ``clock_gettime`` but
    not ``sem_clockwait``), which is how the test suite runs under a clock a year ahead.
    """
    deadline = time.monotonic() + seconds
    while not event.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(STEP, left))
    return True
