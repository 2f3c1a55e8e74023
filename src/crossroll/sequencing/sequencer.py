"""The shared sequencer: one slot every ``slot_time`` seconds across the shared rollups.

Each slot is one block on *every* shared rollup, at the same timestamp; the rollups start
aligned at genesis and get no block from anything else, so slot n is block n on each of them.
A slot is refused (logged, nothing built) while their heads differ, e.g. after an
``evm_revert`` on one of them; a slot appended on some members only (an exception or a crash
between two appends) is taken back (:mod:`.realign`).  Bundles wait in arrival order until
a slot takes them (included: every leg in that slot, all succeeded) or drops them (a failing
leg, or expired); a bundle whose ``minTimestamp`` is after the slot's timestamp waits for a
later slot.  Each built slot is signed at once (:class:`~.commitment.SlotCommitment`: the
soft commitment).

On a virtual clock, slots with no bundle to try (none pending, or all waiting for their
``minTimestamp``), no ready pool transaction and no waiting deposit on any member are
skipped, as idle interval blocks are; a one-shot timer at the time the first waiting bundle
becomes due keeps the clock from skipping past it.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping
from typing import Literal

from ..abc import OrderingPolicyAPI, SchedulerAPI
from ..chain.chain import Chain
from ..chain.fees import child_base_fee
from ..clock.periodic import PeriodicService
from ..errors import BundleNotFound, CrossrollError, SlotNotFound
from ..messaging.fastpath import InteropGuard, InteropRules
from ..rollup.sequencer import DepositSequencer
from ..types import DevAccount, Hash32
from . import slot as slots
from .admission import BundleRequest, admit
from .attempt import SlotContext
from .bundle import Bundle, BundleRecord, BundleStatus, InSlotRelay, LegPlace
from .commitment import SlotCommitment
from .policy import FirstComeFirstServed
from .realign import Posted, repair_at_start, undo
from .waiting import Wake, due_at

log = logging.getLogger(__name__)


class SharedSequencer(PeriodicService):
    """Builds the slots of the shared rollups (module notes)."""

    name = "shared-sequencer"

    def __init__(
        self,
        members: Mapping[int, Chain],
        sequencers: Mapping[int, DepositSequencer],
        scheduler: SchedulerAPI,
        *,
        key: DevAccount,
        slot_time: float,
        guards: Mapping[int, InteropGuard] | None = None,
        rules: InteropRules | None = None,
        policy: OrderingPolicyAPI | None = None,
        posted: Mapping[int, Posted] | None = None,
    ) -> None:
        """``members``: the shared rollups; ``sequencers``: their deposit sequencers (each
        block's prefix); ``guards``: their fast-path guards; ``key``: signs slots and relays;
        ``posted``: each member's highest block on (or on its way to) the L1."""
        self.ctx = SlotContext(
            dict(sorted(members.items())), dict(guards or {}), rules or InteropRules(), key
        )
        self.sequencers = dict(sequencers)
        self.scheduler, self.interval = scheduler, slot_time
        self.policy = policy or FirstComeFirstServed()
        self.records: dict[Hash32, BundleRecord] = {}
        self._pending: dict[Hash32, Bundle] = {}  # in arrival order
        self.slots: dict[int, SlotCommitment] = {}  # by slot number, in order
        self._arrivals = itertools.count()
        self._misaligned: tuple[int, ...] | None = None
        self.posted = dict(posted or {})
        self._unfinished: slots.SlotPlan | None = None  # appended in part, not taken back
        self._wake = Wake(scheduler, self._arm_wake)  # again: the members' time may go back

    @property
    def members(self) -> Mapping[int, Chain]:
        return self.ctx.members

    @property
    def pending(self) -> list[Bundle]:
        """Bundles waiting for a slot, in arrival order."""
        return list(self._pending.values())

    # -------------------------------------------------------------- bundles
    def send(self, request: BundleRequest) -> Bundle:
        """Accept a bundle for the coming slots (:mod:`.admission` says what is checked)."""
        bundle = admit(
            request,
            self.members,
            self.next_slot_timestamp(),
            known=self._known,
            received_at=self.scheduler.now(),
            seq=next(self._arrivals),
        )
        self.records[bundle.hash] = BundleRecord(bundle)
        self._pending[bundle.hash] = bundle
        self._arm_wake()
        return bundle

    def _known(self, bundle_hash: Hash32) -> bool:
        # A dropped bundle may be sent again (the state that failed it may have changed).
        record = self.records.get(bundle_hash)
        return record is not None and record.status is not BundleStatus.DROPPED

    def bundle(self, bundle_hash: Hash32) -> BundleRecord:
        record = self.records.get(bundle_hash)
        if record is None:
            raise BundleNotFound(f"bundle 0x{bundle_hash.hex()} not found")
        return record

    # ---------------------------------------------------------------- slots
    def slot(self, number: int | Literal["latest"]) -> SlotCommitment:
        soft = self.soft_slot()
        if soft is None:
            raise SlotNotFound("slot not found: no slot built yet")
        found = self.slots.get(soft if number == "latest" else number)
        if found is None:
            raise SlotNotFound(f"slot {number} not found (slots built: up to {soft})")
        return found

    def soft_slot(self) -> int | None:
        """The last slot built (None before the first)."""
        return next(reversed(self.slots), None)

    def next_timestamp(self, at: float | None = None) -> int:
        """The timestamp of a slot built at clock time ``at`` (default: now): the latest
        any member's next block may have then (as ``Chain.pending_timestamp`` reckons)."""
        when = self.scheduler.now() if at is None else at
        return max(_block_time(chain, when) for chain in self.members.values())

    def next_slot_timestamp(self) -> int:
        """The timestamp of the next slot the clock will build."""
        return self.next_timestamp(None if self._timer is None else self._timer.due)

    def aligned(self) -> bool:
        """Whether every member's head is at the same block number (logs when it stops)."""
        heads = tuple(chain.head().number for chain in self.members.values())
        if len(set(heads)) == 1:
            self._misaligned = None
            return True
        if heads != self._misaligned:
            self._misaligned = heads
            numbers = ", ".join(f"{c}: {n}" for c, n in zip(self.members, heads, strict=True))
            log.error("shared sequencer: heads not aligned (%s); no slot until they are", numbers)
        return False

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        if self._timer is None:  # a crash may have left a slot on some members only
            repair_at_start(self.members, self.posted)
        await super().start()
        self._arm_wake()

    async def stop(self) -> None:
        await super().stop()
        self._wake.cancel()

    # ----------------------------------------------------------------- work
    def _due(self) -> float | None:
        """When a pending bundle may go in a slot (:func:`.waiting.due_at`)."""
        if not self._pending:
            return None
        now = self.scheduler.now()
        return due_at(self._pending.values(), self.members, now, self.next_timestamp())

    def _arm_wake(self) -> None:
        """Wake the clock when the first waiting bundle becomes due (:mod:`.waiting`)."""
        if self._timer is not None:
            self._wake.at(self._due())

    def idle(self) -> bool:
        due = self._due()
        return (
            self._unfinished is None  # a slot to take back first
            and (due is None or due > self.scheduler.now())
            and not any(
                c.ready_transactions(c.head().header.gas_limit) for c in self.members.values()
            )
            and not any(s.has_pending() for s in self.sequencers.values())
        )

    def tick(self) -> None:
        try:
            self.build_slot()
        except CrossrollError as exc:
            log.error("shared sequencer: %s", exc.message)

    def build_slot(self) -> SlotCommitment | None:
        """Build, append and sign the next slot now (None if the heads are not aligned)."""
        if self._unfinished is not None:  # take back what a failed append left
            plan = self._unfinished
            if undo(self.members, plan.number, plan.blocks):
                self._unfinished = None
        if not self.aligned():
            return None
        ts = self.next_timestamp()
        number = next(iter(self.members.values())).head().number + 1
        eligible = []
        for bundle in list(self._pending.values()):
            if bundle.max_timestamp is not None and bundle.max_timestamp < ts:
                self._settle(
                    bundle.hash,
                    number,
                    f"expired: maxTimestamp {bundle.max_timestamp}"
                    f" is before slot {number}'s timestamp {ts}",
                )
            elif bundle.min_timestamp is None or bundle.min_timestamp <= ts:
                eligible.append(bundle)
        fees = {cid: child_base_fee(c.head().header) for cid, c in self.members.items()}
        plan = slots.build(self.ctx, self.sequencers, self.policy.order(eligible, fees), ts)
        try:
            slots.append(self.ctx, plan)
        except BaseException:
            if not self.aligned():  # not all taken back: try again before the next slot
                self._unfinished = plan
            raise
        for bundle, relays in plan.included:
            legs = tuple(
                LegPlace(leg.chain_id, leg.tx.hash, plan.number, plan.blocks[leg.chain_id].hash)
                for leg in bundle.legs
            )
            done = tuple(
                InSlotRelay(r.chain_id, r.tx.hash, r.msg_hash, plan.number) for r in relays
            )
            self._pending.pop(bundle.hash, None)
            self.records[bundle.hash] = self.records[bundle.hash].included(plan.number, legs, done)
        for bundle, reason in plan.dropped:
            self._settle(bundle.hash, plan.number, reason)
        commitment = SlotCommitment(
            plan.number,
            ts,
            tuple((cid, b.number, b.hash) for cid, b in sorted(plan.blocks.items())),
            tuple(bundle.hash for bundle, _ in plan.included),
        ).signed(self.ctx.key.private_key)
        soft = self.soft_slot()
        if soft is not None and soft >= plan.number:  # the members went back (evm_revert)
            for stale in [n for n in self.slots if n >= plan.number]:
                del self.slots[stale]
        self.slots[plan.number] = commitment
        self._arm_wake()
        return commitment

    def _settle(self, bundle_hash: Hash32, slot: int, reason: str) -> None:
        """Drop a pending bundle for good."""
        self._pending.pop(bundle_hash, None)
        self.records[bundle_hash] = self.records[bundle_hash].dropped(slot, reason)
        log.info("bundle 0x%s dropped: %s", bundle_hash.hex(), reason)


def _block_time(chain: Chain, when: float) -> int:
    if chain.next_timestamp is not None:  # evm_setNextBlockTimestamp
        return chain.next_timestamp
    return max(chain.head().header.timestamp + 1, int(when) + chain.time_offset)
