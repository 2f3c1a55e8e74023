"""Bundles that wait for their ``minTimestamp``, and the virtual clock.

A virtual clock skips the slots the shared sequencer calls idle, and once it finds a slot
idle it jumps straight to the next event of any service (docs/virtual-time.md): it assumes
an idle answer stays true until an action fires.  A bundle waiting for its ``minTimestamp``
breaks that assumption (time alone makes it due), so it does not count as work, and a
one-shot timer (:class:`Wake`) at the time it becomes due is the event that stops the jump
there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from ..abc import SchedulerAPI, TimerAPI
from ..chain.chain import Chain
from .bundle import Bundle


def due_at(
    bundles: Iterable[Bundle], members: Mapping[int, Chain], now: float, timestamp: int
) -> float | None:
    """The clock time from which one of ``bundles`` may go in a slot (None: no bundles): now
    if one may already (the next slot's ``timestamp`` reaches its ``minTimestamp``); else the
    earliest ``minTimestamp`` less the members' largest time offset, when slot timestamps
    reach it."""
    offset = max(chain.time_offset for chain in members.values())
    due = [
        b.min_timestamp - offset
        if b.min_timestamp is not None and b.min_timestamp > timestamp
        else now
        for b in bundles
    ]
    # Already past that time yet not due: a member's evm_setNextBlockTimestamp holds the
    # slot timestamp back, and only a slot moves it on, so the bundle counts as due now.
    return max(now, min(due)) if due else None


class Wake:
    """At most one one-shot timer, moved to the time asked for (on a virtual clock only: a
    wall clock skips nothing)."""

    def __init__(self, scheduler: SchedulerAPI, action: Callable[[], object]) -> None:
        self.scheduler, self.action = scheduler, action
        self.timer: TimerAPI | None = None

    def at(self, when: float | None) -> None:
        """Fire the action at ``when`` (None, or not after now: no timer)."""
        if not self.scheduler.virtual:
            return
        wanted = when if when is not None and when > self.scheduler.now() else None
        if self.timer is not None and self.timer.due != wanted:
            self.cancel()
        if wanted is not None and self.timer is None:
            self.timer = self.scheduler.call_at(wanted, self._fire)

    def _fire(self) -> None:
        self.timer = None
        self.action()

    def cancel(self) -> None:
        timer, self.timer = self.timer, None
        if timer is not None:
            timer.cancel()
