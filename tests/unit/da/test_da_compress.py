"""Compressors and bounded decompression."""

from __future__ import annotations

import time
import tracemalloc
import zlib

import brotli
import pytest

from crossroll.da.compress import (
    BROTLI,
    COMPRESSORS,
    NONE,
    ZLIB,
    compressor,
    decompress,
)
from crossroll.errors import DecodingError, EncodingError

DATA = b"".join(i.to_bytes(4, "big") for i in range(5000)) + b"hello" * 1000


@pytest.mark.parametrize("c", COMPRESSORS, ids=lambda c: c.name)
def test_round_trip(c) -> None:
    packed = c.compress(DATA)
    assert decompress(packed) == DATA
    assert decompress(c.compress(b"\x00")) == b"\x00"


def test_compression_helps_and_brotli_beats_zlib() -> None:
    assert len(BROTLI.compress(DATA)) < len(ZLIB.compress(DATA)) < len(NONE.compress(DATA))


def test_formats_are_self_describing() -> None:
    assert ZLIB.compress(DATA)[0] & 0x0F == 8  # zlib CMF: deflate
    assert BROTLI.compress(DATA)[0] == 0x01  # OP Fjord brotli version byte
    assert NONE.compress(DATA)[0] == 0x00


def test_lookup_by_name() -> None:
    assert compressor("zlib-9") is ZLIB
    with pytest.raises(EncodingError):
        compressor("lz4")


@pytest.mark.parametrize(
    "bomb",
    [
        zlib.compress(bytes(300_000_000), 9),
        b"\x01" + brotli.compress(bytes(300_000_000), quality=5),
    ],
    ids=["zlib", "brotli"],
)
def test_zip_bomb_raises_without_allocating(bomb: bytes) -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(DecodingError, match="more than"):
            decompress(bomb, limit=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000
    assert time.monotonic() - started < 5


def test_exact_limit_is_allowed() -> None:
    for c in COMPRESSORS:
        assert decompress(c.compress(bytes(1000)), limit=1000) == bytes(1000)
        with pytest.raises(DecodingError):
            decompress(c.compress(bytes(1001)), limit=1000)


@pytest.mark.parametrize("c", [ZLIB, BROTLI], ids=lambda c: c.name)
def test_truncated_and_trailing(c) -> None:
    packed = c.compress(DATA)
    for cut in (2, len(packed) // 2, len(packed) - 1):
        with pytest.raises(DecodingError):
            decompress(packed[:cut])
    with pytest.raises(DecodingError):
        decompress(packed + b"\x00junk")


def test_unknown_or_empty() -> None:
    for bad in (b"", b"\x02abc", b"\xff"):
        with pytest.raises(DecodingError):
            decompress(bad)
