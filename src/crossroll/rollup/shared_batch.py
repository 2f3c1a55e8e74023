"""What a shared batch is once on the L1: :class:`SharedBatchRecord` (a slot range, the L1
transactions carrying it, their cost) and each member's :class:`ChainShare` of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..types import Hash32
from .transact import hexstr


@dataclass(frozen=True, slots=True)
class ChainShare:
    """One member's part of a shared batch."""

    chain_id: int
    first_block: int
    last_block: int
    l2_transactions: int
    raw_bytes: int
    posted_bytes: int

    def to_json(self) -> dict[str, int]:
        return {
            "chainId": self.chain_id,
            "firstBlock": self.first_block,
            "lastBlock": self.last_block,
            "l2Transactions": self.l2_transactions,
            "rawBytes": self.raw_bytes,
            "postedBytes": self.posted_bytes,
        }


@dataclass(frozen=True, slots=True)
class SharedBatchRecord:
    """One slot range the L1 has: every member's blocks of it, where, and what it cost."""

    first_slot: int
    last_slot: int
    da: str
    l1_block: int  # of the range's last transaction: the slots are firm from here on
    l1_tx_hashes: tuple[Hash32, ...]
    chains: tuple[ChainShare, ...]
    envelopes: int
    blobs: int
    l1_gas: int
    blob_gas: int

    def covers(self, slot: int) -> bool:
        return self.first_slot <= slot <= self.last_slot

    def to_json(self) -> dict[str, Any]:
        return {
            "firstSlot": self.first_slot,
            "lastSlot": self.last_slot,
            "da": self.da,
            "l1BlockNumber": self.l1_block,
            "l1TransactionHashes": [hexstr(h) for h in self.l1_tx_hashes],
            "chains": [c.to_json() for c in self.chains],
            "envelopes": self.envelopes,
            "blobs": self.blobs,
            "l1GasUsed": self.l1_gas,
            "blobGasUsed": self.blob_gas,
        }
