"""OP's frame format and batcher transaction data.

``frame = channel_id (16) ‖ frame_number (uint16) ‖ frame_data_length (uint32) ‖
frame_data ‖ is_last (uint8)``; the data of a batcher transaction (calldata or a blob's
payload) is ``derivation_version (0x00) ‖ frame ‖ frame ‖ …``.  As in OP's derivation,
if any frame of a transaction fails to parse, every frame of that transaction is
rejected.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import DecodingError, EncodingError

DERIVATION_VERSION = 0x00
FRAME_OVERHEAD = 16 + 2 + 4 + 1
MAX_FRAME_DATA = 1_000_000  # OP: frames larger than this are invalid
_HEAD = struct.Struct(">16sHI")


@dataclass(frozen=True, slots=True)
class Frame:
    channel_id: bytes
    number: int
    data: bytes
    is_last: bool

    def __post_init__(self) -> None:
        if len(self.channel_id) != 16:
            raise EncodingError("channel id must be 16 bytes")
        if not 0 <= self.number < 1 << 16:
            raise EncodingError("frame number must fit in uint16")
        if len(self.data) > MAX_FRAME_DATA:
            raise EncodingError(f"frame data over {MAX_FRAME_DATA} bytes")

    def encode(self) -> bytes:
        return (
            _HEAD.pack(self.channel_id, self.number, len(self.data))
            + self.data
            + (b"\x01" if self.is_last else b"\x00")
        )

    @property
    def size(self) -> int:
        return FRAME_OVERHEAD + len(self.data)


def batcher_data(frames: Sequence[Frame]) -> bytes:
    """The data of one batcher transaction carrying ``frames``."""
    return bytes([DERIVATION_VERSION]) + b"".join(f.encode() for f in frames)


def parse_batcher_data(data: bytes) -> list[Frame]:
    """All frames of one batcher transaction; :class:`DecodingError` rejects them all."""
    if not data:
        raise DecodingError("empty batcher transaction")
    if data[0] != DERIVATION_VERSION:
        raise DecodingError(f"unknown derivation version 0x{data[0]:02x}")
    frames, pos = [], 1
    while pos < len(data):
        if pos + FRAME_OVERHEAD > len(data):
            raise DecodingError("truncated frame header")
        channel_id, number, length = _HEAD.unpack_from(data, pos)
        if length > MAX_FRAME_DATA:
            raise DecodingError(f"frame data length {length} over {MAX_FRAME_DATA}")
        end = pos + _HEAD.size + length
        if end + 1 > len(data):
            raise DecodingError("truncated frame data")
        if data[end] > 1:
            raise DecodingError(f"is_last byte 0x{data[end]:02x} is not 0 or 1")
        frames.append(Frame(channel_id, number, data[pos + _HEAD.size : end], data[end] == 1))
        pos = end + 1
    if not frames:
        raise DecodingError("batcher transaction without frames")
    return frames
