"""Channels: batches → compressed channel data → frames (:class:`ChannelBuilder`).

Channel data is ``compress(rlp_bytes(batch) ‖ rlp_bytes(batch) ‖ …) ‖ crc32`` where each
batch is a codec encoding (version byte first) and the compressor output is
self-describing (:mod:`crossroll.da.compress`).  The 4-byte CRC-32 trailer is crossroll's
addition to OP's format: on Ethereum the batcher's L1 signature protects the bytes, but a
devnet injects faults, and a corrupted uncompressed or brotli channel could otherwise
decode to a *different* valid batch.  CRC-32 catches every error burst up to 32 bits.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import rlp

from ..errors import DecodingError, EncodingError
from .batch import Batch, BatchCodec, decode_batch
from .columnar import ColumnarCodec
from .compress import BROTLI, MAX_CHANNEL_BYTES, Compressor, decompress
from .frame import FRAME_OVERHEAD, MAX_FRAME_DATA, Frame, batcher_data

MAX_FRAMES = 1 << 16


def channel_data(batches: Sequence[bytes], compressor: Compressor) -> bytes:
    """Compressed channel data (with CRC trailer) for already-encoded batches."""
    body = b"".join(rlp.encode(b) for b in batches)
    if len(body) > MAX_CHANNEL_BYTES:
        raise EncodingError(f"channel content {len(body)} bytes over {MAX_CHANNEL_BYTES}")
    packed = compressor.compress(body)
    return packed + zlib.crc32(packed).to_bytes(4, "big")


def read_channel_data(
    data: bytes, limit: int = MAX_CHANNEL_BYTES, registry: Mapping[int, BatchCodec] | None = None
) -> list[Batch]:
    """Inverse of :func:`channel_data` followed by batch decoding; raises DecodingError."""
    if len(data) < 5:
        raise DecodingError("channel shorter than its checksum")
    packed, crc = data[:-4], int.from_bytes(data[-4:], "big")
    if zlib.crc32(packed) != crc:
        raise DecodingError("channel checksum mismatch")
    body = decompress(packed, limit)
    batches, pos = [], 0
    while pos < len(body):
        try:
            item, _, pos = rlp.codec.consume_item(body, pos)
        except (rlp.exceptions.DecodingError, IndexError) as exc:
            raise DecodingError(f"channel content is not a stream of RLP strings: {exc}") from exc
        if not isinstance(item, bytes):
            raise DecodingError("channel item is a list, not a batch")
        batches.append(decode_batch(item, registry))
    if not batches:
        raise DecodingError("channel holds no batch")
    return batches


def split_frames(channel_id: bytes, data: bytes, max_frame_size: int) -> tuple[Frame, ...]:
    """Frames of at most ``max_frame_size`` encoded bytes each."""
    room = min(max_frame_size - FRAME_OVERHEAD, MAX_FRAME_DATA)
    if room < 1:
        raise EncodingError(f"max frame size must exceed the {FRAME_OVERHEAD}-byte frame overhead")
    chunks = [data[i : i + room] for i in range(0, len(data), room)] or [b""]
    if len(chunks) > MAX_FRAMES:
        raise EncodingError(f"channel needs {len(chunks)} frames, over {MAX_FRAMES}")
    return tuple(Frame(channel_id, i, c, i == len(chunks) - 1) for i, c in enumerate(chunks))


@dataclass(frozen=True, slots=True)
class Channel:
    id: bytes
    data: bytes  # compressed channel data (with checksum)
    frames: tuple[Frame, ...]

    def transactions(self, frames_per_tx: int = 1) -> list[bytes]:
        """Batcher transaction data, ``frames_per_tx`` frames in each."""
        if frames_per_tx < 1:
            raise EncodingError("frames_per_tx must be at least 1")
        return [
            batcher_data(self.frames[i : i + frames_per_tx])
            for i in range(0, len(self.frames), frames_per_tx)
        ]


@dataclass(frozen=True, slots=True)
class ChannelBuilder:
    """Batches → one channel of frames no larger than ``max_frame_size`` bytes."""

    codec: BatchCodec = ColumnarCodec()  # noqa: RUF009 - stateless, shared on purpose
    compressor: Compressor = BROTLI
    max_frame_size: int = 130_044 - 1  # one OP-encoded blob minus the derivation version byte

    def build(self, *batches: Batch, channel_id: bytes | None = None) -> Channel:
        cid = os.urandom(16) if channel_id is None else channel_id
        data = channel_data([self.codec.encode(b) for b in batches], self.compressor)
        return Channel(cid, data, split_frames(cid, data, self.max_frame_size))
