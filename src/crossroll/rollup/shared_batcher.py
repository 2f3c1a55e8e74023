"""The shared batcher: firm commitments for the shared sequencer's slots.

A slot is one block on every shared rollup (slot n = L2 block n on each member).  Its *soft*
commitment is the shared sequencer's signature; it becomes *firm* when the slot's data is on
the L1.  Each tick this service takes the next slot range every member may post (from the
lowest posted block + 1 to the lowest :meth:`~crossroll.rollup.batcher.Batcher.last_postable`,
so cross-safety's hold-backs apply to the whole range), lets each member's
:class:`~crossroll.rollup.batcher.Batcher` batch and compress its blocks of the range into
its own channel, and posts every member's frames together, from the shared sequencer's key
to :data:`~crossroll.sequencing.addresses.SHARED_BATCH_INBOX`, packed into shared-batch
envelopes (:mod:`crossroll.da.namespace`): one envelope per calldata transaction, or one per
blob with six blobs per transaction.  Member frames are sized so that every member's last
frame fits in the final envelope: no member's part of a range derives before all of it is on
the L1 (reference §4.1, no unbundling).

In-flight, settle and abandon work as for one batcher, for all members at once: the members'
``posted_number()`` (which cross-safety reads) moves when the envelopes are sent, a failed
or dropped transaction sends every member back to its safe head, and a landed range is a
:class:`SharedBatchRecord` plus one :class:`~crossroll.rollup.batcher.BatchRecord` per member
(its share of the L1 gas in proportion to its posted bytes).  A range in flight is settled
as soon as an L1 block arrives, so :meth:`SharedBatcher.firm` answers from the L1 block that
mined the range on, not one tick later.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..abc import ClientAPI, SchedulerAPI, TimerAPI
from ..clock.periodic import PeriodicService
from ..errors import ConfigError, CrossrollError, L1TransactionFailed
from ..sequencing.addresses import SHARED_BATCH_INBOX
from ..types import Address, DevAccount, Hash32
from . import transact
from .batcher import (
    CALLDATA_FRAME_SIZE,
    DA,
    DEFAULT_INTERVAL,
    MAX_BLOCKS_PER_CHANNEL,
    Batcher,
    mined_receipts,
    send_blobs,
    send_calldata,
)
from .shared_batch import ChainShare, SharedBatchRecord

__all__ = ["ChainShare", "SharedBatchRecord", "SharedBatcher"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _InFlight:
    first_slot: int
    last_slot: int
    tx_hashes: tuple[Hash32, ...]
    posted: tuple[tuple[int, int], ...]  # (chain id, posted bytes) of each member in it
    envelopes: int
    blobs: int


class SharedBatcher(PeriodicService):
    """Posts the shared rollups' blocks, slot range by slot range (see the module notes)."""

    def __init__(
        self,
        members: Sequence[Batcher],
        l1: ClientAPI,
        scheduler: SchedulerAPI,
        *,
        account: DevAccount,
        inbox: Address = SHARED_BATCH_INBOX,
        da: DA = "calldata",
        interval: float = DEFAULT_INTERVAL,
        l1_blocks: Callable[[Callable[[Any], None]], Callable[[], None]] | None = None,
    ) -> None:
        """``members``: the shared rollups' batchers (not started as services: this one
        drives them); ``account``: the shared sequencer's key, funded on the L1;
        ``l1_blocks``: subscribes to new L1 blocks (an L1 view's ``on_block``), so a range
        in flight is recorded as firm in the block that mines it, not a tick later."""
        from ..da import MAX_BLOB_DATA
        from ..da.namespace import frame_room

        if not members:
            raise ConfigError("a shared batcher needs at least one member rollup")
        if any(b.da != da for b in members):
            raise ConfigError(f"every member of a shared batcher must post {da}")
        self.name = "shared-batcher"
        self.members = {
            b.config.chain_id: b for b in sorted(members, key=lambda b: b.config.chain_id)
        }
        self.l1, self.scheduler, self.account, self.inbox = l1, scheduler, account, inbox
        self.da, self.interval, self.l1_blocks = da, interval, l1_blocks
        self.capacity = CALLDATA_FRAME_SIZE if da == "calldata" else MAX_BLOB_DATA
        room = frame_room(self.capacity, len(members))
        for b in members:  # one frame of every member fits in one envelope
            b.builder = dataclasses.replace(
                b.builder, max_frame_size=min(b.builder.max_frame_size, room)
            )
            b.posted_with = frozenset(self.members) - {b.config.chain_id}
        self.records: list[SharedBatchRecord] = []
        self.last_error: CrossrollError | None = None
        self._in_flight: _InFlight | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._soon: TimerAPI | None = None

    # ------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        await super().start()
        if self.l1_blocks is not None and self._unsubscribe is None:
            self._unsubscribe = self.l1_blocks(lambda _info: self._wake())

    async def stop(self) -> None:
        await super().stop()
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()
        soon, self._soon = self._soon, None
        if soon is not None:
            soon.cancel()

    def _wake(self) -> None:
        """An L1 block arrived: settle what is in flight (after the action that mined it)."""
        if self._soon is None and self._in_flight is not None:

            def fire() -> None:
                self._soon = None
                if self._in_flight is not None:
                    self.tick()

            self._soon = self.scheduler.call_later(0, fire)

    # ------------------------------------------------------------------ read
    def firm(self, slot: int) -> SharedBatchRecord | None:
        """The landed batch holding ``slot`` (None: not on the L1 yet)."""
        return next((r for r in reversed(self.records) if r.covers(slot)), None)

    def firm_slot(self) -> int:
        """The highest slot whose data is on the L1 (0: none yet)."""
        return max((r.last_slot for r in self.records), default=0)

    def to_json(self) -> dict[str, Any]:
        return {
            "inbox": transact.hexstr(self.inbox),
            "poster": transact.hexstr(self.account.address),
            "da": self.da,
            "members": list(self.members),
            "firmSlot": self.firm_slot(),
            "batches": len(self.records),
            "lastBatch": self.records[-1].to_json() if self.records else None,
            "error": self.last_error.message if self.last_error else None,
        }

    # ------------------------------------------------------------------ work
    def idle(self) -> bool:
        return self._in_flight is None and self._range() is None

    def tick(self) -> None:
        try:
            if self._in_flight is not None and not self._settle(self._in_flight):
                return
            self._post()
        except CrossrollError as exc:
            self._failed(exc)

    def _failed(self, exc: CrossrollError) -> None:
        self.last_error = exc
        for member in self.members.values():  # the rollups' views show it too
            member.last_error = exc
        log.warning("%s: %s (retrying at the next tick)", self.name, exc.message)

    def _range(self) -> tuple[int, int] | None:
        """The next slot range every member may post (None: nothing to post)."""
        first = min(b.posted_number() for b in self.members.values()) + 1
        last = min(b.last_postable() for b in self.members.values())
        last = min(last, first + MAX_BLOCKS_PER_CHANNEL - 1)
        return (first, last) if first <= last else None

    def _post(self) -> None:
        from ..da import decode_envelope, pack_envelopes

        span = self._range()
        if span is None:
            return
        prepared = {
            cid: p for cid, b in self.members.items() if (p := b.prepare(span[1])) is not None
        }
        frames = {cid: p.channel.frames for cid, p in prepared.items()}
        envelopes = pack_envelopes(frames, self.capacity)
        blobs = {cid: 0 for cid in prepared}
        if self.da == "blobs":
            hashes = send_blobs(self.l1, self.account, self.inbox, envelopes)
            for envelope in envelopes:  # the blobs carrying each member's data
                for entry in decode_envelope(envelope):
                    blobs[entry.chain_id] += 1
        else:
            hashes = send_calldata(self.l1, self.account, self.inbox, envelopes)
        for cid, p in prepared.items():
            self.members[cid].mark_sent(p, hashes, blobs=blobs[cid])
        self._in_flight = _InFlight(
            first_slot=min(p.blocks[0].number for p in prepared.values()),
            last_slot=span[1],
            tx_hashes=tuple(hashes),
            posted=tuple((cid, len(p.channel.data)) for cid, p in prepared.items()),
            envelopes=len(envelopes),
            blobs=len(envelopes) if self.da == "blobs" else 0,
        )
        self._settle(self._in_flight)

    def _settle(self, sent: _InFlight) -> bool:
        """True once the range in flight is settled (recorded, or abandoned to re-post)."""
        what = f"shared batch of slots {sent.first_slot}-{sent.last_slot}"
        try:
            done = mined_receipts(self.l1, sent.tx_hashes, what)
        except L1TransactionFailed:
            self._in_flight = None
            for cid, _ in sent.posted:
                self.members[cid].abandon()
            raise
        if done is None:
            return False
        self._in_flight = None
        self.last_error = None
        l1_block = max(r.block_number for r in done)
        l1_gas = sum(r.gas_used for r in done)
        blob_gas = sum(r.blob_gas_used for r in done)
        sizes = [size for _, size in sent.posted]
        shares = []
        for (cid, _), gas, blob in zip(
            sent.posted, _split(l1_gas, sizes), _split(blob_gas, sizes), strict=True
        ):
            record = self.members[cid].landed(l1_block=l1_block, l1_gas=gas, blob_gas=blob)
            shares.append(
                ChainShare(
                    cid,
                    record.first_block,
                    record.last_block,
                    record.l2_transactions,
                    record.raw_bytes,
                    record.posted_bytes,
                )
            )
        self.records.append(
            SharedBatchRecord(
                first_slot=sent.first_slot,
                last_slot=sent.last_slot,
                da=self.da,
                l1_block=l1_block,
                l1_tx_hashes=sent.tx_hashes,
                chains=tuple(shares),
                envelopes=sent.envelopes,
                blobs=sent.blobs,
                l1_gas=l1_gas,
                blob_gas=blob_gas,
            )
        )
        return True


def _split(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` in parts proportional to ``weights`` that add up to it exactly."""
    if not any(weights):
        weights = [1] * len(weights)
    whole = sum(weights)
    cuts = [total * sum(weights[: i + 1]) // whole for i in range(len(weights))]
    return [b - a for a, b in zip([0, *cuts], cuts, strict=False)]
