"""Immutable values that flow between components.

Addresses and hashes are raw ``bytes`` (20 and 32 long); quantities are ``int``.
Hex encoding happens only at the RPC edge (``crossroll.rpc.codec``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Address = bytes  # 20 bytes
Hash32 = bytes  # 32 bytes

# A block reference as the RPC layer hands it to a chain.
BlockTag = Literal["latest", "earliest", "pending", "safe", "finalized"]
BlockRef = BlockTag | int | Hash32


@dataclass(frozen=True, slots=True)
class AccessListEntry:
    address: Address
    storage_keys: tuple[Hash32, ...] = ()


@dataclass(frozen=True, slots=True)
class Transaction:
    """A signed transaction as included in a block (or waiting in the pool)."""

    hash: Hash32
    type: int  # 0 legacy, 1 EIP-2930, 2 EIP-1559, 0x7E OP deposit
    sender: Address
    nonce: int
    to: Address | None  # None: contract creation
    value: int
    gas: int
    data: bytes
    chain_id: int | None  # None: pre-EIP-155 legacy
    gas_price: int | None  # types 0 and 1
    max_fee_per_gas: int | None  # type 2
    max_priority_fee_per_gas: int | None  # type 2
    access_list: tuple[AccessListEntry, ...]
    v: int
    r: int
    s: int
    raw: bytes  # the signed encoding (typed envelope for types >= 1)
    # OP-Stack deposits (type 0x7E) only; None/False for every other type.
    source_hash: Hash32 | None = None
    mint: int | None = None
    is_system_tx: bool = False

    @property
    def is_deposit(self) -> bool:
        return self.type == 0x7E

    @property
    def fee_cap(self) -> int:
        """Most the sender pays per gas (gasPrice or maxFeePerGas)."""
        return self.gas_price if self.gas_price is not None else int(self.max_fee_per_gas or 0)

    @property
    def tip_cap(self) -> int:
        if self.max_priority_fee_per_gas is not None:
            return self.max_priority_fee_per_gas
        return int(self.gas_price or 0)

    def effective_gas_price(self, base_fee: int) -> int:
        if self.gas_price is not None:
            return self.gas_price
        return min(self.fee_cap, base_fee + self.tip_cap)


@dataclass(frozen=True, slots=True)
class Log:
    address: Address
    topics: tuple[Hash32, ...]
    data: bytes
    block_number: int
    block_hash: Hash32
    transaction_hash: Hash32
    transaction_index: int
    log_index: int  # position in the block
    removed: bool = False


@dataclass(frozen=True, slots=True)
class Receipt:
    transaction_hash: Hash32
    transaction_index: int
    block_hash: Hash32
    block_number: int
    sender: Address
    to: Address | None
    contract_address: Address | None
    status: int  # 1 success, 0 failure
    gas_used: int
    cumulative_gas_used: int
    effective_gas_price: int
    logs: tuple[Log, ...]
    logs_bloom: bytes  # 256 bytes
    type: int
    # OP-Stack deposits (type 0x7E) only: nonce of ``from`` before the deposit ran,
    # and the receipt version (1 since Canyon).
    deposit_nonce: int | None = None
    deposit_receipt_version: int | None = None

    @property
    def is_deposit(self) -> bool:
        return self.type == 0x7E


@dataclass(frozen=True, slots=True)
class BlockHeader:
    number: int
    hash: Hash32
    parent_hash: Hash32
    uncles_hash: Hash32
    coinbase: Address
    state_root: Hash32
    transactions_root: Hash32
    receipts_root: Hash32
    logs_bloom: bytes
    difficulty: int
    gas_limit: int
    gas_used: int
    timestamp: int
    extra_data: bytes
    mix_hash: Hash32
    nonce: bytes  # 8 bytes
    base_fee_per_gas: int | None
    withdrawals_root: Hash32 | None
    blob_gas_used: int | None
    excess_blob_gas: int | None
    parent_beacon_block_root: Hash32 | None
    size: int = 0  # rlp size of the whole block


@dataclass(frozen=True, slots=True)
class Block:
    header: BlockHeader
    transactions: tuple[Transaction, ...]
    receipts: tuple[Receipt, ...]

    @property
    def number(self) -> int:
        return self.header.number

    @property
    def hash(self) -> Hash32:
        return self.header.hash


@dataclass(frozen=True, slots=True)
class BlockEnv:
    """What a block builder is told besides its parent and transactions."""

    timestamp: int
    coinbase: Address


#: A block and the transactions left out of it, each with the reason.
BuildResult = tuple[Block, list[tuple[Transaction, Exception]]]


@dataclass(frozen=True, slots=True)
class L1BlockInfo:
    """What a rollup node needs of one L1 block (its L1 origin): identity, time, fees."""

    number: int
    hash: Hash32
    parent_hash: Hash32
    timestamp: int
    base_fee: int
    blob_base_fee: int


@dataclass(frozen=True, slots=True)
class InboxTransaction:
    """A successful L1 transaction sent to a rollup's batch inbox, as derivation reads it:
    calldata, or the versioned hashes of its blobs (type 3)."""

    block_number: int
    index: int  # position in the L1 block
    hash: Hash32
    sender: Address
    data: bytes
    blob_hashes: tuple[Hash32, ...] = ()


@dataclass(frozen=True, slots=True)
class Account:
    nonce: int
    balance: int
    code_hash: Hash32
    storage_root: Hash32


@dataclass(frozen=True, slots=True)
class AccountPatch:
    """Account fields written outside any transaction (anvil_set*, genesis); None keeps."""

    balance: int | None = None
    nonce: int | None = None
    code: bytes | None = None
    storage: tuple[tuple[int, int], ...] = ()  # (slot, value) pairs; value 0 clears


@dataclass(frozen=True, slots=True)
class StorageProof:
    key: int
    value: int
    proof: tuple[bytes, ...]  # rlp-encoded trie nodes, root first


@dataclass(frozen=True, slots=True)
class AccountProof:
    address: Address
    balance: int
    nonce: int
    code_hash: Hash32
    storage_hash: Hash32
    account_proof: tuple[bytes, ...]
    storage_proof: tuple[StorageProof, ...]


@dataclass(frozen=True, slots=True)
class CallRequest:
    """An unsigned message for eth_call / eth_estimateGas / eth_sendTransaction."""

    sender: Address | None = None
    to: Address | None = None
    gas: int | None = None
    gas_price: int | None = None
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None
    value: int = 0
    data: bytes = b""
    nonce: int | None = None
    access_list: tuple[AccessListEntry, ...] = ()
    type: int | None = None

    @classmethod
    def of(cls, tx: Transaction) -> CallRequest:
        """``tx`` as a call: what it would do, run on some state (nothing is signed)."""
        return cls(
            sender=tx.sender,
            to=tx.to,
            gas=tx.gas,
            gas_price=tx.gas_price,
            max_fee_per_gas=tx.max_fee_per_gas,
            max_priority_fee_per_gas=tx.max_priority_fee_per_gas,
            value=tx.value,
            data=tx.data,
            nonce=tx.nonce,
            access_list=tx.access_list,
            type=tx.type,
        )


@dataclass(frozen=True, slots=True)
class CallResult:
    success: bool
    output: bytes
    gas_used: int
    logs: tuple[Log, ...] = ()
    error: str | None = None  # "revert", "out of gas", ... when not success


@dataclass(frozen=True, slots=True)
class LogFilter:
    from_block: int
    to_block: int
    addresses: tuple[Address, ...] = ()  # empty: any address
    # Per position: None matches anything, otherwise any of the listed topics.
    topics: tuple[tuple[Hash32, ...] | None, ...] = ()
    block_hash: Hash32 | None = None


@dataclass(frozen=True, slots=True)
class FeeHistory:
    oldest_block: int
    base_fee_per_gas: tuple[int, ...]  # one more than blocks: includes the next block
    gas_used_ratio: tuple[float, ...]
    reward: tuple[tuple[int, ...], ...] | None


@dataclass(frozen=True, slots=True)
class DevAccount:
    address: Address
    private_key: bytes
    index: int = 0


@dataclass(frozen=True, slots=True)
class GenesisAccount:
    balance: int = 0
    nonce: int = 0
    code: bytes = b""
    storage: tuple[tuple[int, int], ...] = field(default=())
