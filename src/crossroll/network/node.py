"""A single anvil-like chain behind JSON-RPC (``crossroll node``)."""

from __future__ import annotations

from collections.abc import Sequence

from ..abc import ChainAPI, ServiceAPI
from ..types import DevAccount
from .config import NodeConfig
from .runtime import Host, as_service


class Node(Host[NodeConfig]):
    chain: ChainAPI | None = None
    server: ServiceAPI | None = None

    @classmethod
    def start(cls, config: NodeConfig | None = None) -> Node:
        node = cls(config or NodeConfig())
        node.run()
        return node

    async def _astart(self) -> None:
        with self.lock:
            chain, server = self._serve(
                self.config.chain_config(), self.config.host, self.config.port
            )
            self.chain, self.server = chain, server
        self._orchestrator.add_stage(as_service(chain, self.lock))
        self._orchestrator.add_stage(server)
        await self._orchestrator.start()

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
