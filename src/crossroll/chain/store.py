"""The block store of one chain: blocks by number and hash, tx index, log queries."""

from __future__ import annotations

from eth_hash.auto import keccak

from ..types import Block, Hash32, Log, LogFilter, Receipt, Transaction


def _bloom_has(bloom: int, item: bytes) -> bool:
    digest = keccak(item)
    for i in (0, 2, 4):
        bit = ((digest[i] << 8) | digest[i + 1]) & 2047
        if not bloom >> bit & 1:
            return False
    return True


def _log_matches(log: Log, flt: LogFilter) -> bool:
    if flt.addresses and log.address not in flt.addresses:
        return False
    for position, wanted in enumerate(flt.topics):
        if wanted is None:
            continue
        if position >= len(log.topics) or log.topics[position] not in wanted:
            return False
    return True


def _bloom_may_match(bloom: int, flt: LogFilter) -> bool:
    if flt.addresses and not any(_bloom_has(bloom, a) for a in flt.addresses):
        return False
    for wanted in flt.topics:
        if wanted and not any(_bloom_has(bloom, t) for t in wanted):
            return False
    return True


class BlockStore:
    """Canonical blocks (a list: reverting truncates it) and their indexes."""

    def __init__(self, genesis: Block) -> None:
        self.blocks: list[Block] = [genesis]
        self.by_hash: dict[Hash32, Block] = {genesis.hash: genesis}
        self.tx_index: dict[Hash32, tuple[int, int]] = {}

    @property
    def head(self) -> Block:
        return self.blocks[-1]

    def append(self, block: Block) -> None:
        self.blocks.append(block)
        self.by_hash[block.hash] = block
        for i, tx in enumerate(block.transactions):
            self.tx_index[tx.hash] = (block.number, i)

    def truncate(self, number: int) -> None:
        """Forget every block above ``number``."""
        while len(self.blocks) > number + 1:
            block = self.blocks.pop()
            del self.by_hash[block.hash]
            for tx in block.transactions:
                self.tx_index.pop(tx.hash, None)

    def get(self, number: int) -> Block | None:
        if 0 <= number < len(self.blocks):
            return self.blocks[number]
        return None

    def transaction(self, tx_hash: Hash32) -> tuple[Transaction, Receipt, Block] | None:
        where = self.tx_index.get(tx_hash)
        if where is None:
            return None
        block = self.blocks[where[0]]
        return block.transactions[where[1]], block.receipts[where[1]], block

    def logs(self, flt: LogFilter) -> list[Log]:
        if flt.block_hash is not None:
            found = self.by_hash.get(flt.block_hash)
            blocks = [found] if found is not None else []
        else:
            last = min(flt.to_block, len(self.blocks) - 1)
            blocks = self.blocks[max(flt.from_block, 0) : last + 1]
        out: list[Log] = []
        for block in blocks:
            if not _bloom_may_match(int.from_bytes(block.header.logs_bloom, "big"), flt):
                continue
            for receipt in block.receipts:
                out.extend(log for log in receipt.logs if _log_matches(log, flt))
        return out
