"""Forced inclusion: L2 transactions queued on the L1 that every sequencer must include.

Anyone may call ``ForcedInclusionQueue.forceInclude(chainId, rawTx)`` on the L1; the queue
logs ``TransactionForced(chainId, index, from, rawTx)``.  A forced transaction queued in L1
block ``q`` is *due* at L1 origin ``o`` when ``q + window <= o`` (``window``:
``sequencing.forced_inclusion_window`` L1 blocks).

**The rule** (sequencer and derivation both compute it here, through
:func:`~crossroll.rollup.origin.block_deposits`): an L2 block with L1 origin ``o`` has,
right after its deposits, every forced transaction due at ``o`` that its parent did not
consume, in queue order; the block consumes them all.  Each is first checked against the
state the block is built on (its parent's) and the block's base fee (:mod:`.forcedcheck`):
it must decode for this chain, not access-list the ``CrossL2Inbox`` (like a deposit, it
bypasses the sequencer's fast-path check, so it may not execute messages), declare no more
gas than a block holds after the L1-info deposit, have the account's nonce (counting the
sender's forced transactions placed before it in the block), a fee cap at or above the base
fee, pass the pool's stateless checks (intrinsic gas, tip cap not above fee cap, initcode
size), and have a balance that covers gas x fee cap + value (minus what the sender's
earlier placed ones may spend, at the same rate).
One that fails is consumed and left out *without taking room*, so entries that can never
run cannot push the ones behind them to later blocks.  The rest take gas greedily after the
deposits: the first that does not fit waits, with the ones after it, for the next block.  A
placed one may still fail when it runs (a deposit of the same block used its nonce or
funds): it is left out there, the same way everywhere, since all re-execute the block.  Two
copies of one transaction due together: the second fails the nonce check.  What a block
consumed is the ``forced`` cursor of its :class:`~crossroll.rollup.origin.BlockOrigin` (L1
block, log index of the last queue log consumed), recovered from the chain as the deposit
cursor is.

**Derivation and the batch.**  The batcher posts every non-deposit transaction of a block,
so a forced transaction the prefix placed is also in the batch.  A :class:`Verifier` builds
``[deposits][due forced][batch]`` with every forced hash *optional* (left out where it does
not apply): a forced transaction that applied in the prefix fails as the batch's copy (its
nonce is used) and is left out there, so nothing runs twice; one the prefix could not place
but the sequencer included later in the block (funded by an earlier transaction) applies
there, as in the sequencer's block.  :class:`SafeHeadTracker` re-executes the prefix only
(:func:`applied_forced`) and expects ``deposits + applied forced + batch minus those``: a
sequencer that left out a forced transaction that applies never gets that block safe, and a
verifier's chain holds the transaction (derivation included it itself).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from eth_hash.auto import keccak

from ..abc import L1ViewAPI
from ..errors import ConfigError
from ..types import Address, Block, BlockEnv, Hash32, Transaction
from .forcedcheck import ForcedContext, Precheck
from .origin import END, Cursor, logs_after

#: ``ForcedInclusionQueue``'s function and event.
FORCE_INCLUDE = "forceInclude(uint256,bytes)"
TRANSACTION_FORCED_TOPIC = keccak(b"TransactionForced(uint256,uint256,address,bytes)")
#: The queue's ``MAX_TX_SIZE``: the L2's transaction size limit (128 KiB).
MAX_FORCED_SIZE = 131072

#: Signed raw transaction -> decoded transaction (the L2 engine's decoder: it checks type,
#: size, signature and chain id, and raises on anything else).
Decoder = Callable[[bytes], Transaction]


@dataclass(frozen=True, slots=True)
class QueuedTransaction:
    """One ``TransactionForced`` log."""

    chain_id: int
    index: int  # position in the chain's queue
    sender: Address  # who queued it on the L1 (not necessarily the L2 signer)
    raw: bytes
    l1_block: int  # queued in
    position: Cursor  # (L1 block, log index)

    @property
    def hash(self) -> Hash32:
        return keccak(self.raw)


@dataclass(frozen=True, slots=True)
class ForcedInclusion:
    """Where a rollup's forced transactions are queued, how long they may wait, and how its
    engine decodes them (``decode`` None: :meth:`bound` to a chain before use)."""

    queue: Address
    chain_id: int
    window: int
    decode: Decoder | None = None

    def bound(self, chain: Any) -> ForcedInclusion:
        """This, decoding with ``chain``'s engine unless a decoder is set."""
        if self.decode is not None:
            return self
        return replace(self, decode=chain.engine.decode_transaction)

    def queued(self, l1: L1ViewAPI, after: Cursor, up_to: int) -> list[QueuedTransaction]:
        """The chain's queue entries after ``after`` in L1 blocks up to ``up_to``."""
        topics = ((TRANSACTION_FORCED_TOPIC,), (self.chain_id.to_bytes(32, "big"),))
        return [
            _queued(self.chain_id, entry.topics, entry.data, position)
            for position, entry in logs_after(l1, self.queue, topics, after, up_to)
            if len(entry.topics) == 4
        ]

    def due(self, l1: L1ViewAPI, after: Cursor, origin_number: int) -> list[QueuedTransaction]:
        """Entries after ``after`` due at L1 origin ``origin_number``."""
        return self.queued(l1, after, origin_number - self.window)

    def decoded(self, raw: bytes) -> Transaction | str:
        """The transaction, or why it does not decode."""
        if self.decode is None:
            raise ConfigError("forced inclusion without a transaction decoder")
        try:
            return self.decode(raw)
        except Exception as exc:  # crossroll's rejections and py-evm's own errors alike
            return getattr(exc, "message", None) or str(exc) or type(exc).__name__

    def take(
        self,
        l1: L1ViewAPI,
        after: Cursor,
        origin_number: int,
        room: int,
        most: int,
        context: ForcedContext,
    ) -> tuple[list[Transaction], Cursor]:
        """The due forced transactions a block with L1 origin ``origin_number``, built as
        ``context`` says, places within ``room`` gas (``most``: the room of a block with no
        user deposits), and the cursor after what it consumes (see the module notes)."""
        placed = self.place(self.due(l1, after, origin_number), room, most, context)
        cursor = after if placed.last is None else placed.last
        if not placed.full:
            cursor = max(cursor, (origin_number - self.window, END))
        return list(placed.taken), cursor

    def place(
        self, entries: Sequence[QueuedTransaction], room: int, most: int, context: ForcedContext
    ) -> Placement:
        """Check due ``entries`` (in queue order) as the rule does and place those that
        pass within ``room`` gas, greedily."""
        taken: list[Transaction] = []
        left_out: dict[Hash32, str] = {}
        ledger = Precheck(context)
        last: Cursor | None = None
        for entry in entries:
            tx = self.decoded(entry.raw)
            why = ledger.refusal(tx, most)
            if why is None and isinstance(tx, Transaction):
                if tx.gas > room:  # waits for the next block, with those after it
                    return Placement(tuple(taken), left_out, last, full=True)
                room -= tx.gas
                ledger.spend(tx)
                taken.append(tx)
            else:
                left_out.setdefault(entry.hash, why or "does not decode")
            last = entry.position
        return Placement(tuple(taken), left_out, last, full=False)


@dataclass(frozen=True, slots=True)
class Placement:
    """What a block does with due entries (:meth:`ForcedInclusion.place`)."""

    taken: tuple[Transaction, ...]  # placed after the deposits, in queue order
    left_out: Mapping[Hash32, str]  # consumed without taking room, and why
    last: Cursor | None  # position of the last entry consumed (None: none)
    full: bool  # stopped at one that does not fit: it and those after it wait


def _queued(
    chain_id: int, topics: Sequence[bytes], data: bytes, position: Cursor
) -> QueuedTransaction:
    # data: the ABI encoding of one `bytes`: offset word, length word, padded bytes
    offset = int.from_bytes(data[:32], "big")
    length = int.from_bytes(data[offset : offset + 32], "big")
    raw = data[offset + 32 : offset + 32 + length]
    return QueuedTransaction(
        chain_id=chain_id,
        index=int.from_bytes(topics[2], "big"),
        sender=topics[3][12:],
        raw=raw,
        l1_block=position[0],
        position=position,
    )


def refused(
    l2: Any, parent: Block, prefix: Sequence[Transaction], timestamp: int
) -> dict[Hash32, str]:
    """Execute a block's prefix (deposits, then forced transactions) on ``parent`` of
    chain ``l2`` and return the transactions it refuses, with why.  Changes nothing."""
    env = BlockEnv(timestamp, l2.config.coinbase)
    _, rejected = l2.engine.build_block(parent.header, parent.header.state_root, list(prefix), env)
    return {tx.hash: str(exc) for tx, exc in rejected}


def applied_forced(
    l2: Any, parent: Block, prefix: Sequence[Transaction], timestamp: int
) -> list[Hash32]:
    """Hashes of the forced transactions of ``prefix`` that apply (in order)."""
    forced = [tx.hash for tx in prefix if not tx.is_deposit]
    if not forced:
        return []
    out = refused(l2, parent, prefix, timestamp)
    return [h for h in forced if h not in out]


def expected_hashes(
    l2: Any, parent: Block, prefix: Sequence[Transaction], timestamp: int, batch: Sequence[bytes]
) -> list[Hash32]:
    """The transaction hashes of the block derivation makes of ``prefix`` and the batch's
    raw transactions: deposits, the forced ones that apply, the batch without those."""
    applied = applied_forced(l2, parent, prefix, timestamp)
    placed = set(applied)
    rest = [h for h in map(keccak, batch) if h not in placed]
    return [*(tx.hash for tx in prefix if tx.is_deposit), *applied, *rest]
