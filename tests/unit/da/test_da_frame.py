"""OP's frame format and batcher transaction data."""

from __future__ import annotations

import pytest

from crossroll.da.frame import FRAME_OVERHEAD, Frame, batcher_data, parse_batcher_data
from crossroll.errors import DecodingError, EncodingError

CID = bytes(range(16))


def test_byte_layout() -> None:
    frame = Frame(CID, 0x0102, b"abc", True)
    assert frame.encode() == CID + b"\x01\x02" + b"\x00\x00\x00\x03" + b"abc" + b"\x01"
    assert frame.size == FRAME_OVERHEAD + 3 == len(frame.encode())
    assert batcher_data([frame])[:1] == b"\x00"


def test_many_frames_per_transaction() -> None:
    frames = [Frame(CID, i, bytes([i]) * i, i == 2) for i in range(3)]
    assert parse_batcher_data(batcher_data(frames)) == frames


def test_frame_validation() -> None:
    with pytest.raises(EncodingError):
        Frame(b"short", 0, b"", False)
    with pytest.raises(EncodingError):
        Frame(CID, 1 << 16, b"", False)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\x01" + Frame(CID, 0, b"x", True).encode(), "derivation version"),
        (b"\x00", "without frames"),
        (batcher_data([Frame(CID, 0, b"xyz", True)])[:-2], "truncated"),
        (batcher_data([Frame(CID, 0, b"xyz", True)])[:10], "truncated frame header"),
        (batcher_data([Frame(CID, 0, b"xyz", True)])[:-1] + b"\x02", "is_last"),
        (b"\x00" + CID + b"\x00\x00" + (2_000_000).to_bytes(4, "big") + b"\x00", "over"),
    ],
)
def test_bad_transactions(data: bytes, reason: str) -> None:
    with pytest.raises(DecodingError, match=reason):
        parse_batcher_data(data)


def test_one_bad_frame_rejects_the_whole_transaction() -> None:
    good = Frame(CID, 0, b"ok", False).encode()
    with pytest.raises(DecodingError):
        parse_batcher_data(b"\x00" + good + b"\x00" * 5)
