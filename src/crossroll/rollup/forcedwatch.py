"""The honest sequencer's side of forced inclusion, and where each forced transaction stands.

:class:`ForcedWatcher` reads the L1 queue (:mod:`.forced`) at every L1 block and sends each
new forced transaction for its rollup to the L2 pool at once, so an honest sequencer
includes it in its next block, long before the deadline; unless its signer is censored
(``Chain.censored``), in which case only the deadline rule gets it in.  Pool errors (a used
nonce, no funds) are logged and ignored: the deadline rule decides.  It also records why a
block consumed a forced transaction without including it, and answers
``crossroll_getForcedTransactions`` (:meth:`ForcedWatcher.statuses`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..abc import L1ViewAPI, SchedulerAPI, ServiceAPI, TimerAPI
from ..errors import CrossrollError
from ..types import Address, Block, Hash32, Transaction
from .forced import ForcedInclusion, QueuedTransaction, refused
from .forcedcheck import ForcedContext
from .origin import START, BlockOrigin, Cursor

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ForcedStatus:
    """One queued forced transaction as the rollup's head sees it."""

    index: int
    tx_hash: Hash32
    signer: Address | None  # the L2 sender (None: it does not decode)
    queued_by: Address  # the L1 account that queued it
    queued_at: int  # L1 block
    deadline: int  # L1 origin from which every block must hold it
    status: str  # queued | included | skipped | overdue
    l2_block: int | None = None  # included: the L2 block holding it
    l1_origin: int | None = None  # included: that block's L1 origin
    reason: str | None = None  # skipped: why it was left out

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "txHash": "0x" + self.tx_hash.hex(),
            "from": None if self.signer is None else "0x" + self.signer.hex(),
            "queuedBy": "0x" + self.queued_by.hex(),
            "queuedL1Block": self.queued_at,
            "deadlineL1Block": self.deadline,
            "status": self.status,
        }
        if self.l2_block is not None:
            out |= {"l2Block": self.l2_block, "l1Origin": self.l1_origin}
        if self.reason is not None:
            out["reason"] = self.reason
        return out


class ForcedWatcher(ServiceAPI):
    """Offers forced transactions to one rollup's pool and reports their status."""

    def __init__(
        self,
        chain_id: int,
        l1: L1ViewAPI,
        l2: Any,
        scheduler: SchedulerAPI,
        forced: ForcedInclusion,
        origin: Callable[[Block], BlockOrigin],
        *,
        offer: bool = True,
    ) -> None:
        """``origin``: what an L2 block consumed (the deposit sequencer's
        :meth:`~crossroll.rollup.sequencer.DepositSequencer.origin`); ``offer``: send new
        forced transactions to the pool (False: only report)."""
        self.name = f"forced-watcher-{chain_id}"
        self.chain_id, self.l1, self.l2, self.scheduler = chain_id, l1, l2, scheduler
        self.forced, self.origin, self.offer = forced.bound(l2), origin, offer
        self._seen: Cursor = START
        self._reasons: dict[Hash32, str] = {}
        self._soon: TimerAPI | None = None
        self._unsubscribe: list[Callable[[], None]] = []

    async def start(self) -> None:
        if not self._unsubscribe:
            self._unsubscribe = [
                self.l1.on_block(lambda _: self._wake()),
                self.l2.on_block(self._on_l2_block),
            ]
            self.tick()

    async def stop(self) -> None:
        if self._soon is not None:
            self._soon.cancel()
            self._soon = None
        unsubscribe, self._unsubscribe = self._unsubscribe, []
        for undo in unsubscribe:
            undo()

    def _wake(self) -> None:
        # after the action that mined the L1 block, not inside its listeners
        if self._soon is None:

            def fire() -> None:
                self._soon = None
                self.tick()

            self._soon = self.scheduler.call_later(0, fire)

    def tick(self) -> None:
        """Offer the forced transactions queued since the last tick."""
        for entry in self.forced.queued(self.l1, self._seen, self.l1.head_number()):
            self._seen = entry.position
            if self.offer:
                self._send(entry)

    def _send(self, entry: QueuedTransaction) -> None:
        tx = self.forced.decoded(entry.raw)
        if not isinstance(tx, Transaction):
            log.info("%s: forced #%d does not decode: %s", self.name, entry.index, tx)
        elif tx.sender in getattr(self.l2, "censored", ()):
            log.info("%s: forced #%d is from a censored account", self.name, entry.index)
        else:
            try:
                self.l2.send_raw_transaction(entry.raw)
            except CrossrollError as exc:
                log.info("%s: forced #%d not pooled: %s", self.name, entry.index, exc.message)

    def _on_l2_block(self, block: Block) -> None:
        """Note why the block left out forced transactions it consumed."""
        if block.number == 0:
            return
        parent = self.l2.block(block.header.parent_hash)
        before, after = self.origin(parent).forced, self.origin(block).forced
        if after <= before:
            return
        consumed = [e for e in self.forced.queued(self.l1, before, after[0]) if e.position <= after]
        held = {tx.hash for tx in block.transactions}
        missing = [e for e in consumed if e.hash not in held]
        if not missing:
            return
        # the rule again, on what the block was built on: why each was left out
        deposits = [tx for tx in block.transactions if tx.is_deposit]
        room = block.header.gas_limit - sum(tx.gas for tx in deposits)
        most = block.header.gas_limit - block.transactions[0].gas
        context = ForcedContext.on(self.l2, parent.header)
        placed = self.forced.place(consumed, room, most, context)
        taken = {tx.hash for tx in placed.taken}
        ran = {}  # run only when a placed one is missing
        if any(e.hash in taken for e in missing):
            ran = refused(self.l2, parent, [*deposits, *placed.taken], block.header.timestamp)
        for entry in missing:
            reason = placed.left_out.get(entry.hash) if entry.hash not in taken else None
            if reason is None:  # placed: failed when it ran, or a sequencer broke the rule
                reason = ran.get(entry.hash, "left out by the sequencer although it applies")
            self._reasons[entry.hash] = reason

    # ------------------------------------------------------------------ read
    def statuses(self) -> list[ForcedStatus]:
        """Every forced transaction queued for the rollup, in queue order."""
        l1_head = self.l1.head_number()
        consumed_to = self.origin(self.l2.head()).forced
        out = []
        for entry in self.forced.queued(self.l1, START, l1_head):
            tx = self.forced.decoded(entry.raw)
            signer = tx.sender if isinstance(tx, Transaction) else None
            deadline = entry.l1_block + self.forced.window
            base = (entry.index, entry.hash, signer, entry.sender, entry.l1_block, deadline)
            receipt = self.l2.receipt(entry.hash)
            if receipt is not None:
                origin = self.origin(self.l2.block(receipt.block_number)).l1.number
                out.append(ForcedStatus(*base, "included", receipt.block_number, origin))
            elif entry.position <= consumed_to:
                reason = self._reasons.get(entry.hash)
                if reason is None:
                    reason = f"does not decode: {tx}" if signer is None else "did not apply"
                out.append(ForcedStatus(*base, "skipped", reason=reason))
            else:
                out.append(ForcedStatus(*base, "overdue" if l1_head >= deadline else "queued"))
        return out
