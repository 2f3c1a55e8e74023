"""The one event loop, clock and lock a network (or a single node) runs on.

The loop runs in a background thread so the Python API stays synchronous;
every chain, server and timer shares the lock, so a chain never sees two
callers at once.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar, cast

from ..abc import SchedulerAPI
from ..errors import CrossrollError

T = TypeVar("T")


class Runtime:
    def __init__(self, *, virtual_time: bool = False) -> None:
        from ..clock import VirtualClock, WallClock

        self.lock = threading.RLock()
        self.scheduler: SchedulerAPI = (
            VirtualClock(lock=self.lock) if virtual_time else WallClock(lock=self.lock)
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._loop is not None

    def open(self) -> None:
        """Start the loop thread and attach the clock to it."""
        if self._loop is not None:
            raise CrossrollError("already started")
        loop = asyncio.new_event_loop()
        started = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(started.set)
            loop.run_forever()

        self._loop = loop
        self._thread = threading.Thread(target=serve, name="crossroll-loop", daemon=True)
        self._thread.start()
        started.wait()
        attach = getattr(self.scheduler, "attach", None)
        if attach is not None:
            attach(loop)

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the loop and wait for its result.  If the wait is
        interrupted (Ctrl-C), the coroutine is cancelled, and given time to clean
        up, before the interrupt propagates."""
        loop = self._loop
        if loop is None:
            coro.close()
            raise CrossrollError("not started")
        done = threading.Event()
        outcome: list[Any] = []
        tasks: list[asyncio.Task[None]] = []

        async def runner() -> None:
            try:
                outcome.append((True, await coro))
            except BaseException as exc:
                outcome.append((False, exc))
            finally:
                done.set()

        loop.call_soon_threadsafe(lambda: tasks.append(loop.create_task(runner())))
        try:
            if not done.wait(timeout):
                raise TimeoutError(f"no answer from the event loop within {timeout}s")
        except BaseException:
            loop.call_soon_threadsafe(lambda: [t.cancel() for t in tasks])
            done.wait(10)
            raise
        ok, value = outcome[0]
        if not ok:
            raise value
        return cast(T, value)

    def close(self) -> None:
        """Detach the clock, stop the loop and join its thread; idempotent."""
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None:
            return
        detach = getattr(self.scheduler, "detach", None)
        if detach is not None:
            detach()
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=10)
        if not loop.is_running():
            loop.close()
