"""Wall-clock time, with timers fired on an asyncio event loop."""

from __future__ import annotations

import asyncio
import threading
import time

from ..errors import ClockError
from .scheduler import Scheduler


class WallClock(Scheduler):
    """Real time.  Timers are queued until :meth:`attach` gives the clock the
    event loop it fires them on; after that they may be added from any thread."""

    def __init__(self, lock: threading.RLock | None = None) -> None:
        super().__init__(lock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._armed_for: float | None = None

    @property
    def virtual(self) -> bool:
        return False

    def now(self) -> float:
        return time.time()

    def advance(self, seconds: float) -> int:
        raise ClockError(
            "this network runs on the wall clock, which cannot be advanced; start it with "
            "--virtual-time (Network.start(virtual_time=True)) to move time by hand"
        )

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._wake()

    def detach(self) -> None:
        """Stop firing timers (on shutdown); queued timers stay queued."""
        loop, self._loop = self._loop, None
        if loop is not None and self._handle is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._handle.cancel)
        self._handle = None

    def _wake(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._arm()
        else:
            loop.call_soon_threadsafe(self._arm)

    def _arm(self) -> None:
        """(Re)schedule the loop callback for the earliest due timer. Loop thread only."""
        loop = self._loop
        due = self.next_due()
        if loop is None or due is None:
            return
        if self._handle is not None and self._armed_for is not None and self._armed_for <= due:
            return  # already armed early enough
        if self._handle is not None:
            self._handle.cancel()
        self._armed_for = due
        self._handle = loop.call_later(max(0.0, due - time.time()), self._run_due)

    def _run_due(self) -> None:
        self._handle = None
        self._armed_for = None
        now = time.time()
        while (popped := self._pop_due(now)) is not None:
            self._fire(popped[1])
        self._arm()
