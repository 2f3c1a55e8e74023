"""The sequencer's deposit part: every L2 block starts with the L1-attributes deposit of its
L1 origin, then the portal's deposits not yet included, exactly once, in L1 log order.

The sequencer is the L2 chain's deposit source (:meth:`Chain.set_deposit_source`), so every
L2 block, however it is mined (interval timer, automine, ``evm_mine``), gets the deposit
prefix :func:`~crossroll.rollup.origin.block_deposits` computes for it, with the L1 head at
the time the block is built as its L1 origin.  Derivation calls the same function, so the
sequencer's blocks and derived blocks cannot differ in their deposits.

What each L2 block consumed (:class:`~crossroll.rollup.origin.BlockOrigin`) is recorded by
block hash: a block consumes from where its parent stopped.  After ``evm_revert`` on the L2
the head's record applies again, so deposits that were reverted out of the L2 are included
again and none twice.  Blocks the sequencer did not build (a persisted chain, explicit
deposits) get their record read back from the block itself (:meth:`recover`).

With an automine L2 and no user transactions, every L1 block sets a timer on the clock (due
at once) that mines a deposit-only L2 block if user deposits or due forced transactions are
waiting.  With ``forced`` (the L1 forced-inclusion queue, :mod:`.forced`) the due forced
transactions follow the deposits in every block.
"""

from __future__ import annotations

import logging
from typing import Any

from ..abc import L1ViewAPI, SchedulerAPI, ServiceAPI, TimerAPI
from ..chain.deposits import DepositTransaction
from ..errors import CrossrollError
from ..types import Address, Block, BlockHeader, Hash32, L1BlockInfo, Transaction
from .forced import ForcedInclusion, QueuedTransaction
from .forcedcheck import ForcedContext
from .origin import BlockOrigin, block_deposits, genesis_origin, origin_of_block, waiting_deposits

log = logging.getLogger(__name__)


class DepositSequencer(ServiceAPI):
    """Puts the L1-info deposit and the portal's deposits first in one L2 chain's blocks
    (see the module notes)."""

    def __init__(
        self,
        chain_id: int,
        portal: Address,
        l1: L1ViewAPI,
        l2: Any,
        scheduler: SchedulerAPI,
        batcher: Address,
        hub: Address | None = None,
        forced: ForcedInclusion | None = None,
    ) -> None:
        """``l2``: a chain with ``set_deposit_source`` (:class:`crossroll.chain.Chain`);
        ``batcher``: the address the L1-info deposit records as ``batcherHash``; ``hub``: the
        L1 settlement hub whose global roots the blocks carry (None: none); ``forced``: the
        L1 queue of forced transactions (None: none)."""
        self.name = f"sequencer-{chain_id}"
        self.chain_id, self.portal, self.batcher, self.hub = chain_id, portal, batcher, hub
        self.l1, self.l2, self.scheduler = l1, l2, scheduler
        self.forced = forced.bound(l2) if forced is not None else None
        self._origins: dict[Hash32, BlockOrigin] = {}
        # (parent hash, L1-info deposit hash, origin) of the block being built
        self._building: tuple[Hash32, Hash32, BlockOrigin] | None = None
        self._timers: set[TimerAPI] = set()
        self._unsubscribe: Any = None
        self._unsubscribe_l1: Any = None
        self.attach()

    # ------------------------------------------------------------- lifecycle
    def attach(self) -> None:
        """Become the L2's deposit source (done at construction; idempotent)."""
        if self._unsubscribe is None:
            if self.l2.head().header.hash not in self._origins:
                self.recover()
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

    def recover(self) -> None:
        """Forget every record and read them back from the L2 chain, genesis to head."""
        self._origins.clear()
        self._building = None
        self.origin(self.l2.head())

    # ------------------------------------------------------------------ read
    def origin(self, block: Block) -> BlockOrigin:
        """What L2 ``block`` consumed (its L1 origin, sequence number, deposit cursor)."""
        found = self._origins.get(block.header.hash)
        if found is not None:
            return found
        unknown = [block]  # walk back to a recorded block or the genesis, then forward
        while unknown[-1].number > 0 and unknown[-1].header.parent_hash not in self._origins:
            unknown.append(self.l2.block(unknown[-1].header.parent_hash))
        if unknown[-1].number == 0:
            genesis = unknown.pop()
            parent = self._origins[genesis.header.hash] = genesis_origin(self.l1)
        else:
            parent = self._origins[unknown[-1].header.parent_hash]
        for child in reversed(unknown):
            context = self._context(self.l2.block(child.header.parent_hash).header)
            parent = origin_of_block(self.l1, self.portal, parent, child, self.forced, context)
            self._origins[child.header.hash] = parent
        return parent

    def pending(self) -> list[DepositTransaction]:
        """User deposits on the L1 that the L2 head has not included yet."""
        cursor = self.origin(self.l2.head()).cursor
        return [d for _, d in waiting_deposits(self.l1, self.portal, cursor, self._l1_head())]

    def forced_pending(self) -> list[QueuedTransaction]:
        """Forced transactions due at the L1 head that the L2 head has not consumed."""
        if self.forced is None:
            return []
        return self.forced.due(self.l1, self.origin(self.l2.head()).forced, self._l1_head())

    def has_pending(self) -> bool:
        return bool(self.pending()) or bool(self.forced_pending())

    # ------------------------------------------------------------------ work
    def deposits_for(self, timestamp: int) -> list[DepositTransaction | Transaction]:
        """The deposit source: what goes first in the L2 block built on the head now."""
        head = self.l2.head()
        deposits, origin = block_deposits(
            self.l1,
            self.portal,
            self.batcher,
            self.origin(head),
            self._l1_head(),
            head.header.gas_limit,
            self.hub,
            self.forced,
            self._context(head.header, self.l2.state_root),
        )
        self._building = (head.header.hash, deposits[0].hash, origin)
        return deposits

    def tick(self) -> None:
        """Mine a deposit-only block on an L2 that mines only on demand (automine)."""
        if not getattr(self.l2, "automine", False):
            return
        try:
            if self.has_pending():
                self.l2.mine(1)
        except CrossrollError as exc:
            log.warning("%s: %s (retrying at the next tick)", self.name, exc.message)

    def _l1_head(self) -> int:
        return self.l1.head_number()

    def _context(
        self, parent: BlockHeader, state_root: Hash32 | None = None
    ) -> ForcedContext | None:
        """What the due forced transactions of the block on ``parent`` are checked against:
        the state it is built on (a new block: the working state; a recorded one: the
        parent's, the same unless ``anvil_set*`` changed the working state)."""
        if self.forced is None:
            return None
        return ForcedContext.on(self.l2, parent, state_root)

    def _on_l1_block(self, info: L1BlockInfo) -> None:
        if not getattr(self.l2, "automine", False):
            return  # the L2's own blocks take the deposits

        def fire() -> None:
            self._timers.discard(timer)
            self.tick()

        timer = self.scheduler.call_later(0, fire)
        self._timers.add(timer)

    def _on_block(self, block: Block) -> None:
        building, self._building = self._building, None
        txs = block.transactions
        if (
            building is not None
            and building[0] == block.header.parent_hash
            and txs
            and txs[0].hash == building[1]
        ):
            self._origins[block.header.hash] = building[2]
        else:  # mined without consulting the source (explicit deposits)
            self.origin(block)
