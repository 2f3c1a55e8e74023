"""An asyncio loop in a background thread, for synchronous callers (tests,
scripts, notebooks, the CLI): :class:`LoopThread` runs coroutines on it and
:class:`BackgroundServer` runs one :class:`RpcServer` on it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar, cast

from ..errors import CrossrollError
from .server import RpcServer

T = TypeVar("T")


class LoopThread:
    """One event loop running forever in a daemon thread, until :meth:`close`."""

    def __init__(self, name: str = "crossroll-loop") -> None:
        self.name = name
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.loop is not None

    def open(self) -> asyncio.AbstractEventLoop:
        """Start the thread; return its loop once it runs."""
        if self.loop is not None:
            raise CrossrollError("already started")
        loop = asyncio.new_event_loop()
        started = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(started.set)
            loop.run_forever()

        self.loop = loop
        self._thread = threading.Thread(target=serve, name=self.name, daemon=True)
        self._thread.start()
        started.wait()
        return loop

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the loop and wait for its result.  If the wait is
        interrupted (Ctrl-C) or times out, the coroutine is cancelled, and given
        time to clean up, before the interrupt propagates."""
        loop = self.loop
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

    def close(self, timeout: float = 10.0) -> None:
        """Stop the loop and join its thread; idempotent."""
        loop, thread = self.loop, self._thread
        self.loop = self._thread = None
        if loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout)
        if not loop.is_running():
            loop.close()


class BackgroundServer:
    """``with BackgroundServer(RpcServer(chain, ...)) as srv: Web3(HTTPProvider(srv.url))``.

    The chain is then owned by the background loop's thread; other threads
    must hold ``server.lock`` to touch it.
    """

    def __init__(self, server: RpcServer, timeout: float = 10.0) -> None:
        self.server = server
        self.timeout = timeout
        self.thread = LoopThread(f"{server.name}-loop")

    def __getattr__(self, name: str) -> Any:
        """``url``, ``ws_url``, ``port``, ``dispatcher``, ...: the server's own."""
        if name.startswith("_") or name == "server":
            raise AttributeError(name)
        return getattr(self.server, name)

    def start(self) -> BackgroundServer:
        if not self.thread.running:
            self.thread.open()
            try:
                self.thread.call(self.server.start(), self.timeout)
            except BaseException:
                self.stop()
                raise
        return self

    def stop(self) -> None:
        if not self.thread.running:
            return
        try:
            self.thread.call(self.server.stop(), self.timeout)
        finally:
            self.thread.close(self.timeout)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
