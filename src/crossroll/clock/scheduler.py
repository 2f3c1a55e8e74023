"""The scheduler shared by both clocks: a heap of timers fired in time order.

Subclasses only decide where time comes from (:class:`WallClock`,
:class:`VirtualClock`).  Actions run synchronously, one at a time, while
holding the network's lock (if one was given), so a chain never sees two
actions at once.  Idle predicates of periodic timers are kept on the timer; only
the virtual clock uses them (to skip idle occurrences).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from ..abc import SchedulerAPI, TimerAPI
from ..errors import ClockError
from .timer import Timer

log = logging.getLogger("crossroll.clock")


class Scheduler(SchedulerAPI):
    def __init__(self, lock: threading.RLock | None = None) -> None:
        self._heap: list[Timer] = []
        self._seq = itertools.count()
        self._heap_lock = threading.Lock()  # guards the heap only; actions run outside it
        self._lock: AbstractContextManager[Any] = lock if lock is not None else nullcontext()

    # -- scheduling
    def call_at(self, when: float, action: Callable[[], Any]) -> TimerAPI:
        return self._push(Timer(when, self.now(), next(self._seq), action))

    def call_later(self, delay: float, action: Callable[[], Any]) -> TimerAPI:
        if delay < 0:
            raise ClockError(f"delay must be >= 0, got {delay}")
        return self.call_at(self.now() + delay, action)

    def every(
        self,
        interval: float,
        action: Callable[[], Any],
        *,
        idle: Callable[[], bool] | None = None,
    ) -> TimerAPI:
        if interval <= 0:
            raise ClockError(f"interval must be > 0, got {interval}")
        now = self.now()
        return self._push(Timer(now + interval, now, next(self._seq), action, interval, idle))

    def _push(self, timer: Timer) -> Timer:
        with self._heap_lock:
            heapq.heappush(self._heap, timer)
        self._wake()
        return timer

    def _wake(self) -> None:
        """Hook: a timer was added (the wall clock re-arms its loop callback)."""

    # -- firing
    def next_due(self) -> float | None:
        """Due time of the earliest live timer, or None."""
        with self._heap_lock:
            while self._heap and self._heap[0].cancelled:
                heapq.heappop(self._heap)
            return self._heap[0].due if self._heap else None

    def _pop_due(self, until: float) -> tuple[float, Timer] | None:
        """Remove the earliest timer due by ``until`` (re-arming periodic ones) and
        return it with the due time it fires for."""
        with self._heap_lock:
            while self._heap:
                timer = self._heap[0]
                if timer.cancelled:
                    heapq.heappop(self._heap)
                    continue
                if timer.due > until:
                    return None
                heapq.heappop(self._heap)
                due = timer.due
                if timer.interval is not None:
                    timer.rearm(timer.index + 1, next(self._seq))
                    heapq.heappush(self._heap, timer)
                return due, timer
            return None

    def _fire(self, timer: Timer) -> None:
        try:
            with self._lock:
                timer.action()
        except Exception:  # one failing action must not stop the clock
            log.exception("timer action %r failed", timer.action)

    def pending(self) -> int:
        with self._heap_lock:
            return sum(1 for t in self._heap if not t.cancelled)
