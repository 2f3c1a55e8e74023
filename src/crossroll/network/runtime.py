"""The one event loop, clock and lock a network (or a single node) runs on, and
what the two share to start and stop their chains and servers on it.

The loop runs in a background thread so the Python API stays synchronous;
every chain, server and timer shares the lock, so a chain never sees two
callers at once.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from ..abc import ChainAPI, SchedulerAPI, ServiceAPI
from ..chain.config import ChainConfig
from ..rpc.thread import LoopThread
from .config import NetworkConfig, NodeConfig
from .orchestrator import Orchestrator

ChainFactory = Callable[[ChainConfig, SchedulerAPI], ChainAPI]
#: (chain, host, port, scheduler, lock) -> a service with ``.url`` and ``.port``.
ServerFactory = Callable[[ChainAPI, str, int, SchedulerAPI, threading.RLock], Any]


def default_chain(config: ChainConfig, scheduler: SchedulerAPI) -> ChainAPI:
    from ..chain import Chain

    return Chain(config, scheduler)


def default_server(
    chain: ChainAPI, host: str, port: int, scheduler: SchedulerAPI, lock: threading.RLock
) -> Any:
    from ..rpc.server import RpcServer

    return RpcServer(chain, host, port, scheduler, lock)


class _ChainService(ServiceAPI):
    """A chain as the orchestrator sees it: nothing to start, ``close()`` to stop
    (which cancels its interval-mining timers)."""

    def __init__(self, chain: ChainAPI, lock: threading.RLock) -> None:
        self.name = f"chain:{chain.chain_id}"
        self.chain = chain
        self.lock = lock

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        close = getattr(self.chain, "close", None)
        if close is not None:
            with self.lock:
                close()


def as_service(chain: ChainAPI, lock: threading.RLock) -> ServiceAPI:
    return chain if isinstance(chain, ServiceAPI) else _ChainService(chain, lock)


class Runtime(LoopThread):
    """The loop thread with the lock and the clock (wall or virtual) attached to it."""

    def __init__(self, *, virtual_time: bool = False, start: float | None = None) -> None:
        """``start``: where virtual time begins (default: now); a restart resumes it."""
        from ..clock import VirtualClock, WallClock

        super().__init__("crossroll-loop")
        self.lock = threading.RLock()
        self.scheduler: SchedulerAPI = (
            VirtualClock(start, lock=self.lock) if virtual_time else WallClock(lock=self.lock)
        )

    def open(self) -> asyncio.AbstractEventLoop:
        """Start the loop thread and attach the clock to it."""
        loop = super().open()
        attach = getattr(self.scheduler, "attach", None)
        if attach is not None:
            attach(loop)
        return loop

    def close(self, timeout: float = 10.0) -> None:
        """Detach the clock, stop the loop and join its thread; idempotent."""
        if self.loop is None:
            return
        detach = getattr(self.scheduler, "detach", None)
        if detach is not None:
            detach()
        super().close(timeout)


ConfigT = TypeVar("ConfigT", NetworkConfig, NodeConfig)


class Host(Generic[ConfigT]):
    """Chains and their servers on one :class:`Runtime`: :meth:`run` starts the
    services that :meth:`_astart` stages, :meth:`stop` (or leaving the ``with``
    block) stops them in reverse order, then the loop."""

    def __init__(
        self,
        config: ConfigT,
        *,
        chain_factory: ChainFactory = default_chain,
        server_factory: ServerFactory = default_server,
        virtual_start: float | None = None,
    ) -> None:
        self.config: ConfigT = config.check()
        virtual_time = isinstance(config, NetworkConfig) and config.virtual_time
        self.runtime = Runtime(virtual_time=virtual_time, start=virtual_start)
        self.lock = self.runtime.lock
        self.scheduler = self.runtime.scheduler
        self._chain_factory = chain_factory
        self._server_factory = server_factory
        self._orchestrator = Orchestrator()

    def run(self) -> None:
        """Start the loop thread and every service; return once all serve."""
        self.runtime.open()
        try:
            self.runtime.call(self._astart())
        except BaseException:
            self.runtime.close()  # the orchestrator already stopped what had started
            raise

    def stop(self) -> None:
        """Stop every service in reverse order and the loop; idempotent.  Raises
        :class:`~crossroll.network.orchestrator.ShutdownError` after stopping
        everything if some service failed to stop."""
        if not self.runtime.running:
            return
        try:
            self.runtime.call(self._orchestrator.stop())
        finally:
            self.runtime.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _serve(self, config: ChainConfig, host: str, port: int) -> tuple[ChainAPI, Any]:
        """A new chain and the server in front of it (call with the lock held)."""
        chain = self._chain_factory(config, self.scheduler)
        return chain, self._server_factory(chain, host, port, self.scheduler, self.lock)

    async def _astart(self) -> None:
        """Stage the services on ``self._orchestrator`` and start them."""
        raise NotImplementedError
