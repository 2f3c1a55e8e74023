"""The L1-attributes deposit: the first transaction of every L2 block, which records the
block's L1 origin in the ``L1Block`` predeploy (OP Stack, Ecotone).

Facts from the OP specs (``deposits.md``, ``ecotone/l1-attributes.md``):

* sent from the depositor account ``0xDeaD…0001`` to ``L1Block`` (``0x42…15``), gas
  1,000,000, no mint, no value, ``isSystemTx`` false (Regolith and later);
* source hash, domain 1: ``keccak(uint256(1) ‖ keccak(l1BlockHash ‖ uint256(seqNumber)))``;
* calldata, 164 bytes, packed (not ABI): ``0x440a5e20 ‖ baseFeeScalar u32 ‖
  blobBaseFeeScalar u32 ‖ sequenceNumber u64 ‖ timestamp u64 ‖ number u64 ‖ basefee u256 ‖
  blobBaseFee u256 ‖ hash b32 ‖ batcherHash b32``.

crossroll charges no L1 data fee, so both scalars default to zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_hash.auto import keccak

from ..chain.deposits import (
    DEPOSIT_TX_TYPE,
    L1_INFO_DEPOSIT_DOMAIN,
    DepositError,
    DepositTransaction,
    source_hash,
)
from ..chain.rules import L1_BLOCK
from ..types import Address, Hash32, L1BlockInfo, Transaction

__all__ = [
    "L1_BLOCK",
    "L1_INFO_DEPOSITOR",
    "L1_INFO_GAS",
    "L1Info",
    "l1_info_of",
    "l1_info_source_hash",
]

L1_INFO_DEPOSITOR = bytes.fromhex("deaddeaddeaddeaddeaddeaddeaddeaddead0001")
#: Gas of the L1-attributes deposit (post-Regolith system deposit gas); it counts against
#: the L2 block's gas limit like any deposit's.
L1_INFO_GAS = 1_000_000
#: keccak("setL1BlockValuesEcotone()")[:4]
ECOTONE_SELECTOR = bytes.fromhex("440a5e20")
ECOTONE_LENGTH = 164


def l1_info_source_hash(l1_block_hash: Hash32, sequence_number: int) -> Hash32:
    inner = keccak(l1_block_hash + sequence_number.to_bytes(32, "big"))
    return source_hash(L1_INFO_DEPOSIT_DOMAIN, inner)


def batcher_hash(batcher: Address) -> Hash32:
    """OP's ``batcherHash``: the batcher address left-padded to 32 bytes (version 0)."""
    return bytes(12) + batcher


def _take(data: bytes, at: int, size: int) -> int:
    return int.from_bytes(data[at : at + size], "big")


@dataclass(frozen=True, slots=True)
class L1Info:
    """What one L1-attributes deposit writes to ``L1Block``."""

    number: int
    timestamp: int
    base_fee: int
    hash: Hash32
    blob_base_fee: int
    sequence_number: int
    batcher_hash: Hash32
    base_fee_scalar: int = 0
    blob_base_fee_scalar: int = 0

    @classmethod
    def of(cls, origin: L1BlockInfo, sequence_number: int, batcher: Address) -> L1Info:
        """The L1 info of an L2 block with L1 origin ``origin``."""
        return cls(
            number=origin.number,
            timestamp=origin.timestamp,
            base_fee=origin.base_fee,
            hash=origin.hash,
            blob_base_fee=origin.blob_base_fee,
            sequence_number=sequence_number,
            batcher_hash=batcher_hash(batcher),
        )

    def encode(self) -> bytes:
        """The Ecotone calldata of ``setL1BlockValuesEcotone()``."""
        return b"".join(
            (
                ECOTONE_SELECTOR,
                self.base_fee_scalar.to_bytes(4, "big"),
                self.blob_base_fee_scalar.to_bytes(4, "big"),
                self.sequence_number.to_bytes(8, "big"),
                self.timestamp.to_bytes(8, "big"),
                self.number.to_bytes(8, "big"),
                self.base_fee.to_bytes(32, "big"),
                self.blob_base_fee.to_bytes(32, "big"),
                self.hash,
                self.batcher_hash,
            )
        )

    @classmethod
    def decode(cls, data: bytes) -> L1Info:
        if len(data) != ECOTONE_LENGTH or data[:4] != ECOTONE_SELECTOR:
            raise DepositError("not Ecotone L1-info calldata (0x440a5e20, 164 bytes)")
        return cls(
            base_fee_scalar=_take(data, 4, 4),
            blob_base_fee_scalar=_take(data, 8, 4),
            sequence_number=_take(data, 12, 8),
            timestamp=_take(data, 20, 8),
            number=_take(data, 28, 8),
            base_fee=_take(data, 36, 32),
            blob_base_fee=_take(data, 68, 32),
            hash=data[100:132],
            batcher_hash=data[132:164],
        )

    @property
    def source_hash(self) -> Hash32:
        return l1_info_source_hash(self.hash, self.sequence_number)

    def deposit(self) -> DepositTransaction:
        return DepositTransaction(
            source_hash=self.source_hash,
            sender=L1_INFO_DEPOSITOR,
            to=L1_BLOCK,
            mint=0,
            value=0,
            gas=L1_INFO_GAS,
            is_system_tx=False,
            data=self.encode(),
        )


def l1_info_of(tx: Transaction) -> L1Info | None:
    """The L1 info an L2 transaction carries, if it is an L1-attributes deposit."""
    if tx.type != DEPOSIT_TX_TYPE or tx.sender != L1_INFO_DEPOSITOR or tx.to != L1_BLOCK:
        return None
    try:
        info = L1Info.decode(tx.data)
    except DepositError:
        return None
    return info if tx.source_hash == info.source_hash else None
