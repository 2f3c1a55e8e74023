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
from typing import TYPE_CHECKING, Any, Literal, cast

from ..abc import ChainAPI, ClientAPI
from ..errors import ConfigError, InvalidParams
from ..l1.blobs import (
    BlobStore,
    beacon_sidecars_json,
    chain_sidecars,
    sidecar_json,
)
from ..l1.remote import RemoteL1View
from ..l1.view import LocalL1View
from ..rollup import DepositSequencer, L1Addresses, Proposer
from ..rollup.batcher import Batcher
from ..rollup.safety import SafetyHeads
from ..types import BlockRef, DevAccount
from .accounts import checksum
from .admin import AdminServer
from .config import DERIVATION_PATH, ChainPlan, NetworkConfig
from .datadir import DataDir
from .messaging import MessagingWiring
from .rollups import RollupWiring
from .runtime import ChainFactory, Host, ServerFactory, as_service, default_chain
from .sequencing import SequencingWiring
from .sources import build, overrides_layer

if TYPE_CHECKING:
    from ..messaging.reorg import Replacement
    from ..messaging.store import MessageRecord, Status
    from ..rollup.forcedwatch import ForcedStatus
    from ..rollup.transact import L1Receipt
    from ..rollup.withdrawals import Withdrawals, WithdrawalStatus
    from ..sequencing.bundle import BundleRecord
    from ..sequencing.commitment import SlotCommitment

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

    external = False  # see ExternalL1Handle

    def __init__(self, plan: ChainPlan, chain: ChainAPI, server: Any, lock: threading.RLock):
        self.plan = plan
        self.chain = chain
        self.server = server
        self._lock = lock
        #: A verifier node's derivation (:meth:`Network.start_verifier`); None otherwise.
        self.derivation: Any = None
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


class ExternalL1Handle(ChainHandle):
    """The L1 when it is an external node (``l1.rpc_url``): an endpoint and clients, but
    no chain or server in this process (``.chain`` raises a ConfigError saying so)."""

    external = True

    def __init__(self, plan: ChainPlan, url: str, client: ClientAPI) -> None:
        absent = _Absent(f"the L1 is the external node {url}: use net.l1.client()")
        super().__init__(plan, cast(ChainAPI, absent), None, threading.RLock())
        self._url, self._client = url, client

    @property
    def port(self) -> int:
        return self.plan.port

    @property
    def url(self) -> str:
        return self._url

    def client(self) -> ClientAPI:
        return self._client

    def inproc(self) -> ClientAPI:
        """The same client: there is no dispatcher in this process to call directly."""
        return self._client

    def info(self) -> dict[str, Any]:
        return {**super().info(), "external": True}


class _Absent:
    def __init__(self, message: str) -> None:
        self._message = message

    def __getattr__(self, name: str) -> Any:
        raise ConfigError(self._message)


#: The contracts of Supersim's ``admin_getL1Addresses`` answer that crossroll has (Supersim
#: names them ``<name>Proxy``; crossroll deploys them without proxies).
SUPERSIM_PROXIES = ("OptimismPortal", "L1StandardBridge", "L2OutputOracle")


class Network(Host[NetworkConfig]):
    """A running devnet.  Build it with :meth:`start`; stop it with :meth:`stop`
    or by leaving its ``with`` block."""

    def __init__(self, config: NetworkConfig, **factories: Any) -> None:
        """``factories``: ``chain_factory`` and ``server_factory`` (see :class:`Host`)."""
        # A data dir is read before the clock exists: virtual time resumes where it stopped.
        data = DataDir(config) if config.data_dir is not None else None
        start = data.resume_time if data is not None else None
        super().__init__(config, virtual_start=start, **factories)
        self._data = data
        self._handles: dict[int, ChainHandle] = {}
        self._ready = False
        self._blobs: BlobStore | None = None
        self._remote_l1: RemoteL1View | None = None  # an external L1's (l1.rpc_url)
        self._rollups = RollupWiring(config)
        self._messaging = MessagingWiring(config)
        self._sequencing = SequencingWiring(config)
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
        for handle in self._handles.values():  # an external L1 has the node's chain id
            if handle.plan.kind == "l1":
                return handle
        raise ConfigError("the network has not started")

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
        local = [h for h in self.chains if not h.external]
        return local[0].chain.dev_accounts if local else ()

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
        if self.config.l1.external:
            raise ConfigError("the L1 is external: crossroll keeps no blobs of it (ask its node)")
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

    def l1_addresses_json(self, chain_id: int | None = None) -> dict[str, Any]:
        """What ``admin_getL1Addresses`` answers: every contract, or (given a rollup's chain
        id, as Supersim's method takes it) that rollup's, under Supersim's ``...Proxy`` names
        as well as crossroll's."""
        addresses = self.l1_addresses
        if chain_id is None:
            return addresses.to_json()
        try:
            rollup = addresses.rollup(chain_id).to_json()
        except ConfigError as exc:
            raise InvalidParams(exc.message) from None
        del rollup["chainId"]
        supersim = {f"{name}Proxy": rollup[name] for name in SUPERSIM_PROXIES}
        return {**supersim, **rollup, "SettlementHub": checksum(addresses.settlement_hub)}

    # ---------------------------------------------------------- rollup nodes
    @property
    def batchers(self) -> list[Batcher]:
        """One batcher per rollup, in chain-id order."""
        return list(self._rollups.batchers)

    def safety(self, chain_id: int) -> SafetyHeads:
        """Rollup ``chain_id``'s unsafe / safe / finalized heads."""
        index = self.config.rollup_ids.index(self.chain(chain_id).chain_id)
        return self._rollups.safety[index]

    def rollup_json(self, chain_id: int) -> dict[str, Any]:
        """What ``crossroll_getRollup`` answers (see :mod:`crossroll.network.views`)."""
        from .views import rollup_view

        if chain_id not in self.config.rollup_ids:
            known = ", ".join(map(str, self.config.rollup_ids))
            raise InvalidParams(f"no rollup {chain_id} in this network (rollups: {known})")
        with self.lock:
            return rollup_view(self, chain_id)

    def start_verifier(self, chain_id: int, *, serve: bool = True) -> ChainHandle:
        """Start a verifier node for rollup ``chain_id``: its own chain from the rollup's
        genesis, built only from what the L1 holds (deposits and batches), on the
        network's clock; served over JSON-RPC on a free port unless ``serve`` is False.
        Its derivation is ``handle.derivation``; it stops with the network."""
        rollup = self.chain(chain_id)
        config = dataclasses.replace(
            rollup.chain.config,  # type: ignore[attr-defined]
            block_time=None,
            automine=False,
            genesis_timestamp=rollup.chain.block(0).header.timestamp,
        )
        with self.lock:
            chain, server = self._serve(config, self.config.host, 0)
            derivation = self._rollups.verifier(chain_id, chain, self.scheduler)
        plan = rollup.plan.model_copy(update={"name": f"{rollup.name}-verifier", "port": 0})
        handle = ChainHandle(plan, chain, server, self.lock)
        handle.derivation = derivation
        services = [derivation, server] if serve else [derivation]
        for service in services:
            self.runtime.call(self._orchestrator.start_late(service))
        return handle

    # ---------------------------------------------------------- withdrawals
    def withdrawals(self, chain_id: int) -> Withdrawals:
        """Rollup ``chain_id``'s withdrawals over in-process clients of its L2 and the L1."""
        from ..rollup.withdrawals import Withdrawals

        where = self.l1_addresses.rollup(chain_id)
        return Withdrawals(self.l1.inproc(), self.chain(chain_id).inproc(), where)

    def withdrawal(
        self, l2_tx_hash: bytes | str, chain_id: int | None = None, index: int = 0
    ) -> WithdrawalStatus:
        """Where the ``index``-th withdrawal of an L2 transaction stands (``chain_id``
        None: the rollup that mined it)."""
        withdrawals, tx = self._withdrawals_of(l2_tx_hash, chain_id)
        return withdrawals.status(tx, index)

    def withdrawal_json(
        self, l2_tx_hash: bytes, chain_id: int | None = None, index: int = 0
    ) -> dict[str, Any]:
        """What ``crossroll_getWithdrawal`` answers."""
        return self.withdrawal(l2_tx_hash, chain_id, index).to_json()

    def prove_withdrawal(
        self,
        l2_tx_hash: bytes | str,
        account: DevAccount | None = None,
        chain_id: int | None = None,
        index: int = 0,
    ) -> L1Receipt:
        """Prove the withdrawal on the L1, signed by ``account`` (dev account 0 if None)."""
        withdrawals, tx = self._withdrawals_of(l2_tx_hash, chain_id)
        return withdrawals.prove(tx, account or self.accounts[0], index)

    def finalize_withdrawal(
        self,
        l2_tx_hash: bytes | str,
        account: DevAccount | None = None,
        chain_id: int | None = None,
        index: int = 0,
    ) -> L1Receipt:
        """Finalize a proven withdrawal after its challenge window (signer as above)."""
        withdrawals, tx = self._withdrawals_of(l2_tx_hash, chain_id)
        return withdrawals.finalize(tx, account or self.accounts[0], index)

    def _withdrawals_of(
        self, l2_tx_hash: bytes | str, chain_id: int | None
    ) -> tuple[Withdrawals, bytes]:
        from ..rollup.withdrawals import locate, parse_tx_hash

        tx = parse_tx_hash(l2_tx_hash)
        if chain_id is None:
            chain_id = locate({h.chain_id: h.inproc() for h in self.rollups}, tx)
        return self.withdrawals(chain_id), tx

    # ---------------------------------------------------------- messaging
    @property
    def messaging(self) -> MessagingWiring:
        """The message store, indexer, relayer, settler and fast-path guards."""
        return self._messaging

    def message(self, msg_hash: bytes | str) -> MessageRecord:
        """A cross-rollup message's record (MessageNotFound if no rollup sent it)."""
        with self.lock:
            return self._messaging.message(_msg_hash(msg_hash))

    def messages(
        self, chain_id: int | None = None, status: Status | str | None = None
    ) -> list[MessageRecord]:
        """Messages from or to ``chain_id`` with ``status``, in the order they were sent."""
        with self.lock:
            return self._messaging.messages(chain_id, status)

    def relay(self, msg_hash: bytes | str, settled: bool = False) -> MessageRecord:
        """Relay a message now, on the fast path or (``settled``) with a Merkle proof."""
        with self.lock:
            return self._messaging.relay(_msg_hash(msg_hash), settled)

    def inject_reorg(self, chain_id: int, depth: int = 1) -> Replacement:
        """Reorg the last ``depth`` blocks of rollup ``chain_id`` (blocks not on L1 yet): each
        becomes a deposits-only block, their transactions are mined again later, and blocks
        on other rollups that executed messages from them are replaced (docs/messaging.md)."""
        with self.lock:
            return self._messaging.inject_reorg(chain_id, depth)

    # ---------------------------------------------------------- sequencing
    @property
    def sequencing(self) -> SequencingWiring:
        """The shared sequencer, based-rollup gateways, forced inclusion and censorship."""
        return self._sequencing

    def force_include(
        self, chain_id: int, raw_tx: bytes | str, account: DevAccount | None = None
    ) -> L1Receipt:
        """Queue the signed L2 transaction ``raw_tx`` for rollup ``chain_id`` on the L1's
        forced-inclusion queue, from ``account`` (dev account 0 if None); the L1 receipt.
        Every L2 block from L1 origin ``receipt.block_number + window`` on must hold it."""
        raw = bytes.fromhex(raw_tx.removeprefix("0x")) if isinstance(raw_tx, str) else raw_tx
        return self._sequencing.force_include(chain_id, raw, account or self.accounts[0])

    def set_censored(self, chain_id: int, addresses: Sequence[bytes | str]) -> list[bytes]:
        """Make rollup ``chain_id``'s sequencer leave out pool transactions from
        ``addresses`` (empty: censor nobody); fault injection for forced inclusion."""
        raw = [bytes.fromhex(a.removeprefix("0x")) if isinstance(a, str) else a for a in addresses]
        with self.lock:
            return self._sequencing.set_censored(chain_id, raw)

    def forced_transactions(self, chain_id: int) -> list[ForcedStatus]:
        """Rollup ``chain_id``'s forced transactions and where each stands."""
        with self.lock:
            return self._sequencing.forced_transactions(chain_id)

    def send_bundle(
        self,
        legs: Sequence[tuple[int, bytes | str]],
        reverting: Sequence[bytes | str] = (),
        min_timestamp: int | None = None,
        max_timestamp: int | None = None,
    ) -> bytes:
        """Send a bundle to the shared sequencer: ``legs`` are ``(chainId, signed raw
        transaction)``; all land in one slot and succeed, or none does.  Its hash."""
        raw = [(cid, _raw(tx)) for cid, tx in legs]
        with self.lock:
            return self._sequencing.shared_sequencing().send_bundle(
                raw, [_msg_hash(h) for h in reverting], min_timestamp, max_timestamp
            )

    def bundle(self, bundle_hash: bytes | str) -> BundleRecord:
        """A bundle's record: pending, included (where) or dropped (why)."""
        with self.lock:
            return self._sequencing.shared_sequencing().bundle(_msg_hash(bundle_hash))

    def slot(self, number: int | Literal["latest"] = "latest") -> SlotCommitment:
        """The shared sequencer's signed slot ``number`` (or the latest)."""
        with self.lock:
            return self._sequencing.shared_sequencing().slot(number)

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
            "messaging": self._messaging_json(),
            "sequencing": self._sequencing.to_json(),
        }

    def _messaging_json(self) -> dict[str, Any]:
        m = self.config.messaging
        return {
            "autorelay": m.autorelay,
            "relayDelay": m.relay_delay,
            "relayPath": m.relay_path,
            "dependencySet": m.dependency_set,
            "interopDelay": m.interop_delay,
        }

    # ---------------------------------------------------------- internals
    async def _astart(self) -> None:
        # The admin server first, so /ready answers 503 while chains start.
        if self._data is not None:  # stopped last: journals close after every writer stopped
            self._orchestrator.add_stage(self._data)
        self._orchestrator.add_stage(self.admin)
        with self.lock:
            for plan, chain_config in self.config.chain_configs():
                if plan.kind == "l1" and self.config.l1.external:  # no L1 chain here
                    self._remote_l1 = self._connect_l1()
                    continue
                if plan.kind == "l1":  # the deployer and role accounts, never a user's
                    alloc = (*chain_config.alloc, *self._rollups.genesis_alloc())
                    chain_config = dataclasses.replace(chain_config, alloc=alloc)
                else:  # a shared rollup's: the shared sequencer's key
                    alloc = (*chain_config.alloc, *self._rollups.l2_alloc(plan.chain_id))
                    chain_config = dataclasses.replace(chain_config, alloc=alloc)
                if self._data is not None:  # the genesis time of the first start
                    chain_config = self._data.chain_config(chain_config)
                chain, server = self._serve(chain_config, self.config.host, plan.port)
                self._handles[plan.chain_id] = ChainHandle(plan, chain, server, self.lock)
                if plan.kind == "l1":
                    retention = chain_config.rules.blob_retention_seconds
                    self._blobs = BlobStore(self.scheduler, retention)
                    on_sidecars = getattr(chain, "on_sidecars", None)
                    if on_sidecars is not None:  # the L1's mined blobs land in the store
                        on_sidecars(functools.partial(self._blobs.add, replace=True))
                if self._data is not None:  # replay the chain's journal, then record into it
                    blobs = self._blobs if plan.kind == "l1" else None
                    self._data.attach(chain, self.scheduler, blobs)
            # Before any server accepts users: their first addresses stay anvil's.
            l1_view = self._remote_l1 or LocalL1View(self.l1.chain, self._blobs)
            if self._data is not None and self._data.restarting:
                self._rollups.restore(
                    self.l1,
                    self.rollups,
                    self.scheduler,
                    l1_view,
                    self._data.addresses,
                    rederive=self._data.empty_rollups,
                )
            else:
                self._rollups.deploy(self.l1, self.rollups, self.scheduler, l1_view)
                if self._data is not None:  # network.json last: the first start is complete
                    chains = [h.chain for h in self.chains]
                    self._data.save(self.config, chains, self.l1_addresses)
            self._messaging.build(
                {h.chain_id: h.chain for h in self.rollups},
                self.scheduler,
                l1_view=l1_view,
                l1_client=self.l1.inproc(),
                safety=dict(zip(self.config.rollup_ids, self._rollups.safety, strict=True)),
                batchers=dict(zip(self.config.rollup_ids, self._rollups.batchers, strict=True)),
                addresses=self.l1_addresses,
                settler_account=self._rollups.deploy_as[0],
            )
            self._rollups.use_guards(self._messaging.guards)  # based builders check messages
            self._sequencing.build(
                {h.chain_id: h.chain for h in self.rollups},
                self.scheduler,
                l1_view=l1_view,
                l1_client=self.l1.inproc(),
                rollups=self._rollups,
                guards=self._messaging.guards,
                addresses=self.l1_addresses,
            )
        local = [h for h in self.chains if not h.external]
        self._orchestrator.add_stage(*(as_service(h.chain, self.lock) for h in local))
        if self._blobs is not None:
            self._orchestrator.add_stage(self._blobs)
        if self._remote_l1 is not None:  # polls the external L1 from its head at start
            self._orchestrator.add_stage(self._remote_l1)
        self._orchestrator.add_stage(*self._rollups.services)
        for stage in self._messaging.stages:
            self._orchestrator.add_stage(*stage)
        if self._sequencing.services:
            self._orchestrator.add_stage(*self._sequencing.services)
        self._orchestrator.add_stage(*(h.server for h in local))
        await self._orchestrator.start()
        self._ready = True

    def _connect_l1(self) -> RemoteL1View:
        """The external L1's handle (chain id from its node) and the view services read."""
        from .external import external_plan, l1_client, remote_view

        url = self.config.l1.rpc_url
        assert url is not None
        client = l1_client(url)
        handle = ExternalL1Handle(external_plan(self.config, client), url, client)
        self._handles[handle.chain_id] = handle
        return remote_view(self.config, client, self.scheduler)


def _raw(value: bytes | str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else value


def _msg_hash(value: bytes | str) -> bytes:
    if isinstance(value, str):
        from ..rpc.codec import decode_hash

        return decode_hash(value)
    return value


def with_overrides(config: NetworkConfig, overrides: dict[str, Any]) -> NetworkConfig:
    """``config`` with keyword overrides applied and validated."""
    if not overrides:
        return config
    overrides = dict(overrides)
    if isinstance(overrides.get("rollups"), int):
        overrides["rollups__count"] = overrides.pop("rollups")
    base = overrides_layer(config.model_dump(), "config")
    return build(NetworkConfig, [base, overrides_layer(overrides)])
