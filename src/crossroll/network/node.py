"""A single anvil-like chain behind JSON-RPC (``crossroll node``)."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from ..abc import ChainAPI, ServiceAPI
from ..types import DevAccount
from .config import NodeConfig
from .network import ChainFactory, ServerFactory, as_service, default_chain, default_server
from .orchestrator import Orchestrator
from .runtime import Runtime


class Node:
    def __init__(
        self,
        config: NodeConfig,
        *,
        chain_factory: ChainFactory = default_chain,
        server_factory: ServerFactory = default_server,
    ) -> None:
        self.config = config.check()
        self.runtime = Runtime()
        self._chain_factory = chain_factory
        self._server_factory = server_factory
        self._orchestrator = Orchestrator()
        self.chain: ChainAPI | None = None
        self.server: ServiceAPI | None = None

    @classmethod
    def start(cls, config: NodeConfig | None = None) -> Node:
        node = cls(config or NodeConfig())
        node.run()
        return node

    def run(self) -> None:
        self.runtime.open()
        try:
            self.runtime.call(self._astart())
        except BaseException:
            self.runtime.close()
            raise

    async def _astart(self) -> None:
        with self.runtime.lock:
            self.chain = self._chain_factory(self.config.chain_config(), self.runtime.scheduler)
            self.server = self._server_factory(
                self.chain,
                self.config.host,
                self.config.port,
                self.runtime.scheduler,
                self.runtime.lock,
            )
        self._orchestrator.add_stage(as_service(self.chain, self.runtime.lock))
        assert self.server is not None
        self._orchestrator.add_stage(self.server)
        await self._orchestrator.start()

    def stop(self) -> None:
        if not self.runtime.running:
            return
        try:
            self.runtime.call(self._orchestrator.stop())
        finally:
            self.runtime.close()

    @property
    def url(self) -> str:
        return str(getattr(self.server, "url", ""))

    @property
    def port(self) -> int:
        return int(getattr(self.server, "port", self.config.port))

    @property
    def accounts(self) -> Sequence[DevAccount]:
        assert self.chain is not None
        return self.chain.dev_accounts

    def __enter__(self) -> Node:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
