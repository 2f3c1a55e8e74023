"""Derivation: the rollup's L2 chain rebuilt from L1 data alone.

L1 blocks are read in order through :class:`~crossroll.abc.L1ViewAPI`.  From each, the
transactions to the rollup's batch inbox *sent by its registered batcher* are taken (others
are ignored and counted), as calldata or, for type-3 transactions, the blobs they commit to
(a shared rollup's payloads are envelopes of several rollups' data: it reads its own entry);
their frames are reassembled into channels (:class:`~crossroll.da.ChannelReader`, which drops
corrupt, truncated or timed-out channels with a reason and carries on), and each channel's
batches give L2 blocks.  A block is accepted only if it extends the derived head (next
number, parent hash), its L1 origin is not before its parent's nor after the L1 block its
batch landed in, and its timestamp is not before its parent's.  Its deposits are not in the
batch: they are rebuilt from L1 (:func:`~crossroll.rollup.sequencer.block_deposits`, the very
function the sequencer builds blocks with), so a sequencer cannot leave one out; nor a due
forced transaction from the L1 queue, which follows them (:mod:`.forced` says how the batch's
copy of it is handled).

Two kinds of node apply the derived blocks:

* :class:`SafeHeadTracker`, in the sequencer's own node, checks each derived block against
  the block the sequencer built (same parent, timestamp and transaction hashes, hence the
  same block) and moves the rollup's ``safe`` head; a mismatch stops it with an error.
* :class:`Verifier` builds the blocks on its own chain from the same genesis
  (:meth:`crossroll.chain.Chain.import_block`), so its state roots can be compared with the
  sequencer's at every safe block.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..abc import L1ViewAPI, SchedulerAPI, ServiceAPI, TimerAPI
from ..errors import CrossrollError, DataError, DerivationError
from ..types import Address, Block, Hash32, L1BlockInfo, Transaction
from .forced import ForcedInclusion, expected_hashes
from .forcedcheck import ForcedContext
from .origin import BlockOrigin, block_deposits, genesis_origin

if TYPE_CHECKING:
    from ..da import L2BlockData

log = logging.getLogger(__name__)

#: Seconds between two checks of the L1 when no L1 block announced itself.
DEFAULT_INTERVAL = 12.0
#: Most L1 blocks read in one tick (the rest at the next one).
MAX_L1_BLOCKS_PER_TICK = 4096


@dataclass(frozen=True, slots=True)
class DerivedBlock:
    """One L2 block as derivation accepted it."""

    number: int
    hash: Hash32
    timestamp: int
    l1_inclusion: int  # L1 block whose batcher data completed its channel
    origin: BlockOrigin


@dataclass(slots=True)
class Counters:
    """What derivation has seen, for operators and tests."""

    l1_blocks: int = 0
    batcher_transactions: int = 0
    ignored_transactions: int = 0  # to the inbox, not from the registered batcher
    dropped_frames: int = 0
    dropped_blocks: int = 0
    derived_blocks: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "l1Blocks": self.l1_blocks,
            "batcherTransactions": self.batcher_transactions,
            "ignoredTransactions": self.ignored_transactions,
            "droppedFrames": self.dropped_frames,
            "droppedBlocks": self.dropped_blocks,
            "derivedBlocks": self.derived_blocks,
        }


class Derivation(ServiceAPI):
    """The pipeline (see the module notes); subclasses apply the derived blocks."""

    def __init__(
        self,
        chain_id: int,
        l1: L1ViewAPI,
        l2: Any,
        scheduler: SchedulerAPI,
        *,
        portal: Address,
        inbox: Address,
        batcher: Address,
        hub: Address | None = None,
        interval: float = DEFAULT_INTERVAL,
        namespace: int | None = None,
        forced: ForcedInclusion | None = None,
    ) -> None:
        """``l2``: the :class:`~crossroll.chain.Chain` the derived blocks are applied to;
        ``hub``: the L1 settlement hub whose global roots the blocks carry (None: none);
        ``namespace``: a shared rollup's chain id: the inbox carries shared-batch envelopes
        (:mod:`crossroll.da.namespace`) and only that chain's entries are read; ``forced``: the
        L1 queue of forced transactions (:mod:`.forced`; None: none)."""
        from ..da import ChannelReader

        self.chain_id, self.l1, self.l2, self.scheduler = chain_id, l1, l2, scheduler
        self.portal, self.inbox, self.batcher, self.hub = portal, inbox, batcher, hub
        self.interval, self.namespace = interval, namespace
        self.forced = forced.bound(l2) if forced is not None else None
        self.reader = ChannelReader()
        self.counters = Counters()
        self.last_error: CrossrollError | None = None
        genesis = l2.block(0)
        self.blocks: list[DerivedBlock] = [
            DerivedBlock(0, genesis.hash, genesis.header.timestamp, 0, genesis_origin(l1))
        ]
        self.next_l1 = 0  # next L1 block to read
        self._l1_hashes: dict[int, Hash32] = {}
        self._timer: TimerAPI | None = None
        self._soon: TimerAPI | None = None
        self._unsubscribe: Any = None

    # ------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        if self._timer is None:
            self._timer = self.scheduler.every(self.interval, self.tick, idle=self.idle)
            self._unsubscribe = self.l1.on_block(lambda _info: self._wake())
            self.tick()

    async def stop(self) -> None:
        for timer in (self._timer, self._soon):
            if timer is not None:
                timer.cancel()
        self._timer = self._soon = None
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()

    def _wake(self) -> None:
        """An L1 block arrived: derive at once (after the action that mined it)."""
        if self._soon is None and self._timer is not None:

            def fire() -> None:
                self._soon = None
                self.tick()

            self._soon = self.scheduler.call_later(0, fire)

    def idle(self) -> bool:
        return self.next_l1 > self.l1.head_number()

    # ------------------------------------------------------------------ read
    @property
    def head(self) -> DerivedBlock:
        """The newest derived block (the safe head)."""
        return self.blocks[-1]

    def derived(self, number: int) -> DerivedBlock | None:
        return self.blocks[number] if 0 <= number < len(self.blocks) else None

    # ------------------------------------------------------------------ work
    def tick(self) -> None:
        try:
            last = min(self.l1.head_number(), self.next_l1 + MAX_L1_BLOCKS_PER_TICK - 1)
            while self.next_l1 <= last:
                self._read_l1_block(self.next_l1)
                self.next_l1 += 1
            self.last_error = None
        except CrossrollError as exc:
            self.last_error = exc
            log.warning("derivation-%s: %s", self.chain_id, exc.message)

    def _follow(self, number: int) -> L1BlockInfo:
        """L1 block ``number``, which must extend the last one read."""
        info = self.l1.info(number)
        if number > 0 and self._l1_hashes.get(number - 1, info.parent_hash) != info.parent_hash:
            raise DerivationError(
                f"the L1 reorganised below block {number}; restart the node to re-derive"
            )
        self._l1_hashes[number] = info.hash
        self.counters.l1_blocks += 1
        return info

    def _read_l1_block(self, number: int) -> None:
        self._follow(number)
        for tx in self.l1.inbox_transactions(number, self.inbox):
            if tx.sender != self.batcher:
                self.counters.ignored_transactions += 1
                log.info("ignored inbox transaction 0x%s: not from the batcher", tx.hash.hex())
                continue
            self.counters.batcher_transactions += 1
            for payload in self._payloads(number, tx.data, tx.blob_hashes):
                for data in self._entries(payload):
                    received = self.reader.add(data, number)
                    self.counters.dropped_frames += len(received.dropped)
                    for batch in received.batches:
                        self._apply_batch(batch.blocks, number)

    def _payloads(self, number: int, data: bytes, blob_hashes: Sequence[Hash32]) -> list[bytes]:
        if not blob_hashes:
            return [data]
        from ..da import decode_blob

        try:
            blobs = self.l1.blobs(number, blob_hashes)
        except DataError as exc:
            log.warning("derivation-%s: blobs of L1 block %d: %s", self.chain_id, number, exc)
            return []
        out = []
        for blob in blobs:
            try:
                out.append(decode_blob(blob))
            except DataError as exc:
                self.counters.dropped_frames += 1
                log.info("derivation-%s: blob does not decode: %s", self.chain_id, exc.message)
        return out

    def _entries(self, payload: bytes) -> list[bytes]:
        """The batcher data in one payload: all of it, or this chain's envelope entries."""
        if self.namespace is None:
            return [payload]
        from ..da import decode_envelope

        try:
            entries = decode_envelope(payload)
        except DataError as exc:
            self.counters.dropped_frames += 1
            log.info("derivation-%s: envelope dropped: %s", self.chain_id, exc.message)
            return []
        return [e.data for e in entries if e.chain_id == self.namespace]

    def _apply_batch(self, blocks: Sequence[L2BlockData], l1_block: int) -> None:
        for position, data in enumerate(blocks):
            parent = self.head
            if data.number <= parent.number:
                continue  # derived already (a batch posted twice)
            reason = self._invalid(data, parent, l1_block)
            if reason is None:
                try:
                    deposits, origin = self.prefix(parent, data.l1_origin)
                    block = self.apply(data, deposits)
                except CrossrollError as exc:
                    reason = exc.message
            if reason is not None:
                self.counters.dropped_blocks += len(blocks) - position
                log.info(
                    "derivation-%s: dropped L2 block %d and the rest of its batch: %s",
                    self.chain_id,
                    data.number,
                    reason,
                )
                return
            self.blocks.append(
                DerivedBlock(block.number, block.hash, block.header.timestamp, l1_block, origin)
            )
            self.counters.derived_blocks += 1

    def prefix(
        self, parent: DerivedBlock, origin_number: int
    ) -> tuple[list[Transaction], BlockOrigin]:
        """The deposit prefix of the block after ``parent`` with L1 origin
        ``origin_number``, and what that block consumes (one place for every subclass).
        Forced transactions are checked against the state of the chain's block ``parent``:
        a verifier's (or based builder's) head, the sequencer's block for the tracker."""
        header = self.l2.block(parent.number).header
        deposits, origin = block_deposits(
            self.l1,
            self.portal,
            self.batcher,
            parent.origin,
            origin_number,
            header.gas_limit,
            self.hub,
            self.forced,
            None if self.forced is None else ForcedContext.on(self.l2, header),
        )
        # forced transactions (after the deposits) are Transactions already
        txs = [d if isinstance(d, Transaction) else d.to_transaction() for d in deposits]
        return txs, origin

    @staticmethod
    def _invalid(data: L2BlockData, parent: DerivedBlock, l1_block: int) -> str | None:
        if data.number != parent.number + 1:
            return f"expected L2 block {parent.number + 1}, got {data.number}"
        if data.parent_hash != parent.hash:
            return "parent hash is not the derived head's"
        if not parent.origin.l1.number <= data.l1_origin <= l1_block:
            return f"L1 origin {data.l1_origin} outside [{parent.origin.l1.number}, {l1_block}]"
        if data.timestamp < parent.timestamp:
            return "timestamp before the parent's"
        return None

    @abstractmethod
    def apply(self, data: L2BlockData, deposits: list[Transaction]) -> Block:
        """Make the block (deposits first, then the batch's transactions) part of the
        target chain, or raise a :class:`CrossrollError` saying why it cannot be."""


class SafeHeadTracker(Derivation):
    """Derivation in the sequencer's node: derived blocks are the blocks the sequencer
    built, and the derived head is the rollup's safe head."""

    def apply(self, data: L2BlockData, deposits: list[Transaction]) -> Block:
        if data.number > self.l2.head().number:
            raise DerivationError(f"the sequencer has no L2 block {data.number}")
        block: Block = self.l2.block(data.number)
        parent = self.l2.block(data.number - 1)
        wanted = expected_hashes(self.l2, parent, deposits, data.timestamp, data.transactions)
        if (
            block.header.parent_hash != data.parent_hash
            or block.header.timestamp != data.timestamp
            or [tx.hash for tx in block.transactions] != wanted
        ):
            raise DerivationError(
                f"L2 block {data.number} on L1 differs from the sequencer's block"
            )
        return block


class Verifier(Derivation):
    """Derivation in a verifier node: the blocks are built on its own chain."""

    def apply(self, data: L2BlockData, deposits: list[Transaction]) -> Block:
        if self.l2.head().number != data.number - 1:
            raise DerivationError(f"the verifier's chain is not at L2 block {data.number - 1}")
        decode = self.l2.engine.decode_transaction
        try:
            txs = [decode(raw) for raw in data.transactions]
        except CrossrollError:
            raise  # already says why
        except Exception as exc:  # py-evm's own decoding errors
            raise DerivationError(f"a batch transaction does not decode: {exc}") from exc
        # the forced transactions are optional: left out where they do not apply (.forced)
        forced = frozenset(tx.hash for tx in deposits if not tx.is_deposit)
        block: Block = self.l2.import_block([*deposits, *txs], data.timestamp, optional=forced)
        return block
