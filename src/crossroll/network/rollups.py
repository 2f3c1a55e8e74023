"""The rollup pieces of a devnet: settlement contracts deployed on the L1 at start, and per
rollup a deposit sequencer and an output proposer on the network's clock.

The L1 genesis funds a reserved deployer (HD index 1000) and each rollup's role accounts
(:func:`crossroll.rollup.config.genesis_alloc`), so users' dev accounts keep their balances
and nonces and their first contracts land at anvil's addresses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..abc import SchedulerAPI, ServiceAPI
from ..errors import ConfigError
from ..rollup import (
    L1Addresses,
    Proposer,
    RollupConfig,
    deploy_rollups,
    deployer_account,
    genesis_alloc,
)
from ..rollup.sequencer import DepositSequencer
from ..types import Address, GenesisAccount
from .config import NetworkConfig

if TYPE_CHECKING:
    from .network import ChainHandle

#: L1 genesis balance of the deployer and of every role account (wei).
ROLE_BALANCE = 10_000 * 10**18


class RollupWiring:
    """What :class:`~crossroll.network.Network` adds for its rollups."""

    def __init__(self, config: NetworkConfig) -> None:
        self.mnemonic = config.accounts.mnemonic
        plans = [p for p in config.plan() if p.kind == "l2"]
        self.configs = [
            RollupConfig.for_rollup(p.chain_id, i, mnemonic=self.mnemonic, block_time=p.block_time)
            for i, p in enumerate(plans)
        ]
        self._addresses: L1Addresses | None = None
        self.sequencers: list[DepositSequencer] = []
        self.proposers: list[Proposer] = []

    def genesis_alloc(self) -> tuple[tuple[Address, GenesisAccount], ...]:
        return genesis_alloc(self.configs, ROLE_BALANCE, self.mnemonic)

    @property
    def addresses(self) -> L1Addresses:
        if self._addresses is None:
            raise ConfigError("the network has not started")
        return self._addresses

    def to_json(self) -> dict[str, Any] | None:
        return None if self._addresses is None else self._addresses.to_json()

    def deploy(
        self, l1: ChainHandle, rollups: Sequence[ChainHandle], scheduler: SchedulerAPI
    ) -> None:
        """Deploy the contracts with the reserved deployer and build the services (call
        with the network's lock held, before the servers start)."""
        client = l1.inproc()
        genesis = {h.chain_id: h.chain.block(0).header.timestamp for h in rollups}
        deployer = deployer_account(self.mnemonic)
        self._addresses = addresses = deploy_rollups(
            client, self.configs, genesis, deployer, fund=0
        )
        for config, handle in zip(self.configs, rollups, strict=True):
            where = addresses.rollup(config.chain_id)
            self.sequencers.append(
                DepositSequencer(
                    config.chain_id, where.optimism_portal, l1.chain, handle.chain, scheduler
                )
            )
            self.proposers.append(
                Proposer(config, where.l2_output_oracle, client, handle.chain, scheduler)
            )

    @property
    def services(self) -> list[ServiceAPI]:
        return [*self.sequencers, *self.proposers]
