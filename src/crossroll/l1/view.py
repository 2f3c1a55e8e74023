"""The embedded L1 as rollup nodes read it (:class:`~crossroll.abc.L1ViewAPI`).

:class:`LocalL1View` reads the L1 :class:`~crossroll.chain.Chain` and its
:class:`~crossroll.l1.blobs.BlobStore` directly, in the network's thread, under its lock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..abc import ChainAPI, L1ViewAPI
from ..chain.blobtx import blob_hashes
from ..errors import DataError
from ..types import Address, Block, Hash32, InboxTransaction, L1BlockInfo, Log, LogFilter
from .blobs import BlobStore, blob_base_fee


def block_info(block: Block) -> L1BlockInfo:
    header = block.header
    return L1BlockInfo(
        number=header.number,
        hash=header.hash,
        parent_hash=header.parent_hash,
        timestamp=header.timestamp,
        base_fee=header.base_fee_per_gas or 0,
        blob_base_fee=blob_base_fee(header.excess_blob_gas or 0),
    )


class LocalL1View(L1ViewAPI):
    def __init__(self, chain: ChainAPI, blobs: BlobStore | None = None) -> None:
        self.chain = chain
        self.blob_store = blobs

    def head_number(self) -> int:
        return self.chain.head().number

    def safe_number(self) -> int:
        return self.chain.block("safe").number

    def finalized_number(self) -> int:
        return self.chain.block("finalized").number

    def info(self, number: int) -> L1BlockInfo:
        return block_info(self.chain.block(number))

    def logs(self, flt: LogFilter) -> list[Log]:
        return self.chain.logs(flt)

    def inbox_transactions(
        self, number: int, inbox: Address, senders: Sequence[Address] | None = None
    ) -> list[InboxTransaction]:
        block = self.chain.block(number)
        out = []
        for index, (tx, receipt) in enumerate(zip(block.transactions, block.receipts, strict=True)):
            if tx.to != inbox or receipt.status != 1:
                continue
            if senders is not None and tx.sender not in senders:
                continue
            out.append(
                InboxTransaction(
                    block_number=number,
                    index=index,
                    hash=tx.hash,
                    sender=tx.sender,
                    data=tx.data,
                    blob_hashes=blob_hashes(tx) or (),
                )
            )
        return out

    def blobs(self, number: int, hashes: Sequence[Hash32]) -> list[bytes]:
        if self.blob_store is None:
            raise DataError("this L1 keeps no blobs")
        held = {s.versioned_hash: s.blob for s in self.blob_store.sidecars(number)}
        missing = [h for h in hashes if h not in held]
        if missing:
            raise DataError(f"blob 0x{missing[0].hex()} is not in L1 block {number}")
        return [held[h] for h in hashes]

    def on_block(self, listener: Callable[[L1BlockInfo], None]) -> Callable[[], None]:
        return self.chain.on_block(lambda block: listener(block_info(block)))
