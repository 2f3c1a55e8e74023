"""Building one slot: one block on every shared rollup, at the same number and timestamp.

Each rollup's block is ``[deposit prefix][bundle legs and in-slot relays, in bundle
order][pool transactions]``:

1. the prefix: its deposit sequencer's ``deposits_for(timestamp)`` (the L1-info deposit,
   the global-root deposit, user deposits, forced transactions due), as the rollup's own
   sequencer would start the block; a forced transaction that does not apply is left out;
2. the bundles, in the policy's order, each all-or-nothing (:mod:`.attempt`);
3. the pool's ready transactions in the gas left (censored senders excluded); those the
   engine refuses are left out (and leave the pool), those whose executing messages the
   fast path refuses leave the pool and the chunk is run again, as ``Chain._mine_one`` does.

Then every block is built once more, whole, from the chain's working state, and must equal
the drafts (state root, statuses, gas): the chunks are a simulation of that block.  Nothing
is appended before every block is built and checked, so the slot lands on all rollups or on
none; :func:`append` appends them, sources of in-slot messages before their destinations,
and takes them back if one append fails (:mod:`.realign`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..chain.deposits import DepositTransaction
from ..errors import SequencingError
from ..rollup.sequencer import DepositSequencer
from ..types import Block, Transaction
from .attempt import Dropped, Relay, SlotContext, attempt
from .bundle import Bundle
from .draft import Draft, run, start
from .inslot import refusal
from .realign import undo

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SlotPlan:
    """A slot built and checked, not appended yet."""

    number: int
    timestamp: int
    blocks: Mapping[int, Block]
    included: tuple[tuple[Bundle, tuple[Relay, ...]], ...]
    dropped: tuple[tuple[Bundle, str], ...]
    left_out: Mapping[int, tuple[Transaction, ...]]  # pool transactions that do not apply


def build(
    ctx: SlotContext,
    sequencers: Mapping[int, DepositSequencer],
    bundles: Sequence[Bundle],
    timestamp: int,
) -> SlotPlan:
    """Build the next slot at ``timestamp`` with ``bundles`` tried in order (module notes);
    change nothing.  The members' heads must be aligned (the caller checks)."""
    drafts = {cid: _prefix(ctx, sequencers[cid], cid, timestamp) for cid in sorted(ctx.members)}
    included: list[tuple[Bundle, tuple[Relay, ...]]] = []
    dropped: list[tuple[Bundle, str]] = []
    for bundle in bundles:
        try:
            drafts, relays = attempt(ctx, bundle, drafts)
        except Dropped as exc:
            dropped.append((bundle, exc.message))
            continue
        included.append((bundle, relays))
    left_out = {cid: _pool(ctx, drafts, cid) for cid in sorted(ctx.members)}
    blocks = {cid: _final(ctx, draft) for cid, draft in drafts.items()}
    number = next(iter(drafts.values())).number
    return SlotPlan(number, timestamp, blocks, tuple(included), tuple(dropped), left_out)


def _prefix(ctx: SlotContext, sequencer: DepositSequencer, cid: int, timestamp: int) -> Draft:
    chain = ctx.members[cid]
    prefix = [
        d.to_transaction() if isinstance(d, DepositTransaction) else d
        for d in sequencer.deposits_for(timestamp)
    ]
    chunk = run(chain, start(chain, timestamp), prefix)
    bad = [(tx, exc) for tx, exc in chunk.rejected if tx.is_deposit]
    if bad:
        raise SequencingError(f"rollup {cid}: deposit 0x{bad[0][0].hash.hex()}: {bad[0][1]}")
    return chunk.draft


def _pool(ctx: SlotContext, drafts: dict[int, Draft], cid: int) -> tuple[Transaction, ...]:
    """Add ``cid``'s ready pool transactions to its draft; return those left out."""
    chain, guard = ctx.members[cid], ctx.guards.get(cid)
    while True:
        draft = drafts[cid]
        taken = {tx.hash for tx in draft.txs}
        ready = [tx for tx in chain.ready_transactions(draft.gas_left) if tx.hash not in taken]
        chunk = run(chain, draft, ready)
        trial = {**drafts, cid: chunk.draft}
        refused = {}
        if guard is not None:
            for tx, receipt in zip(chunk.applied, chunk.receipts, strict=True):
                why = refusal(receipt, guard, trial, ctx.members)
                if why is not None:
                    refused[tx.hash] = (tx, why)
        if not refused:
            drafts[cid] = chunk.draft
            return tuple(tx for tx, _ in chunk.rejected)
        for h, (_, why) in refused.items():  # out of the pool, then again without them
            log.warning("chain %d: dropped 0x%s: %s", cid, h.hex(), why)
        chain.pool.remove([tx for tx, _ in refused.values()])


def _final(ctx: SlotContext, draft: Draft) -> Block:
    """The draft's block built whole from the working state; it must equal the draft."""
    chain = ctx.members[draft.chain_id]
    block, rejected = chain.build(draft.txs, draft.timestamp)
    same = (
        not rejected
        and block.header.state_root == draft.root
        and block.header.gas_used == draft.gas_used
        and [r.status for r in block.receipts] == [r.status for r in draft.receipts]
    )
    if not same:
        raise SequencingError(
            f"internal error: rollup {draft.chain_id}'s block {draft.number} differs from"
            " the slot's simulation; slot not built"
        )
    return block


def append(ctx: SlotContext, plan: SlotPlan) -> None:
    """Append the plan's blocks (sources of in-slot messages first, then by chain id).  If
    one append fails, the blocks already appended are taken back and the error raised, so
    nothing of the slot stays (:func:`.realign.undo`)."""
    pools = {cid: chain.pool.copy() for cid, chain in ctx.members.items()}
    try:
        for cid in _order(plan):
            ctx.members[cid].append_block(plan.blocks[cid])
            ctx.members[cid].pool.remove(list(plan.left_out[cid]))
    except BaseException:
        undo(ctx.members, plan.number, plan.blocks, pools)
        raise
    for cid, block in plan.blocks.items():  # every source is in now
        guard = ctx.guards.get(cid)
        refused = {} if guard is None else guard.reject(block)  # remembers the dependencies
        for h, exc in refused.items():
            log.error("rollup %d: slot %d holds 0x%s: %s", cid, plan.number, h.hex(), exc)


def _order(plan: SlotPlan) -> list[int]:
    """Chain ids with each in-slot message's source before its destination where possible
    (the message indexer then sees the message before its relay); by chain id otherwise."""
    before: dict[int, set[int]] = {cid: set() for cid in plan.blocks}
    for _, relays in plan.included:
        for relay in relays:
            before[relay.chain_id].add(relay.source)
    order: list[int] = []
    while len(order) < len(before):
        left = [c for c in sorted(before) if c not in order]
        ready = [c for c in left if before[c] <= set(order)]
        order.append(ready[0] if ready else left[0])  # a cycle: chain-id order
    return order
