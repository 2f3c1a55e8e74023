"""OP blob encoding (version 0)."""

from __future__ import annotations

import os

import pytest

from crossroll.da.blob import (
    BLOB_SIZE,
    BLS_MODULUS,
    MAX_BLOB_DATA,
    blobs_needed,
    decode_blob,
    encode_blob,
    is_canonical,
)
from crossroll.errors import DecodingError, EncodingError


def test_constants() -> None:
    assert BLOB_SIZE == 131_072
    assert MAX_BLOB_DATA == 130_044 == (4 * 31 + 3) * 1024 - 4
    assert 2**254 < BLS_MODULUS < 2**255


@pytest.mark.parametrize("size", [0, 1, 27, 28, 122, 123, 124, 127, 128, 4096, MAX_BLOB_DATA])
def test_round_trip(size: int) -> None:
    data = os.urandom(size)
    blob = encode_blob(data)
    assert len(blob) == BLOB_SIZE
    assert is_canonical(blob)
    assert all(blob[i] & 0xC0 == 0 for i in range(0, BLOB_SIZE, 32))
    assert decode_blob(blob) == data


def test_layout_of_first_field_elements() -> None:
    data = bytes(range(1, 201))
    blob = encode_blob(data)
    assert blob[1] == 0  # version
    assert blob[2:5] == (200).to_bytes(3, "big")
    assert blob[5:32] == data[:27]
    assert blob[0] == data[27] & 0x3F
    assert blob[33:64] == data[28:59]
    assert blob[32] == (data[59] & 0x0F) | ((data[27] & 0xC0) >> 2)


def test_empty_data_is_the_zero_blob() -> None:
    assert encode_blob(b"") == bytes(BLOB_SIZE)


def test_too_large() -> None:
    with pytest.raises(EncodingError, match="do not fit"):
        encode_blob(bytes(MAX_BLOB_DATA + 1))


def test_blobs_needed() -> None:
    assert blobs_needed(0) == 1
    assert blobs_needed(MAX_BLOB_DATA) == 1
    assert blobs_needed(MAX_BLOB_DATA + 1) == 2


def _set(blob: bytes, pos: int, value: int) -> bytes:
    out = bytearray(blob)
    out[pos] = value
    return bytes(out)


def test_decode_rejects_malformed_blobs() -> None:
    blob = encode_blob(b"hello world")
    with pytest.raises(DecodingError, match="must be"):
        decode_blob(blob[:-1])
    with pytest.raises(DecodingError, match="version"):
        decode_blob(_set(blob, 1, 1))
    with pytest.raises(DecodingError, match="length header"):
        decode_blob(_set(_set(blob, 2, 0xFF), 3, 0xFF))
    with pytest.raises(DecodingError, match="top bits"):
        decode_blob(_set(blob, 0, 0x80))
    with pytest.raises(DecodingError, match="non-zero"):
        decode_blob(_set(blob, 100, 1))  # inside the used round, after the payload
    with pytest.raises(DecodingError, match="non-zero"):
        decode_blob(_set(blob, BLOB_SIZE - 1, 1))


def test_is_canonical() -> None:
    assert not is_canonical(b"\xff" * BLOB_SIZE)
    assert is_canonical(bytes(BLOB_SIZE))
