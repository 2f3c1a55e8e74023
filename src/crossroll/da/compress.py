"""Channel compressors behind one interface, with bounded decompression.

Self-describing like OP's channels: zlib streams are recognised by their header (CM=8
in the low nibble of the first byte), brotli streams carry a ``0x01`` prefix (OP Fjord)
and uncompressed data a ``0x00`` prefix (crossroll's own, for measurements).
:func:`decompress` never produces more than ``limit`` bytes: a zip bomb raises
:class:`~crossroll.errors.DecodingError` after at most ``limit`` bytes of output.
"""

from __future__ import annotations

import zlib
from abc import ABC, abstractmethod
from dataclasses import dataclass

import brotli

from ..errors import DecodingError, EncodingError

# OP Fjord's MAX_RLP_BYTES_PER_CHANNEL: the most a channel may decompress to.
MAX_CHANNEL_BYTES = 10_000_000
BROTLI_PREFIX = 0x01
NONE_PREFIX = 0x00
_CHUNK = 64 * 1024


class Compressor(ABC):
    name: str

    @abstractmethod
    def compress(self, data: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class ZlibCompressor(Compressor):
    level: int = 9

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"zlib-{self.level}"

    def compress(self, data: bytes) -> bytes:
        return zlib.compress(data, self.level)


@dataclass(frozen=True, slots=True)
class BrotliCompressor(Compressor):
    quality: int = 11
    lgwin: int = 22

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"brotli-{self.quality}"

    def compress(self, data: bytes) -> bytes:
        return bytes([BROTLI_PREFIX]) + brotli.compress(
            data, quality=self.quality, lgwin=self.lgwin
        )


@dataclass(frozen=True, slots=True)
class NoCompressor(Compressor):
    @property
    def name(self) -> str:  # type: ignore[override]
        return "none"

    def compress(self, data: bytes) -> bytes:
        return bytes([NONE_PREFIX]) + data


ZLIB = ZlibCompressor(9)
BROTLI = BrotliCompressor(11)
BROTLI_FAST = BrotliCompressor(5)
NONE = NoCompressor()
COMPRESSORS: tuple[Compressor, ...] = (ZLIB, BROTLI, BROTLI_FAST, NONE)


def _too_big(limit: int) -> DecodingError:
    return DecodingError(f"channel decompresses to more than {limit} bytes")


def _inflate(data: bytes, limit: int) -> bytes:
    d = zlib.decompressobj()
    out = bytearray()
    try:
        chunk = d.decompress(data, limit + 1)
        out += chunk
        while d.unconsumed_tail and len(out) <= limit:
            out += d.decompress(d.unconsumed_tail, limit + 1 - len(out))
    except zlib.error as exc:
        raise DecodingError(f"corrupt zlib stream: {exc}") from exc
    if len(out) > limit:
        raise _too_big(limit)
    if not d.eof:
        raise DecodingError("truncated zlib stream")
    if d.unused_data:
        raise DecodingError("trailing bytes after zlib stream")
    return bytes(out)


def _unbrotli(data: bytes, limit: int) -> bytes:
    d = brotli.Decompressor()
    out = bytearray()
    try:
        # output_buffer_limit bounds each step; empty calls drain what is buffered.
        out += d.process(data, output_buffer_limit=_CHUNK)
        while not d.is_finished() and len(out) <= limit:
            chunk = d.process(b"", output_buffer_limit=_CHUNK)
            if not chunk and d.can_accept_more_data():
                break  # all input consumed, no more output: truncated stream
            out += chunk
    except brotli.error as exc:
        raise DecodingError(f"corrupt brotli stream: {exc}") from exc
    if len(out) > limit:
        raise _too_big(limit)
    if not d.is_finished():
        raise DecodingError("truncated brotli stream")
    return bytes(out)


def decompress(data: bytes, limit: int = MAX_CHANNEL_BYTES) -> bytes:
    """Inverse of any :class:`Compressor`, refusing output over ``limit`` bytes."""
    if not data:
        raise DecodingError("empty channel")
    first = data[0]
    if first & 0x0F in (8, 15):
        return _inflate(data, limit)
    if first == BROTLI_PREFIX:
        return _unbrotli(data[1:], limit)
    if first == NONE_PREFIX:
        if len(data) - 1 > limit:
            raise _too_big(limit)
        return data[1:]
    raise DecodingError(f"unknown compression byte 0x{first:02x}")


def compressor(name: str) -> Compressor:
    for c in COMPRESSORS:
        if c.name == name:
            return c
    raise EncodingError(f"unknown compressor {name!r}")
