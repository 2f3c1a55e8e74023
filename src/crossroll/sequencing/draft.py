"""A shared rollup's block of a slot while the shared sequencer builds it.

A :class:`Draft` is immutable: the transactions chosen so far and the state root after them
(the engine keeps every state root, so a draft costs nothing to keep or to throw away).
:func:`run` executes more transactions as a *chunk* on top of it with ``Chain.build(...,
state_root=draft.root)``: the same header (number, timestamp, base fee) as the final block,
so each transaction runs exactly as it will in that block.  A chunk's receipts count gas and
logs from zero; :func:`run` moves them to their places in the whole block (log index =
logs before the chunk + index in it), which is what an executing message's identifier names.
Gas: py-evm checks a transaction's gas limit against the gas left in the chunk, not in the
block, so :func:`fits` checks the block's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from ..chain.chain import Chain
from ..types import Block, Hash32, Receipt, Transaction


@dataclass(frozen=True, slots=True)
class Draft:
    """One shared rollup's block of a slot as built so far."""

    chain_id: int
    number: int
    timestamp: int
    root: Hash32  # the state after ``txs``
    gas_limit: int
    txs: tuple[Transaction, ...] = ()
    receipts: tuple[Receipt, ...] = ()  # at their places in the block (module notes)
    gas_used: int = 0
    log_count: int = 0

    @property
    def gas_left(self) -> int:
        return self.gas_limit - self.gas_used

    def fits(self, tx: Transaction) -> bool:
        """Whether the block still has ``tx``'s gas limit left (the block's rule)."""
        return tx.gas <= self.gas_left


@dataclass(frozen=True, slots=True)
class Chunk:
    """What running some transactions on a draft gave."""

    draft: Draft  # the draft with the applied transactions added
    receipts: tuple[Receipt, ...]  # of the applied transactions, in the draft's places
    rejected: tuple[tuple[Transaction, Exception], ...]  # refused by the engine: left out

    @property
    def applied(self) -> tuple[Transaction, ...]:
        return self.draft.txs[len(self.draft.txs) - len(self.receipts) :]


def start(chain: Chain, timestamp: int) -> Draft:
    """An empty draft of ``chain``'s next block at ``timestamp``, on its working state."""
    head = chain.head().header
    return Draft(chain.chain_id, head.number + 1, timestamp, chain.state_root, head.gas_limit)


def run(chain: Chain, draft: Draft, txs: Sequence[Transaction]) -> Chunk:
    """Execute ``txs`` in order after ``draft``'s (changing nothing; see the module notes)."""
    if not txs:
        return Chunk(draft, (), ())
    block, rejected = chain.build(txs, draft.timestamp, state_root=draft.root)
    receipts = tuple(_placed(r, draft, i) for i, r in enumerate(block.receipts))
    logs = sum(len(r.logs) for r in receipts)
    after = dataclasses.replace(
        draft,
        root=block.header.state_root,
        txs=draft.txs + block.transactions,
        receipts=draft.receipts + receipts,
        gas_used=draft.gas_used + block.header.gas_used,
        log_count=draft.log_count + logs,
    )
    return Chunk(after, receipts, tuple(rejected))


def _placed(receipt: Receipt, draft: Draft, i: int) -> Receipt:
    if not receipt.logs and not draft.txs:
        return receipt
    logs = tuple(
        dataclasses.replace(
            log,
            log_index=draft.log_count + log.log_index,
            transaction_index=len(draft.txs) + i,
        )
        for log in receipt.logs
    )
    return dataclasses.replace(
        receipt,
        transaction_index=len(draft.txs) + i,
        cumulative_gas_used=draft.gas_used + receipt.cumulative_gas_used,
        logs=logs,
    )


def as_block(chain: Chain, draft: Draft) -> Block:
    """The draft as a block for reading its logs (zero hash: it has none yet)."""
    head = chain.head().header
    header = dataclasses.replace(
        head,
        number=draft.number,
        hash=b"\x00" * 32,
        parent_hash=head.hash,
        timestamp=draft.timestamp,
        gas_used=draft.gas_used,
    )
    return Block(header, draft.txs, draft.receipts)
