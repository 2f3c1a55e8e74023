"""Virtual time: the clock stands still until :meth:`VirtualClock.advance` moves it.

Idle elision.  A periodic timer may carry an ``idle`` predicate (``every(..., idle=f)``):
an interval-mined chain with nothing to mine, a proposer with nothing new to look at.  While
advancing, an occurrence whose predicate is True at its due time is skipped, not fired,
unless it is one of the timer's last ``tail`` occurrences up to the target, which always
fire.  Skipped occurrences stay on the timer's grid.

Only a fired action changes what the predicates see (the network's lock keeps every other
caller out while the clock advances), so a predicate found True stays True until the next
action fires.  When the earliest timer is idle the clock therefore looks ahead to the
*horizon*, the first time something can happen: the due time of the next one-shot timer,
periodic timer without predicate, or idle-aware timer whose predicate is False, or the
start of an idle-aware timer's tail.  Every idle timer due before it jumps straight to its
first slot at or after the horizon.  A 7-day advance thus costs the actions that did
something plus the tails, not one step per slot; and the timers fire exactly as if each
skipped slot had been visited (their order at a shared due time included).
"""

from __future__ import annotations

import heapq
import math
import threading
import time

from ..errors import ClockError
from .scheduler import Scheduler
from .timer import Timer

#: Occurrences before the target that fire whatever their predicate says.
DEFAULT_TAIL = 128


class VirtualClock(Scheduler):
    """Time jumps from event to event, so a 7-day challenge window passes in a moment.
    ``start`` defaults to the current Unix second, so block timestamps still look like
    real dates; ``tail`` is how many last occurrences of an idle-aware timer always fire
    in one advance (see the module notes)."""

    def __init__(
        self,
        start: float | None = None,
        lock: threading.RLock | None = None,
        *,
        tail: int = DEFAULT_TAIL,
    ) -> None:
        super().__init__(lock)
        if tail < 0:
            raise ClockError(f"tail must be >= 0, got {tail}")
        self._now = float(int(time.time()) if start is None else start)
        self.tail = tail

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
        """Fire every action due up to ``when``, each at its own due time, skipping idle
        occurrences before the tails; return how many fired."""
        if not math.isfinite(when):
            raise ClockError(f"cannot move virtual time to {when}")
        if when < self._now:
            raise ClockError(f"cannot move virtual time backwards to {when}")
        fired = 0
        known: dict[Timer, bool] = {}  # predicate results since the last action fired
        while (top := self._peek(when)) is not None:
            if self._elidable(top, when) and self._idle(top, known, top.due):
                self._elide(top, when, known)
                continue
            popped = self._pop_due(when)
            if popped is None:
                break
            due, timer = popped
            self._now = max(self._now, due)
            self._fire(timer)
            known.clear()
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

    # -- elision
    def _peek(self, until: float) -> Timer | None:
        with self._heap_lock:
            while self._heap and self._heap[0].cancelled:
                heapq.heappop(self._heap)
            if self._heap and self._heap[0].due <= until:
                return self._heap[0]
            return None

    def _tail_start(self, timer: Timer, when: float) -> int:
        """Index of the first of the timer's last ``tail`` slots up to ``when``."""
        return timer.first_slot_from(when, after=True) - self.tail

    def _elidable(self, timer: Timer, when: float) -> bool:
        return timer.idle is not None and timer.index < self._tail_start(timer, when)

    def _idle(self, timer: Timer, known: dict[Timer, bool], due: float | None = None) -> bool:
        if timer not in known:
            assert timer.idle is not None
            if due is not None:  # the earliest timer: its due time is the clock's now
                self._now = max(self._now, due)
            with self._lock:
                known[timer] = bool(timer.idle())
        return known[timer]

    def _elide(self, top: Timer, when: float, known: dict[Timer, bool]) -> None:
        """``top``, the earliest timer, is idle: move it and every other idle timer due
        before the horizon to their first slot at or after it."""
        with self._heap_lock:
            live = [t for t in self._heap if not t.cancelled]
        horizon = float("inf")
        candidates = []
        for timer in live:
            if self._elidable(timer, when):
                assert timer.interval is not None
                horizon = min(horizon, timer.slot(self._tail_start(timer, when)))
                if timer is not top:
                    candidates.append(timer)
            else:
                horizon = min(horizon, timer.due)
        jumpers = [top]
        for timer in sorted(candidates):
            if timer.due >= horizon:
                break
            if not self._idle(timer, known):
                horizon = timer.due  # it fires then and may wake the others
                break
            jumpers.append(timer)
        # Timers that share a grid meet at their new slot in the order they would have had,
        # had every slot been visited: one already further ahead was re-armed first, and
        # timers at the same slot keep their order.  Fresh sequence numbers, handed out in
        # that order, also put every jumper after the timers already waiting at its slot.
        jumpers.sort(key=lambda t: (-t.due, t.born, t.seq))
        with self._heap_lock:
            for timer in jumpers:
                if not timer.cancelled:
                    index = max(timer.index + 1, timer.first_slot_from(horizon))
                    timer.rearm(index, next(self._seq))
            heapq.heapify(self._heap)
