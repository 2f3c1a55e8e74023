"""Reorgs of rollup blocks that are not on L1 yet, injected for tests, and OP's
deposits-only replacement of a block whose executing messages became invalid.

Both keep the chain's height and timestamps: each removed block is rebuilt at its old
timestamp as a *deposits-only* block (the sequencer's deposit prefix and nothing from the
pool), which is what OP interop does with an invalid block (specs/interop/derivation.md,
"replacing" blocks), and the user transactions of the removed blocks go back to the pool,
where the fast-path guard re-checks any executing message they carry.  Only blocks above
the batcher's posted range may go: the L1 already holds the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..chain.persist import refill_pool
from ..chain.txpool import TxPool
from ..errors import RollupError
from ..types import Block, Hash32


@dataclass(frozen=True, slots=True)
class Replacement:
    """What a reorg did to one chain."""

    chain_id: int
    first: int  # the lowest block number replaced
    removed: tuple[Hash32, ...]  # hashes of the blocks that left the chain, oldest first
    added: tuple[Hash32, ...]  # hashes of the deposits-only blocks that took their place
    requeued: int  # user transactions sent back to the pool

    def to_json(self) -> dict[str, Any]:
        return {
            "chainId": self.chain_id,
            "firstBlock": self.first,
            "removed": ["0x" + h.hex() for h in self.removed],
            "added": ["0x" + h.hex() for h in self.added],
            "requeued": self.requeued,
        }


def replace_blocks(chain: Any, first: int, *, keep: int | None = None) -> Replacement:
    """Replace blocks ``first`` .. ``keep`` (default: the head) of ``chain`` by
    deposits-only blocks at the same timestamps; blocks above ``keep`` are removed and not
    rebuilt.  The user transactions of every removed block return to the pool."""
    head = chain.head().number
    last = head if keep is None else keep
    if not 1 <= first <= last <= head:
        raise RollupError(f"cannot replace blocks {first}..{last} of a chain at {head}")
    removed: Sequence[Block] = chain.rewind(first - 1)
    stashed, chain.pool = chain.pool, TxPool()  # deposits only: an empty pool
    try:
        added = [
            chain.mine(1, timestamp=block.header.timestamp)[0]
            for block in removed[: last - first + 1]
        ]
    finally:
        chain.pool = stashed
    raws = [tx.raw for block in removed for tx in block.transactions if not tx.is_deposit]
    refill_pool(chain, raws)
    return Replacement(
        chain_id=chain.chain_id,
        first=first,
        removed=tuple(b.hash for b in removed),
        added=tuple(b.hash for b in added),
        requeued=len(raws),
    )


def inject_reorg(chain: Any, depth: int, *, lowest: int) -> Replacement:
    """Reorg the last ``depth`` blocks of ``chain``: each becomes a deposits-only block and
    their transactions are mined again later, in other blocks.  ``lowest``: the lowest
    block that may change (the one after the batcher's last posted block)."""
    head = chain.head().number
    if depth < 1:
        raise RollupError(f"reorg depth must be at least 1, not {depth}")
    first = head - depth + 1
    if first < max(lowest, 1):
        raise RollupError(
            f"cannot reorg {depth} blocks of chain {chain.chain_id}: block {first} is"
            f" already batched to L1 (the lowest block that can change is {max(lowest, 1)})"
        )
    return replace_blocks(chain, first)
