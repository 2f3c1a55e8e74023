"""The rollup pieces of a devnet: settlement contracts deployed on the L1 at start, and per
rollup a deposit sequencer and an output proposer on the network's clock.

The L1 genesis funds a reserved deployer (HD index 1000) and each rollup's role accounts
(:func:`crossroll.rollup.config.genesis_alloc`), so users' dev accounts keep their balances
and nonces and their first contracts land at anvil's addresses.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from ..rollup.batcher import DA, Batcher
from ..rollup.derivation import SafeHeadTracker, Verifier
from ..rollup.safety import SafetyHeads
from ..rollup.sequencer import DepositSequencer
from ..sequencing.addresses import SHARED_SEQUENCER_L2_BALANCE, shared_sequencer_account
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
        self.trackers: list[SafeHeadTracker] = []
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
            addresses = deploy_rollups(
                client, self.configs, genesis, deployer, fund=fund, mine=mine
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
                    config.batcher.address,
                    hub=addresses.settlement_hub,
                )
            )
            # Waiting deposits make the L2's next interval block due even with an empty
            # pool (a virtual clock skips idle blocks).
            set_busy_check = getattr(handle.chain, "set_busy_check", None)
            if set_busy_check is not None:
                set_busy_check(lambda s=self.sequencers[-1]: bool(s.pending()))
            self.proposers.append(
                Proposer(config, where.l2_output_oracle, client, handle.chain, scheduler)
            )
            self._add_node_services(config, where, l1_view, client, handle.chain, scheduler)

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
        tracker = SafeHeadTracker(
            config.chain_id, l1_view, l2, scheduler, **self._derivation_inputs(config)
        )
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
                da=self.da,
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

    def verifier(self, chain_id: int, chain: Any, scheduler: SchedulerAPI) -> Verifier:
        """Derivation for a verifier node of rollup ``chain_id`` building on ``chain`` (a
        fresh chain from the rollup's genesis that mines nothing itself)."""
        config = next((c for c in self.configs if c.chain_id == chain_id), None)
        if config is None:
            raise ConfigError(f"no rollup {chain_id} in this network")
        return Verifier(chain_id, self.l1_view, chain, scheduler, **self._derivation_inputs(config))

    def _derivation_inputs(self, config: RollupConfig) -> dict[str, Any]:
        """What a rollup's derivation reads on the L1: its portal's deposits, its batcher's
        inbox transactions and the settlement hub's global roots."""
        return {
            "portal": self.addresses.rollup(config.chain_id).optimism_portal,
            "inbox": config.batch_inbox,
            "batcher": config.batcher.address,
            "hub": self.addresses.settlement_hub,
        }

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
            if handle.chain_id in rederive:
                derivation = self.verifier(handle.chain_id, handle.chain, scheduler)
                while not derivation.idle() and derivation.last_error is None:
                    derivation.tick()
        for sequencer in self.sequencers:
            sequencer.recover()  # each L2 block's L1 origin, read back from the L2 chain

    @property
    def services(self) -> list[ServiceAPI]:
        return [*self.sequencers, *self.trackers, *self.batchers, *self.proposers]
