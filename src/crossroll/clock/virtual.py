"""Virtual time: the clock stands still until :meth:`advance` moves it."""

from __future__ import annotations

import threading
import time

from ..errors import ClockError
from .scheduler import Scheduler


class VirtualClock(Scheduler):
    """Time jumps from event to event, so a 7-day challenge window passes in
    milliseconds.  ``start`` defaults to the current Unix second, so block
    timestamps still look like real dates."""

    def __init__(self, start: float | None = None, lock: threading.RLock | None = None) -> None:
        super().__init__(lock)
        self._now = float(int(time.time()) if start is None else start)

    @property
    def virtual(self) -> bool:
        return True

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> int:
        if seconds < 0:
            raise ClockError(f"cannot move virtual time backwards ({seconds}s)")
        return self.advance_to(self._now + seconds)

    def advance_to(self, when: float) -> int:
        """Fire every action due up to ``when``, each at its own due time."""
        if when < self._now:
            raise ClockError(f"cannot move virtual time backwards to {when}")
        fired = 0
        while (popped := self._pop_due(when)) is not None:
            due, timer = popped
            self._now = max(self._now, due)
            self._fire(timer)
            fired += 1
        self._now = when
        return fired

    def step(self) -> bool:
        """Jump to the next due action and fire it; False when nothing is scheduled."""
        due = self.next_due()
        if due is None:
            return False
        self.advance_to(max(due, self._now))
        return True
