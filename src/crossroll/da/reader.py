"""Reassembling channels from batcher transactions (:class:`ChannelReader`).

Frames arrive in batcher transactions, possibly many per transaction, and a channel's
frames may be spread over several L1 blocks in any order.  A channel is complete once it
has its last frame and every frame before it; then it is decoded and its batches are
returned.  Anything wrong is *dropped with a reason* (returned in :class:`Received` and
logged), never raised: a bad transaction, a duplicate frame, a channel that timed out
(``channel_timeout`` L1 blocks after its first frame, as OP's channel bank), grew over
the size limit, or does not decompress or decode.  Later valid frames still decode.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import DataError
from .batch import Batch, BatchCodec
from .channel import read_channel_data
from .compress import MAX_CHANNEL_BYTES
from .frame import Frame, parse_batcher_data

log = logging.getLogger(__name__)

CHANNEL_TIMEOUT = 50  # L1 blocks (OP Granite)
MAX_PENDING_BYTES = 100_000_000  # OP's channel bank size: oldest channels go first
_ROUTINE = frozenset({"duplicate frame", "frame of an already closed channel"})


@dataclass(frozen=True, slots=True)
class Dropped:
    reason: str
    channel_id: bytes | None = None
    frame_number: int | None = None


@dataclass(frozen=True, slots=True)
class Received:
    batches: tuple[Batch, ...] = ()
    dropped: tuple[Dropped, ...] = ()


@dataclass(slots=True)
class _Pending:
    opened: int  # L1 block of the first frame
    frames: dict[int, Frame] = field(default_factory=dict)
    last: int | None = None  # number of the is_last frame
    size: int = 0

    def complete(self) -> bool:
        return self.last is not None and len(self.frames) == self.last + 1


class ChannelReader:
    def __init__(
        self,
        channel_timeout: int = CHANNEL_TIMEOUT,
        max_channel_bytes: int = MAX_CHANNEL_BYTES,
        max_pending_bytes: int = MAX_PENDING_BYTES,
        registry: Mapping[int, BatchCodec] | None = None,
    ) -> None:
        self.channel_timeout = channel_timeout
        self.max_channel_bytes = max_channel_bytes
        self.max_pending_bytes = max_pending_bytes
        self.registry = registry
        self._pending: dict[bytes, _Pending] = {}
        self._closed: dict[bytes, int] = {}  # channel id -> L1 block it closed in

    @property
    def pending(self) -> int:
        return len(self._pending)

    def add(self, data: bytes, l1_block: int) -> Received:
        """Take the data of one batcher transaction included in L1 block ``l1_block``."""
        dropped: list[Dropped] = []
        batches: list[Batch] = []
        try:
            self._expire(l1_block, dropped)
            try:
                frames = parse_batcher_data(data)
            except DataError as exc:
                dropped.append(Dropped(f"batcher transaction rejected: {exc.message}"))
                frames = []
            for frame in frames:
                batches += self._add_frame(frame, l1_block, dropped)
        except Exception as exc:  # the reader's contract: nothing escapes
            log.exception("unexpected error in ChannelReader")
            dropped.append(Dropped(f"internal error: {type(exc).__name__}: {exc}"))
        for d in dropped:
            level = logging.DEBUG if d.reason in _ROUTINE else logging.INFO
            log.log(
                level,
                "dropped %s frame %s: %s",
                d.channel_id.hex() if d.channel_id else "-",
                d.frame_number,
                d.reason,
            )
        return Received(tuple(batches), tuple(dropped))

    def _expire(self, l1_block: int, dropped: list[Dropped]) -> None:
        for cid, ch in list(self._pending.items()):
            if l1_block > ch.opened + self.channel_timeout:
                del self._pending[cid]
                dropped.append(Dropped(f"channel timed out (opened in L1 block {ch.opened})", cid))
        for cid, closed in list(self._closed.items()):
            if l1_block > closed + self.channel_timeout:
                del self._closed[cid]

    def _prune(self, dropped: list[Dropped]) -> None:
        total = sum(ch.size for ch in self._pending.values())
        for cid in list(self._pending):  # insertion order: oldest first
            if total <= self.max_pending_bytes:
                return
            total -= self._pending.pop(cid).size
            dropped.append(Dropped("channel bank full: oldest channel evicted", cid))

    def _add_frame(self, frame: Frame, l1_block: int, dropped: list[Dropped]) -> list[Batch]:
        cid, n = frame.channel_id, frame.number

        def drop(reason: str) -> list[Batch]:
            dropped.append(Dropped(reason, cid, n))
            return []

        if cid in self._closed:
            return drop("frame of an already closed channel")
        ch = self._pending.setdefault(cid, _Pending(opened=l1_block))
        if n in ch.frames:
            return drop("duplicate frame")
        if ch.last is not None and n > ch.last:
            return drop("frame after the channel's last frame")
        if frame.is_last:
            if ch.last is not None:
                return drop("second last frame")
            ch.last = n
            for later in [k for k in ch.frames if k > n]:
                ch.size -= len(ch.frames.pop(later).data)
                dropped.append(Dropped("frame beyond the last frame pruned", cid, later))
        ch.frames[n] = frame
        ch.size += len(frame.data)
        if ch.size > self.max_channel_bytes:
            del self._pending[cid]
            return drop(f"channel over {self.max_channel_bytes} bytes")
        if not ch.complete():
            self._prune(dropped)
            return []
        del self._pending[cid]
        self._closed[cid] = l1_block
        data = b"".join(ch.frames[i].data for i in range(len(ch.frames)))
        try:
            return read_channel_data(data, self.max_channel_bytes, self.registry)
        except DataError as exc:
            return drop(f"channel does not decode: {exc.message}")
