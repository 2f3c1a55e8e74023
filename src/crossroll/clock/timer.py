"""A scheduled action: one value per call_at/every.

Timers are ordered by ``(due, born, seq)``: due time, then the clock time at which this
occurrence was scheduled (a periodic timer's previous slot), then scheduling order.  In a
plain run ``born`` only restates the order of ``seq``; it matters when the virtual clock
jumps an idle timer over many slots, so that the timer sorts among the others at its new
slot exactly as if it had been re-armed at each slot in between.

A periodic timer lives on a grid, ``first due + k * interval``, computed from its first due
time rather than by summing intervals, so skipped or not, slot ``k`` is always the same
float.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..abc import TimerAPI


class Timer(TimerAPI):
    __slots__ = (
        "_anchor",
        "_due",
        "action",
        "born",
        "cancelled",
        "idle",
        "index",
        "interval",
        "seq",
    )

    def __init__(
        self,
        due: float,
        born: float,
        seq: int,
        action: Callable[[], Any],
        interval: float | None = None,
        idle: Callable[[], bool] | None = None,
    ) -> None:
        self._due = due
        self._anchor = due
        self.born = born
        self.seq = seq
        self.action = action
        self.interval = interval
        #: Periodic only: True when an occurrence may be skipped (see VirtualClock).
        self.idle = idle
        #: Periodic only: which slot of the grid ``due`` is.
        self.index = 0
        self.cancelled = False

    @property
    def due(self) -> float:
        return self._due

    # -- the grid of a periodic timer
    def slot(self, index: int) -> float:
        assert self.interval is not None
        return self._anchor + index * self.interval

    def first_slot_from(self, when: float, *, after: bool = False) -> int:
        """Index of the first slot at or after ``when`` (strictly after if ``after``)."""
        assert self.interval is not None
        k = max(0, math.ceil((when - self._anchor) / self.interval))
        # float division may land one off either way: settle on the exact grid values
        while k > 0 and not self._before(self.slot(k - 1), when, after):
            k -= 1
        while self._before(self.slot(k), when, after):
            k += 1
        return k

    @staticmethod
    def _before(slot: float, when: float, after: bool) -> bool:
        return slot <= when if after else slot < when

    def rearm(self, index: int, seq: int) -> None:
        """Move a periodic timer to slot ``index``, scheduled as of the slot before it."""
        self.index = index
        self._due = self.slot(index)
        self.born = self.slot(index - 1)
        self.seq = seq

    def cancel(self) -> None:
        self.cancelled = True

    def __lt__(self, other: Timer) -> bool:
        return (self._due, self.born, self.seq) < (other._due, other.born, other.seq)

    def __repr__(self) -> str:
        kind = f"every {self.interval}s" if self.interval else "once"
        idle = " idle-aware" if self.idle is not None else ""
        return f"<Timer due={self._due:.3f} {kind}{idle}{' cancelled' if self.cancelled else ''}>"
