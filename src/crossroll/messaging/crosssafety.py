"""Cross-safety: a rollup block is only as safe as the source blocks its executing messages
rely on, and a block whose messages became invalid is replaced.

OP interop's levels (specs/interop/verifier.md) over crossroll's rollup heads:

* **cross-unsafe** blocks (above the cross-safe head) execute messages from source blocks
  that are not safe yet; the batcher holds them back (:meth:`CrossSafety.batch_limit`), so
  what reaches the L1 never depends on a block that can still be reorged;
* the **safe** head of a rollup is the highest derived block whose dependencies are all safe
  on their own chains, transitively (:meth:`CrossSafety.cross_safe`, a fixpoint over the
  dependency graph, so cycles between chains resolve as in OP);
* after a source chain reorgs (an injected reorg, or ``evm_revert``), every cross-unsafe block
  is checked again (:meth:`CrossSafety.revalidate`); the first one with a message that no
  longer matches a log is replaced by a deposits-only block (:mod:`.reorg`), which may in turn
  invalidate blocks on other chains, until nothing changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from typing import Any

from ..abc import SchedulerAPI, ServiceAPI, TimerAPI
from ..errors import InteropRejected, UnknownBlock
from ..types import Block
from .fastpath import Dependency, InteropGuard, executing_messages
from .reorg import Replacement, replace_blocks

log = logging.getLogger(__name__)


class CrossSafety(ServiceAPI):
    """The cross-safety of a set of rollups.  ``guards``: each rollup's fast-path guard
    (it knows each built block's dependencies); ``local_safe``: each rollup's derived safe
    head; ``batched``: each rollup's highest block on L1 or in flight (reorgs stop above).
    As a service it revalidates after every reorg it sees (:meth:`watch`)."""

    def __init__(
        self,
        guards: Mapping[int, InteropGuard],
        local_safe: Mapping[int, Callable[[], int]],
        batched: Mapping[int, Callable[[], int]] | None = None,
        scheduler: SchedulerAPI | None = None,
    ) -> None:
        self.name = "cross-safety"
        self.scheduler = scheduler
        self._unwatch: Callable[[], None] | None = None
        self.guards = guards
        self.chains: dict[int, Any] = {cid: g.sources[cid] for cid, g in guards.items()}
        self.local_safe = local_safe
        self.batched = batched or {}
        #: Every block at or below it is cross-safe for good (safe sources do not reorg).
        self._floor: dict[int, int] = dict.fromkeys(guards, 0)
        self.replacements: list[Replacement] = []

    # ------------------------------------------------------------- heads
    def _deps(self, chain_id: int, number: int) -> list[Dependency]:
        return self.guards[chain_id].dependencies(self.chains[chain_id].block(number))

    def _bounds(self, start: Mapping[int, int], limit: Mapping[int, int]) -> dict[int, int]:
        """For each chain, the highest block ≤ ``start`` whose blocks above the floor have
        every dependency on a canonical source block at or below both the source's bound
        and its ``limit``."""
        bound = dict(start)
        changed = True
        while changed:
            changed = False
            for cid in bound:
                for number in range(self._floor[cid] + 1, bound[cid] + 1):
                    if not self._satisfied(cid, number, bound, limit):
                        bound[cid] = number - 1
                        changed = True
                        break
        return bound

    def _satisfied(
        self, cid: int, number: int, bound: Mapping[int, int], limit: Mapping[int, int]
    ) -> bool:
        for dep in self._deps(cid, number):
            if dep.chain_id == cid:
                if dep.block_number > number:
                    return False
                continue
            source = self.chains.get(dep.chain_id)
            if source is None or dep.block_number > min(
                bound.get(dep.chain_id, -1), limit.get(dep.chain_id, -1)
            ):
                return False
            try:
                if source.block(dep.block_number).hash != dep.block_hash:
                    return False
            except UnknownBlock:
                return False
        return True

    def cross_safe(self) -> dict[int, int]:
        """Every rollup's cross-safe head (and the floors move up to them)."""
        local = {cid: min(f(), self.chains[cid].head().number) for cid, f in self._locals()}
        bounds = self._bounds(local, local)
        for cid, value in bounds.items():
            self._floor[cid] = max(self._floor[cid], value)
        return bounds

    def safe(self, chain_id: int) -> int:
        return self.cross_safe()[chain_id]

    def batch_limit(self, chain_id: int, together: Collection[int] = ()) -> int:
        """The highest block of ``chain_id`` the batcher may post: every dependency below
        it is on a block already safe on its own chain, or on a block of a rollup in
        ``together`` (posted in the same L1 transactions: a shared batch) at most as high."""
        local = {cid: min(f(), self.chains[cid].head().number) for cid, f in self._locals()}
        group = {chain_id, *together}
        start = {
            cid: (c.head().number if cid in group else local[cid]) for cid, c in self.chains.items()
        }
        # a shared batch's members are posted together: their heads bound each other
        return self._bounds(start, start if together else local)[chain_id]

    def _locals(self) -> list[tuple[int, Callable[[], int]]]:
        return [(cid, self.local_safe.get(cid, lambda: 0)) for cid in self.chains]

    async def start(self) -> None:
        if self._unwatch is None and self.scheduler is not None:
            self._unwatch = self.watch(self.scheduler)

    async def stop(self) -> None:
        unwatch, self._unwatch = self._unwatch, None
        if unwatch is not None:
            unwatch()

    # -------------------------------------------------------- replacement
    def watch(self, scheduler: SchedulerAPI) -> Callable[[], None]:
        """Revalidate (on the clock, at once) whenever a chain's new block does not build
        on the head it had: a reorg or an ``evm_revert``.  Returns an unsubscribe."""
        heads = {cid: chain.head().hash for cid, chain in self.chains.items()}
        due: list[TimerAPI] = []

        def run() -> None:
            due.clear()
            self.revalidate()

        def on_block(cid: int, block: Block) -> None:
            moved_back = block.header.parent_hash != heads[cid]
            heads[cid] = block.hash
            if moved_back and not due:
                due.append(scheduler.call_later(0, run))

        stops = [
            chain.on_block(lambda block, cid=cid: on_block(cid, block))
            for cid, chain in self.chains.items()
        ]

        def stop() -> None:
            for unsubscribe in stops:
                unsubscribe()
            for timer in due:
                timer.cancel()

        return stop

    def revalidate(self) -> list[Replacement]:
        """Check every cross-unsafe block again; replace invalid ones (see the module
        notes).  Returns what was replaced, in order."""
        done: list[Replacement] = []
        while True:
            found = self._first_invalid()
            if found is None:
                break
            cid, number, reason = found
            log.warning(
                "rollup %d: block %d executes an invalid message (%s); replacing it with a"
                " deposits-only block",
                cid,
                number,
                reason,
            )
            chain = self.chains[cid]
            done.append(replace_blocks(chain, number, keep=number))
        self.replacements.extend(done)
        return done

    def _first_invalid(self) -> tuple[int, int, str] | None:
        for cid, chain in self.chains.items():
            guard = self.guards[cid]
            for number in range(self._floor[cid] + 1, chain.head().number + 1):
                block = chain.block(number)
                reason = self._invalid_reason(guard, block)
                if reason is not None:
                    return cid, number, reason
        return None

    def _invalid_reason(self, guard: InteropGuard, block: Block) -> str | None:
        deps = guard.dependencies(block)
        if all(self._still(dep) for dep in deps):
            return None
        for tx, receipt in zip(block.transactions, block.receipts, strict=True):
            if tx.is_deposit:
                continue
            for msg in executing_messages(receipt.logs):
                try:
                    guard.check(msg, block.header.timestamp)
                except InteropRejected as exc:
                    return exc.message
        return None

    def _still(self, dep: Dependency) -> bool:
        source = self.chains.get(dep.chain_id)
        try:
            return source is not None and source.block(dep.block_number).hash == dep.block_hash
        except UnknownBlock:
            return False

    def lowest_reorgable(self, chain_id: int) -> int:
        """The lowest block of ``chain_id`` an injected reorg may touch."""
        batched = self.batched.get(chain_id)
        return (batched() if batched is not None else self.local_safe[chain_id]()) + 1
