"""The devnet as one Python object: an L1 and its rollups, each behind JSON-RPC.

A :class:`Network` owns one asyncio loop (in a background thread), one clock,
one lock shared by every chain, server and timer, a Chain and an RpcServer per
chain, and the admin server::

    with Network.start(rollups=3, l1__port=0, virtual_time=True) as net:
        net.chain(901).client().eth_chainId()
        net.advance(12)
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Sequence
from typing import Any

from ..abc import ChainAPI, ClientAPI
from ..errors import ConfigError
from ..l1.blobs import (
    BlobStore,
    beacon_sidecars_json,
    chain_sidecars,
    sidecar_json,
)
from ..rollup import DepositSequencer, L1Addresses, Proposer
from ..types import BlockRef, DevAccount
from .accounts import checksum
from .admin import AdminServer
from .config import DERIVATION_PATH, ChainPlan, NetworkConfig
from .rollups import RollupWiring
from .runtime import ChainFactory, Host, ServerFactory, as_service, default_chain
from .sources import build, overrides_layer

__all__ = [
    "ChainFactory",
    "ChainHandle",
    "Network",
    "ServerFactory",
    "default_chain",
    "with_overrides",
]


class ChainHandle:
    """One chain of a running network: its ChainAPI, its endpoint and clients."""

    def __init__(self, plan: ChainPlan, chain: ChainAPI, server: Any, lock: threading.RLock):
        self.plan = plan
        self.chain = chain
        self.server = server
        self._lock = lock
        self.chain_id: int = plan.chain_id
        self.name: str = plan.name

    @property
    def port(self) -> int:
        """The port the server listens on (known once it started)."""
        return int(self.server.port)

    @property
    def url(self) -> str:
        """The JSON-RPC endpoint, ``http://host:port``."""
        return str(self.server.url)

    def client(self) -> ClientAPI:
        """A JSON-RPC client over HTTP."""
        from ..rpc.client import HttpClient

        return HttpClient(self.url)

    def inproc(self) -> ClientAPI:
        """A client with the same methods that calls the dispatcher directly."""
        from ..rpc.inproc import InProcessClient

        return InProcessClient(self.server.dispatcher, self._lock)

    def info(self) -> dict[str, Any]:
        return {
            "chainId": self.chain_id,
            "name": self.name,
            "kind": self.plan.kind,
            "rpcUrl": self.url,
            "port": self.port,
            "blockTime": self.plan.block_time,
        }

    def __repr__(self) -> str:
        return f"<ChainHandle {self.name} {self.chain_id} {self.url}>"


class Network(Host[NetworkConfig]):
    """A running devnet.  Build it with :meth:`start`; stop it with :meth:`stop`
    or by leaving its ``with`` block."""

    def __init__(self, config: NetworkConfig, **factories: Any) -> None:
        """``factories``: ``chain_factory`` and ``server_factory`` (see :class:`Host`)."""
        super().__init__(config, **factories)
        self._handles: dict[int, ChainHandle] = {}
        self._ready = False
        self._blobs: BlobStore | None = None
        self._rollups = RollupWiring(config)
        self.admin = AdminServer(self, host=config.host, port=config.admin_port, lock=self.lock)

    # ---------------------------------------------------------- lifecycle
    @classmethod
    def start(cls, config: NetworkConfig | None = None, **overrides: Any) -> Network:
        """Start a network from ``config`` (defaults if None) with keyword overrides:
        ``rollups=3``, ``automine=True``, ``l1__port=0`` (``__`` reaches into sections),
        ``block_time={901: 0.5}``.  Environment and crossroll.toml are not read here;
        use :func:`crossroll.network.load_network_config` for that."""
        config = with_overrides(config or NetworkConfig(), overrides)
        net = cls(config)
        net.run()
        return net

    def stop(self) -> None:
        """As :meth:`Host.stop`; ``/ready`` answers 503 from the start of it."""
        self._ready = False
        super().stop()

    @property
    def ready(self) -> bool:
        return self._ready

    # ------------------------------------------------------------ access
    @property
    def chains(self) -> list[ChainHandle]:
        return list(self._handles.values())

    @property
    def l1(self) -> ChainHandle:
        return self._handles[self.config.l1.chain_id]

    @property
    def rollups(self) -> list[ChainHandle]:
        return [self._handles[i] for i in self.config.rollup_ids]

    def chain(self, chain_id: int) -> ChainHandle:
        try:
            return self._handles[chain_id]
        except KeyError:
            known = ", ".join(map(str, self._handles))
            raise ConfigError(f"no chain {chain_id} in this network (chains: {known})") from None

    @property
    def accounts(self) -> Sequence[DevAccount]:
        return self.l1.chain.dev_accounts

    @property
    def admin_url(self) -> str:
        return self.admin.url

    def advance(self, seconds: float) -> int:
        """Move virtual time forward, firing every timer due on the way (blocks, ...)."""
        with self.lock:
            return self.scheduler.advance(seconds)

    @property
    def blobs(self) -> BlobStore:
        """The L1's blob sidecar store (KZG-checked, pruned after the L1 rules'
        retention window).  The L1 chain adds the sidecars of every block with blob
        (type 3) transactions when it is mined."""
        if self._blobs is None:
            raise ConfigError("the network has not started")
        return self._blobs

    def blob_sidecars(self, ref: BlockRef) -> list[dict[str, Any]]:
        """What ``crossroll_getBlobSidecars`` answers for an L1 block number or tag."""
        _, sidecars = chain_sidecars(self.blobs, self.l1.chain, ref)
        return [sidecar_json(i, s) for i, s in enumerate(sidecars)]

    def beacon_blob_sidecars(
        self, ref: BlockRef, indices: Sequence[int] | None = None
    ) -> dict[str, Any]:
        """What ``GET /eth/v1/beacon/blob_sidecars/{block_id}`` answers."""
        return beacon_sidecars_json(self.blobs, self.l1.chain, ref, indices)

    @property
    def l1_addresses(self) -> L1Addresses:
        """Where the rollups' settlement contracts live on the L1 (deployed at start)."""
        return self._rollups.addresses

    @property
    def proposers(self) -> list[Proposer]:
        """One output proposer per rollup, in chain-id order."""
        return list(self._rollups.proposers)

    @property
    def sequencers(self) -> list[DepositSequencer]:
        """One deposit sequencer per rollup, in chain-id order."""
        return list(self._rollups.sequencers)

    def l1_addresses_json(self) -> dict[str, Any]:
        """What ``admin_getL1Addresses`` answers."""
        return self.l1_addresses.to_json()

    def chain_infos(self) -> list[dict[str, Any]]:
        """What ``admin_getChains`` answers."""
        return [h.info() for h in self.chains]

    def describe(self) -> dict[str, Any]:
        """What ``admin_getConfig`` answers."""
        return {
            "chains": self.chain_infos(),
            "accounts": [
                {"address": checksum(a.address), "privateKey": "0x" + a.private_key.hex()}
                for a in self.accounts
            ],
            "mnemonic": self.config.accounts.mnemonic,
            "derivationPath": DERIVATION_PATH + "{index}",
            "balance": str(self.config.accounts.balance),
            "adminUrl": self.admin_url,
            "virtualTime": self.config.virtual_time,
            "l1Addresses": self._rollups.to_json(),  # None while the network starts
        }

    # ---------------------------------------------------------- internals
    async def _astart(self) -> None:
        # The admin server first, so /ready answers 503 while chains start.
        self._orchestrator.add_stage(self.admin)
        with self.lock:
            for plan, chain_config in self.config.chain_configs():
                if plan.kind == "l1":  # the deployer and role accounts, never a user's
                    alloc = (*chain_config.alloc, *self._rollups.genesis_alloc())
                    chain_config = dataclasses.replace(chain_config, alloc=alloc)
                chain, server = self._serve(chain_config, self.config.host, plan.port)
                self._handles[plan.chain_id] = ChainHandle(plan, chain, server, self.lock)
                if plan.kind == "l1":
                    retention = chain_config.rules.blob_retention_seconds
                    self._blobs = BlobStore(self.scheduler, retention)
                    on_sidecars = getattr(chain, "on_sidecars", None)
                    if on_sidecars is not None:  # the L1's mined blobs land in the store
                        on_sidecars(functools.partial(self._blobs.add, replace=True))
            # Before any server accepts users: their first addresses stay anvil's.
            self._rollups.deploy(self.l1, self.rollups, self.scheduler)
        self._orchestrator.add_stage(*(as_service(h.chain, self.lock) for h in self.chains))
        if self._blobs is not None:
            self._orchestrator.add_stage(self._blobs)
        self._orchestrator.add_stage(*self._rollups.services)
        self._orchestrator.add_stage(*(h.server for h in self.chains))
        await self._orchestrator.start()
        self._ready = True


def with_overrides(config: NetworkConfig, overrides: dict[str, Any]) -> NetworkConfig:
    """``config`` with keyword overrides applied and validated."""
    if not overrides:
        return config
    overrides = dict(overrides)
    if isinstance(overrides.get("rollups"), int):
        overrides["rollups__count"] = overrides.pop("rollups")
    base = overrides_layer(config.model_dump(), "config")
    return build(NetworkConfig, [base, overrides_layer(overrides)])
