"""Run an :class:`RpcServer` on its own event loop in a background thread, for
synchronous callers (tests, scripts, notebooks)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from .server import RpcServer


class BackgroundServer:
    """``with BackgroundServer(RpcServer(chain, ...)) as srv: Web3(HTTPProvider(srv.url))``.

    The chain is then owned by the background loop's thread; other threads
    must hold ``server.lock`` to touch it.
    """

    def __init__(self, server: RpcServer, timeout: float = 10.0) -> None:
        self.server = server
        self.timeout = timeout
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=f"{server.name}-loop", daemon=True)
        self._started = False

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def ws_url(self) -> str:
        return self.server.ws_url

    @property
    def port(self) -> int:
        return self.server.port

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def start(self) -> BackgroundServer:
        if not self._started:
            self._thread.start()
            self._started = True
            try:
                asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(
                    self.timeout
                )
            except BaseException:
                self.stop()
                raise
        return self

    def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        try:
            asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(self.timeout)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(self.timeout)
            if not self._thread.is_alive():
                self.loop.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
