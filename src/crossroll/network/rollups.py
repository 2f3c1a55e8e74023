"""The rollup pieces of a devnet: settlement contracts deployed on the L1 at start, and per
rollup a deposit sequencer and an output proposer on the network's clock.

The L1 genesis funds a reserved deployer (HD index 1000) and each rollup's role accounts
(:func:`crossroll.rollup.config.genesis_alloc`), so users' dev accounts keep their balances
and nonces and their first contracts land at anvil's addresses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..abc import L1ViewAPI, SchedulerAPI, ServiceAPI
from ..errors import ConfigError
from ..rollup import (
    L1Addresses,
    Proposer,
    RollupConfig,
    deploy_rollups,
    deployer_account,
    genesis_alloc,
    planned_addresses,
)
from ..rollup.based import BasedBuilder
from ..rollup.basedgateway import BasedGateway
from ..rollup.batcher import DA, Batcher
from ..rollup.derivation import Derivation, SafeHeadTracker, Verifier
from ..rollup.forced import ForcedInclusion
from ..rollup.safety import SafetyHeads
from ..rollup.sequencer import DepositSequencer
from ..rollup.shared_batcher import SharedBatcher
from ..sequencing.addresses import (
    SHARED_BATCH_INBOX,
    SHARED_SEQUENCER_L2_BALANCE,
    based_inbox,
    shared_sequencer_account,
)
from ..types import Address, GenesisAccount
from .config import NetworkConfig
from .external import deploy_settings

if TYPE_CHECKING:
    from .network import ChainHandle

#: L1 genesis balance of the deployer and of every role account (wei).
ROLE_BALANCE = 10_000 * 10**18


class RollupWiring:
    """What :class:`~crossroll.network.Network` adds for its rollups."""

    def __init__(self, config: NetworkConfig) -> None:
        self.mnemonic = config.accounts.mnemonic
        self.l1_chain_id = config.l1.chain_id
        #: Wei every rollup's genesis gives its dev accounts (backed by its portal on L1).
        self.l2_genesis_wei = int(config.accounts.balance * 10**18) * config.accounts.count
        plans = [p for p in config.plan() if p.kind == "l2"]
        #: Who builds each rollup's blocks: "own", "shared" or "based" (docs/sequencing.md).
        self.modes: dict[int, str] = {p.chain_id: p.sequencing for p in plans}
        self.sequencing = config.sequencing
        self.configs = [
            RollupConfig.for_rollup(
                p.chain_id,
                i,
                mnemonic=self.mnemonic,
                block_time=p.block_time,
                submission_interval=config.rollups.submission_interval,
                challenge_window=config.rollups.challenge_window,
            )
            for i, p in enumerate(plans)
        ]
        self._addresses: L1Addresses | None = None
        self.sequencers: list[DepositSequencer] = []
        self.proposers: list[Proposer] = []
        self.batchers: list[Batcher] = []
        #: Posts the shared rollups' blocks together (None without shared rollups); their
        #: batchers stay in ``batchers`` but only it drives them.
        self.shared_batcher: SharedBatcher | None = None
        #: Each rollup's derivation: a SafeHeadTracker, or a based rollup's BasedBuilder.
        self.trackers: list[Derivation] = []
        #: What based rollups' endpoints post through (their batchers never run).
        self.gateways: list[BasedGateway] = []
        #: The fast-path guards (:meth:`use_guards`), for based rollups' builders.
        self.guards: dict[int, Any] = {}
        self.safety: list[SafetyHeads] = []
        #: Where batches go: blobs on the embedded L1 unless configured otherwise.
        self.da: DA = config.da_mode
        # The reserved dev key on the embedded L1; on an external one the given key, which
        # also tops up the role accounts (network/external.py).
        self.deploy_as = deploy_settings(config)

    def genesis_alloc(self) -> tuple[tuple[Address, GenesisAccount], ...]:
        """L1 genesis entries: ETH for the deployer and role accounts, and each portal
        holding what its rollup's genesis accounts hold, so the rollups' genesis ETH is
        backed on the L1 and can be withdrawn like deposited ETH."""
        planned = planned_addresses(
            deployer_account(self.mnemonic).address, 0, self.configs, self.l1_chain_id
        )
        backing = tuple(
            (r.optimism_portal, GenesisAccount(balance=self.l2_extra_alloc_wei(r.chain_id)))
            for r in planned.rollups
        )
        shared = shared_sequencer_account(self.mnemonic).address
        return (
            *genesis_alloc(self.configs, ROLE_BALANCE, self.mnemonic),
            (shared, GenesisAccount(balance=ROLE_BALANCE)),
            *backing,
        )

    def l2_extra_alloc_wei(self, chain_id: int) -> int:
        """Wei rollup ``chain_id``'s genesis holds (its portal's L1 backing)."""
        extra = SHARED_SEQUENCER_L2_BALANCE if self.modes[chain_id] == "shared" else 0
        return self.l2_genesis_wei + extra

    def l2_alloc(self, chain_id: int) -> tuple[tuple[Address, GenesisAccount], ...]:
        """Genesis entries rollup ``chain_id`` adds to its dev accounts: the shared
        sequencer's key, on a shared rollup (it pays the relays it makes in slots)."""
        if self.modes[chain_id] != "shared":
            return ()
        shared = shared_sequencer_account(self.mnemonic).address
        return ((shared, GenesisAccount(balance=SHARED_SEQUENCER_L2_BALANCE)),)

    @property
    def addresses(self) -> L1Addresses:
        if self._addresses is None:
            raise ConfigError("the network has not started")
        return self._addresses

    def to_json(self) -> dict[str, Any] | None:
        return None if self._addresses is None else self._addresses.to_json()

    def deploy(
        self,
        l1: ChainHandle,
        rollups: Sequence[ChainHandle],
        scheduler: SchedulerAPI,
        l1_view: L1ViewAPI,
        addresses: L1Addresses | None = None,
    ) -> None:
        """Deploy the contracts with the reserved deployer (unless ``addresses`` says where an
        earlier run deployed them) and build the services (call
        with the network's lock held, before the servers start); the sequencers read the
        L1 through ``l1_view``."""
        client = l1.inproc()
        if addresses is None:
            genesis = {h.chain_id: h.chain.block(0).header.timestamp for h in rollups}
            deployer, fund, mine = self.deploy_as
            # the shared sequencer's key posts the shared batches (the embedded L1's genesis
            # funds it; an external L1's deployer tops it up like the role accounts)
            poster = shared_sequencer_account(self.mnemonic).address
            extra = [poster] if "shared" in self.modes.values() else []
            addresses = deploy_rollups(
                client, self.configs, genesis, deployer, fund=fund, mine=mine, also_fund=extra
            )
        self._addresses = addresses
        for config, handle in zip(self.configs, rollups, strict=True):
            where = addresses.rollup(config.chain_id)
            self.sequencers.append(
                DepositSequencer(
                    config.chain_id,
                    where.optimism_portal,
                    l1_view,
                    handle.chain,
                    scheduler,
                    self.poster(config)[1],
                    hub=addresses.settlement_hub,
                    forced=self.forced_inclusion(config.chain_id),
                )
            )
            # Waiting deposits (and due forced transactions) make the L2's next interval
            # block due even with an empty pool (a virtual clock skips idle blocks).
            set_busy_check = getattr(handle.chain, "set_busy_check", None)
            if set_busy_check is not None:
                set_busy_check(lambda s=self.sequencers[-1]: s.has_pending())
            self.proposers.append(
                Proposer(config, where.l2_output_oracle, client, handle.chain, scheduler)
            )
            self._add_node_services(config, where, l1_view, client, handle.chain, scheduler)
            if self.modes[config.chain_id] == "based":
                self.gateways.append(self._gateway(config, client, handle, scheduler))
        shared = [b for b in self.batchers if self.modes[b.config.chain_id] == "shared"]
        if shared:
            account = shared_sequencer_account(self.mnemonic)
            self.shared_batcher = SharedBatcher(
                shared, client, scheduler, account=account, da=self.da, l1_blocks=l1_view.on_block
            )

    def _add_node_services(
        self,
        config: RollupConfig,
        where: Any,
        l1_view: L1ViewAPI,
        client: Any,
        l2: Any,
        scheduler: SchedulerAPI,
    ) -> None:
        """The batcher, the derivation that moves the safe head, and the safety heads the
        L2 endpoint serves as the ``safe``/``finalized`` tags."""
        self.l1_view = l1_view
        sequencer = self.sequencers[-1]
        # A based rollup's blocks are built by derivation itself: its safe head is its head.
        kind = BasedBuilder if self.modes[config.chain_id] == "based" else SafeHeadTracker
        tracker = kind(config.chain_id, l1_view, l2, scheduler, **self._derivation_inputs(config))
        self.trackers.append(tracker)
        self.proposers[-1].safe_head = lambda: tracker.head.number  # outputs of safe blocks
        self.batchers.append(
            Batcher(
                config,
                client,
                l2,
                scheduler,
                origin=lambda block: sequencer.origin(block).l1.number,
                safe_head=lambda: tracker.head.number,
                # a based rollup's never runs (its posted number is its head); posts are calldata
                da="calldata" if isinstance(tracker, BasedBuilder) else self.da,
            )
        )
        heads = SafetyHeads(
            tracker,
            l1_view,
            l2,
            oracle=where.l2_output_oracle,
            challenge_window=config.challenge_window,
        )
        l2.set_safety(heads.resolve)
        self.safety.append(heads)

    def verifier(self, chain_id: int, chain: Any, scheduler: SchedulerAPI) -> Derivation:
        """Derivation for a verifier node of rollup ``chain_id`` building on ``chain`` (a
        fresh chain from the rollup's genesis that mines nothing itself)."""
        config = next((c for c in self.configs if c.chain_id == chain_id), None)
        if config is None:
            raise ConfigError(f"no rollup {chain_id} in this network")
        inputs = self._derivation_inputs(config)
        if self.modes[chain_id] == "based":  # the very code the rollup's node runs
            guard = self.guards.get(chain_id)
            return BasedBuilder(chain_id, self.l1_view, chain, scheduler, guard=guard, **inputs)
        return Verifier(chain_id, self.l1_view, chain, scheduler, **inputs)

    def _gateway(
        self, config: RollupConfig, client: Any, handle: ChainHandle, scheduler: SchedulerAPI
    ) -> BasedGateway:
        """A based rollup's gateway: posts from its batcher key (any key would do)."""
        builder = self.trackers[-1]
        context = getattr(getattr(handle.server, "dispatcher", None), "context", None)
        return BasedGateway(
            config.chain_id,
            handle.chain,
            client,
            self.l1_view,
            scheduler,
            config.batcher,
            inbox=based_inbox(config.chain_id),
            built_through=lambda: builder.head.origin.l1.number,
            pending_listeners=getattr(context, "pending_listeners", None),
        )

    def use_guards(self, guards: Mapping[int, Any]) -> None:
        """The fast-path guards (built after the rollups): based rollups' builders leave
        out what they refuse, as a sequencer's blocks do."""
        self.guards = dict(guards)
        for tracker in self.trackers:
            if isinstance(tracker, BasedBuilder):
                tracker.guard = self.guards.get(tracker.chain_id)

    def _derivation_inputs(self, config: RollupConfig) -> dict[str, Any]:
        """What a rollup's derivation reads on the L1: its portal's deposits, its batcher's
        inbox transactions and the settlement hub's global roots."""
        inbox, batcher = self.poster(config)
        shared = self.modes[config.chain_id] == "shared"
        return {
            "portal": self.addresses.rollup(config.chain_id).optimism_portal,
            "inbox": inbox,
            "batcher": batcher,
            "hub": self.addresses.settlement_hub,
            "namespace": config.chain_id if shared else None,
            "forced": self.forced_inclusion(config.chain_id),
        }

    def forced_inclusion(self, chain_id: int) -> ForcedInclusion:
        """Rollup ``chain_id``'s forced-inclusion queue and window (rollup/forced.py)."""
        queue = self.addresses.forced_inclusion_queue
        return ForcedInclusion(queue, chain_id, self.sequencing.forced_inclusion_window)

    def poster(self, config: RollupConfig) -> tuple[Address, Address]:
        """Where a rollup's batches go on the L1 and who alone may post them (also the
        L1-info deposit's batcher): its own inbox and batcher key, or for a shared rollup
        the shared inbox and the shared sequencer's key (docs/sequencing.md)."""
        if self.modes[config.chain_id] == "shared":
            return SHARED_BATCH_INBOX, shared_sequencer_account(self.mnemonic).address
        if self.modes[config.chain_id] == "based":  # anyone posts; the batcher is a label
            return based_inbox(config.chain_id), config.batcher.address
        return config.batch_inbox, config.batcher.address

    def restore(
        self,
        l1: ChainHandle,
        rollups: Sequence[ChainHandle],
        scheduler: SchedulerAPI,
        l1_view: L1ViewAPI,
        addresses: L1Addresses,
        *,
        rederive: Sequence[int] = (),
    ) -> None:
        """Resume on chains replayed from a data dir: the contracts are on the L1 at
        ``addresses``, nothing is deployed, and every service picks up from chain data (the
        proposers resync from the oracle when they start, the batchers from the safe head).
        ``rederive``: rollups whose journal was missing, so at genesis: their blocks are
        derived again from the L1 alone (deposits and batches) before anything builds on
        them; blocks that were never batched are gone, as on a real rollup."""
        self.deploy(l1, rollups, scheduler, l1_view, addresses)
        for handle in rollups:
            # a based rollup's own builder rebuilds it from the L1 when it starts
            if handle.chain_id in rederive and self.modes[handle.chain_id] != "based":
                derivation = self.verifier(handle.chain_id, handle.chain, scheduler)
                while not derivation.idle() and derivation.last_error is None:
                    derivation.tick()
        for sequencer in self.sequencers:
            sequencer.recover()  # each L2 block's L1 origin, read back from the L2 chain

    @property
    def services(self) -> list[ServiceAPI]:
        own = [b for b in self.batchers if self.modes[b.config.chain_id] == "own"]
        shared = [self.shared_batcher] if self.shared_batcher is not None else []
        gateways = self.gateways
        return [*self.sequencers, *self.trackers, *own, *shared, *gateways, *self.proposers]
