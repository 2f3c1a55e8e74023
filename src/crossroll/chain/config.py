"""The immutable description of one chain, as a chain needs it to start."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..types import Address, GenesisAccount
from .rules import ChainRules

DEFAULT_MNEMONIC = "test test test test test test test test test test test junk"
DEFAULT_BALANCE = 10_000 * 10**18


@dataclass(frozen=True)
class ChainConfig:
    chain_id: int = 31337
    rules: type[ChainRules] = ChainRules
    #: None: automine (a block per transaction); a number: interval mining.
    block_time: float | None = None
    #: Mine a block per transaction even when block_time is set (anvil's default
    #: when no --block-time is given).
    automine: bool = True
    mnemonic: str = DEFAULT_MNEMONIC
    account_count: int = 10
    account_balance: int = DEFAULT_BALANCE
    coinbase: Address = b"\x00" * 20
    gas_limit: int | None = None  # None: rules.gas_limit
    base_fee: int | None = None  # None: rules.initial_base_fee
    genesis_timestamp: int | None = None  # None: the clock's now
    alloc: tuple[tuple[Address, GenesisAccount], ...] = field(default=())
