"""The frozen settlement configuration of one rollup: who posts what, where, how often.

Role accounts come from the devnet's mnemonic at HD indices from :data:`ROLE_BASE` up, 10 per
rollup (``ROLE_BASE + 10 * index + role``).  The devnet funds at most 1000 dev accounts
(indices 0..999, ``accounts.count``), so role accounts never collide with an account a user
holds, for any number of rollups, and are the same on every fresh devnet::

    settlement deployer:  m/.../1000 (:func:`deployer_account`)
    rollup index 0 (901): batcher m/.../1010, proposer m/.../1011, challenger m/.../1012
    rollup index 1 (902): batcher m/.../1020, proposer m/.../1021, challenger m/.../1022

They start without ETH on the L1: give them some in the L1 genesis (:func:`genesis_alloc`), or
let :func:`crossroll.rollup.deploy.deploy_rollups` send it from the deployer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from ..chain.accounts import derive_account
from ..chain.config import DEFAULT_MNEMONIC
from ..errors import ConfigError
from ..types import Address, DevAccount, GenesisAccount

#: HD index of the account that deploys the settlement contracts: one past the most dev
#: accounts a devnet funds, so users' first deployments keep their usual addresses.
DEPLOYER_INDEX = 1000
#: First HD index of rollup role accounts.
ROLE_BASE = 1010
#: HD indices reserved per rollup (three used; room for a sequencer key, a relayer, ...).
ROLES_PER_ROLLUP = 10

DEFAULT_SUBMISSION_INTERVAL = 10  # L2 blocks between two outputs
DEFAULT_CHALLENGE_WINDOW = 7 * 24 * 3600  # OP's standard finalization period
DEFAULT_L2_BLOCK_TIME = 2


class Role(IntEnum):
    """Offset of a role account within its rollup's block of HD indices."""

    BATCHER = 0
    PROPOSER = 1
    CHALLENGER = 2


def role_account(index: int, role: Role, mnemonic: str = DEFAULT_MNEMONIC) -> DevAccount:
    """The key of ``role`` for the rollup at position ``index`` (0 for the first rollup)."""
    if index < 0:
        raise ConfigError(f"rollup index must be >= 0, got {index}")
    return derive_account(mnemonic, ROLE_BASE + ROLES_PER_ROLLUP * index + role)


def deployer_account(mnemonic: str = DEFAULT_MNEMONIC) -> DevAccount:
    """The key reserved for deploying the settlement contracts (see the module notes)."""
    return derive_account(mnemonic, DEPLOYER_INDEX)


def genesis_alloc(
    configs: Sequence[RollupConfig], balance: int, mnemonic: str = DEFAULT_MNEMONIC
) -> tuple[tuple[Address, GenesisAccount], ...]:
    """L1 genesis entries giving ``balance`` wei to the deployer and every role account
    (``ChainConfig.alloc`` of the L1), so deploying touches no user account."""
    accounts = [deployer_account(mnemonic)]
    accounts += [a for c in configs for a in (c.batcher, c.proposer, c.challenger)]
    return tuple((a.address, GenesisAccount(balance=balance)) for a in accounts)


def batch_inbox(chain_id: int) -> Address:
    """OP's convention: ``0xff00…00<chainId>`` (chain id in the low bytes)."""
    return b"\xff" + chain_id.to_bytes(19, "big")


@dataclass(frozen=True, slots=True)
class RollupConfig:
    chain_id: int
    batcher: DevAccount
    proposer: DevAccount
    challenger: DevAccount
    #: Outputs are proposed for every ``submission_interval``-th L2 block.
    submission_interval: int = DEFAULT_SUBMISSION_INTERVAL
    #: Seconds an output must age before withdrawals proven against it finalize.
    challenge_window: int = DEFAULT_CHALLENGE_WINDOW
    #: Whole seconds per L2 block, as the oracle checks it; 0: irregular (automine or a
    #: fractional block time), which turns the oracle's "output in the future" check off.
    l2_block_time: int = DEFAULT_L2_BLOCK_TIME

    def __post_init__(self) -> None:
        if self.submission_interval <= 0:
            raise ConfigError(f"submission interval must be > 0, got {self.submission_interval}")
        if self.challenge_window < 0 or self.l2_block_time < 0:
            raise ConfigError("challenge window and L2 block time must be >= 0")

    @property
    def batch_inbox(self) -> Address:
        return batch_inbox(self.chain_id)

    @classmethod
    def for_rollup(
        cls,
        chain_id: int,
        index: int,
        *,
        mnemonic: str = DEFAULT_MNEMONIC,
        block_time: float | None = DEFAULT_L2_BLOCK_TIME,
        submission_interval: int = DEFAULT_SUBMISSION_INTERVAL,
        challenge_window: int = DEFAULT_CHALLENGE_WINDOW,
    ) -> RollupConfig:
        """The devnet's configuration of the rollup at position ``index``; ``block_time``
        as the network plans it (None: automine)."""
        whole = block_time is not None and block_time > 0 and float(block_time).is_integer()
        return cls(
            chain_id=chain_id,
            batcher=role_account(index, Role.BATCHER, mnemonic),
            proposer=role_account(index, Role.PROPOSER, mnemonic),
            challenger=role_account(index, Role.CHALLENGER, mnemonic),
            submission_interval=submission_interval,
            challenge_window=challenge_window,
            l2_block_time=int(block_time) if whole and block_time is not None else 0,
        )
