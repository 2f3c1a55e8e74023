"""The sequencer's deposit part: every portal deposit on the L1 goes first into the next L2
block, exactly once, in L1 log order.

The sequencer is the L2 chain's deposit source (:meth:`Chain.set_deposit_source`), so every
L2 block, however it is mined (interval timer, automine, ``evm_mine``), starts with the
``TransactionDeposited`` logs of the rollup's portal from L1 blocks up to the L1 head at the
time the block is built (its L1 origin) that earlier L2 blocks have not consumed.

How far the L1 has been consumed is recorded per L2 block (by hash): a block consumes
from where its parent stopped.  After ``evm_revert`` on the L2 the head's record applies
again, so deposits that were reverted out of the L2 are included again and none twice.
Deposits that do not fit in one block's gas wait for the next one.

With an automine L2 and no user transactions, every L1 block sets a timer on the clock (due
at once) that mines a deposit-only L2 block if deposits are waiting.
"""

from __future__ import annotations

import logging
from typing import Any

from ..abc import ChainAPI, SchedulerAPI, ServiceAPI, TimerAPI
from ..chain.deposits import TRANSACTION_DEPOSITED_TOPIC, DepositTransaction, deposit_from_log
from ..errors import CrossrollError
from ..types import Address, Block, Hash32, LogFilter

log = logging.getLogger(__name__)

#: (L1 block number, log index) of the last consumed deposit log; everything at or before
#: it is in the L2.  ``(n, END)``: every log of L1 blocks up to n.
Cursor = tuple[int, int]
END = 2**63
START: Cursor = (-1, END)


class DepositSequencer(ServiceAPI):
    """Feeds the portal's deposits into one L2 chain (see the module notes)."""

    def __init__(
        self,
        chain_id: int,
        portal: Address,
        l1: ChainAPI,
        l2: Any,
        scheduler: SchedulerAPI,
    ) -> None:
        """``l2``: a chain with ``set_deposit_source`` (:class:`crossroll.chain.Chain`)."""
        self.name = f"sequencer-{chain_id}"
        self.chain_id, self.portal = chain_id, portal
        self.l1, self.l2, self.scheduler = l1, l2, scheduler
        self._consumed: dict[Hash32, Cursor] = {}
        self._building: tuple[Hash32, Cursor] | None = None
        self._timers: set[TimerAPI] = set()
        self._unsubscribe: Any = None
        self._unsubscribe_l1: Any = None
        self.attach()

    # ------------------------------------------------------------- lifecycle
    def attach(self) -> None:
        """Become the L2's deposit source (done at construction; idempotent)."""
        if self._unsubscribe is None:
            self.l2.set_deposit_source(self.deposits_for)
            self._unsubscribe = self.l2.on_block(self._on_block)

    def detach(self) -> None:
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()
            self.l2.set_deposit_source(None)

    async def start(self) -> None:
        self.attach()
        if self._unsubscribe_l1 is None:
            self._unsubscribe_l1 = self.l1.on_block(self._on_l1_block)

    async def stop(self) -> None:
        unsubscribe, self._unsubscribe_l1 = self._unsubscribe_l1, None
        if unsubscribe is not None:
            unsubscribe()
        for timer in list(self._timers):
            timer.cancel()
        self._timers.clear()
        self.detach()

    # ------------------------------------------------------------------ read
    def consumed(self, block: Block | None = None) -> Cursor:
        """How far the L1 is consumed as of L2 ``block`` (default: the head)."""
        block = block if block is not None else self.l2.head()
        return self._consumed.get(block.header.hash, START)

    def pending(self) -> list[DepositTransaction]:
        """Deposits on the L1 that the L2 head has not included yet."""
        return [deposit for _, deposit in self._waiting(self.consumed())]

    # ------------------------------------------------------------------ work
    def deposits_for(self, timestamp: int) -> list[DepositTransaction]:
        """The deposit source: what goes first in the L2 block built on the head now."""
        head = self.l2.head()
        cursor = self.consumed(head)
        room = head.header.gas_limit
        chosen: list[DepositTransaction] = []
        waiting = self._waiting(cursor)
        for position, deposit in waiting:
            if deposit.gas > room:
                break
            room -= deposit.gas
            chosen.append(deposit)
            cursor = position
        if len(chosen) == len(waiting):
            cursor = max(cursor, (self.l1.head().number, END))
        self._building = (head.header.hash, cursor)
        return chosen

    def tick(self) -> None:
        """Mine a deposit-only block on an L2 that mines only on demand (automine)."""
        if not getattr(self.l2, "automine", False):
            return
        try:
            if self._waiting(self.consumed()):
                self.l2.mine(1)
        except CrossrollError as exc:
            log.warning("%s: %s (retrying at the next tick)", self.name, exc.message)

    def _on_l1_block(self, block: Block) -> None:
        if not getattr(self.l2, "automine", False):
            return  # the L2's own blocks take the deposits

        def fire() -> None:
            self._timers.discard(timer)
            self.tick()

        timer = self.scheduler.call_later(0, fire)
        self._timers.add(timer)

    def _on_block(self, block: Block) -> None:
        parent = block.header.parent_hash
        building, self._building = self._building, None
        if building is not None and building[0] == parent:
            self._consumed[block.header.hash] = building[1]
        else:  # mined without consulting the source (explicit deposits)
            self._consumed[block.header.hash] = self._consumed.get(parent, START)

    def _waiting(self, cursor: Cursor) -> list[tuple[Cursor, DepositTransaction]]:
        head = self.l1.head().number
        first = max(cursor[0] + (1 if cursor[1] == END else 0), 0)
        if first > head:
            return []
        flt = LogFilter(
            from_block=first,
            to_block=head,
            addresses=(self.portal,),
            topics=((TRANSACTION_DEPOSITED_TOPIC,),),
        )
        out = []
        for entry in self.l1.logs(flt):
            position = (entry.block_number, entry.log_index)
            if position > cursor and not entry.removed:
                out.append((position, deposit_from_log(entry)))
        return out
