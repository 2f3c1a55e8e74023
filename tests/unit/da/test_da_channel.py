"""ChannelBuilder and ChannelReader."""

from __future__ import annotations

import random

import pytest

from crossroll.da.batch import RlpCodec
from crossroll.da.channel import ChannelBuilder, channel_data, read_channel_data, split_frames
from crossroll.da.columnar import ColumnarCodec
from crossroll.da.compress import NONE, ZLIB
from crossroll.da.frame import Frame, batcher_data
from crossroll.da.reader import ChannelReader
from crossroll.errors import DecodingError, EncodingError
from tests.unit.da.strategies import example_batch

BATCH = example_batch()
CID = b"\xaa" * 16


def build(max_frame_size: int = 120, **kw) -> list[bytes]:
    channel = ChannelBuilder(max_frame_size=max_frame_size, **kw).build(BATCH, channel_id=CID)
    return channel.transactions()


def test_frames_respect_max_size() -> None:
    channel = ChannelBuilder(max_frame_size=100).build(BATCH)
    assert len(channel.frames) > 3
    assert all(f.size <= 100 for f in channel.frames)
    assert [f.number for f in channel.frames] == list(range(len(channel.frames)))
    assert [f.is_last for f in channel.frames].count(True) == 1 and channel.frames[-1].is_last
    assert b"".join(f.data for f in channel.frames) == channel.data


def test_max_frame_size_must_exceed_overhead() -> None:
    with pytest.raises(EncodingError):
        split_frames(CID, b"abc", 23)


@pytest.mark.parametrize("codec", [RlpCodec(), ColumnarCodec()], ids=lambda c: c.name)
def test_in_order(codec) -> None:
    reader = ChannelReader()
    out = []
    for i, tx in enumerate(build(codec=codec)):
        out += reader.add(tx, i).batches
    assert out == [BATCH]
    assert reader.pending == 0


def test_out_of_order_with_duplicates_and_several_frames_per_tx() -> None:
    channel = ChannelBuilder(max_frame_size=80, compressor=ZLIB).build(BATCH, channel_id=CID)
    txs = channel.transactions(frames_per_tx=3)
    txs = txs + txs[:2]
    random.Random(1).shuffle(txs)
    reader = ChannelReader()
    results = [reader.add(tx, i) for i, tx in enumerate(txs)]
    assert [b for r in results for b in r.batches] == [BATCH]
    reasons = {d.reason for r in results for d in r.dropped}
    assert reasons <= {"duplicate frame", "frame of an already closed channel"}


def test_several_batches_in_one_channel() -> None:
    channel = ChannelBuilder(max_frame_size=10_000).build(BATCH, BATCH, channel_id=CID)
    (tx,) = channel.transactions()
    assert ChannelReader().add(tx, 0).batches == (BATCH, BATCH)


def test_timeout_drops_channel() -> None:
    txs = build()
    reader = ChannelReader(channel_timeout=5)
    reader.add(txs[0], 10)
    result = reader.add(txs[1], 16)
    assert any("timed out" in d.reason for d in result.dropped)
    rest = [reader.add(tx, 16) for tx in txs[2:]]
    assert not any(r.batches for r in rest)  # frame 0 is gone


def test_interleaved_channels_and_a_bad_one() -> None:
    a = ChannelBuilder(max_frame_size=100).build(BATCH, channel_id=b"\x01" * 16).transactions()
    b = ChannelBuilder(max_frame_size=100, compressor=NONE).build(BATCH, channel_id=b"\x02" * 16)
    bad = [
        batcher_data([f if f.number else Frame(f.channel_id, 0, b"x" + f.data[1:], f.is_last)])
        for f in b.frames
    ]
    reader = ChannelReader()
    got, dropped = [], []
    for i, tx in enumerate(
        [x for pair in zip(a, bad, strict=False) for x in pair] + a[len(bad) :] + bad[len(a) :]
    ):
        r = reader.add(tx, i)
        got += r.batches
        dropped += r.dropped
    assert got == [BATCH]
    assert any("checksum" in d.reason for d in dropped)


def test_garbage_never_raises() -> None:
    reader = ChannelReader()
    for junk in (b"", b"\x00", b"\x01abc", bytes(100), b"\x00" + b"\xff" * 40):
        result = reader.add(junk, 0)
        assert result.batches == () and result.dropped
    out = []
    for tx in build():
        out += reader.add(tx, 1).batches
    assert out == [BATCH]


def test_last_frame_prunes_later_frames_and_second_last_is_dropped() -> None:
    reader = ChannelReader()
    r = reader.add(batcher_data([Frame(CID, 5, b"late", False)]), 0)
    assert r.dropped == ()
    r = reader.add(batcher_data([Frame(CID, 2, b"x", True)]), 0)
    assert [d.reason for d in r.dropped] == ["frame beyond the last frame pruned"]
    r = reader.add(batcher_data([Frame(CID, 1, b"x", True)]), 0)
    assert [d.reason for d in r.dropped] == ["second last frame"]
    r = reader.add(batcher_data([Frame(CID, 3, b"x", False)]), 0)
    assert [d.reason for d in r.dropped] == ["frame after the channel's last frame"]


def test_oversized_channel_is_dropped() -> None:
    reader = ChannelReader(max_channel_bytes=200)
    txs = build(max_frame_size=150, compressor=NONE)
    reasons = [d.reason for tx in txs for d in reader.add(tx, 0).dropped]
    assert any("over 200 bytes" in r for r in reasons)


def test_channel_data_errors() -> None:
    data = channel_data([RlpCodec().encode(BATCH)], ZLIB)
    assert read_channel_data(data) == [BATCH]
    for bad in (data[:3], data[:-1], data[:-4] + b"\x00\x00\x00\x00"):
        with pytest.raises(DecodingError):
            read_channel_data(bad)
    with pytest.raises(DecodingError, match="no batch"):
        read_channel_data(channel_data([], NONE))


def test_channel_bank_evicts_oldest() -> None:
    reader = ChannelReader(max_pending_bytes=10)
    reader.add(batcher_data([Frame(b"\x01" * 16, 0, b"123456", False)]), 0)
    r = reader.add(batcher_data([Frame(b"\x02" * 16, 0, b"123456", False)]), 0)
    assert [(d.reason, d.channel_id) for d in r.dropped] == [
        ("channel bank full: oldest channel evicted", b"\x01" * 16)
    ]
    assert reader.pending == 1


def test_l1_going_backwards_does_not_break() -> None:
    reader = ChannelReader()
    txs = build()
    out = []
    for i, tx in enumerate(txs):
        out += reader.add(tx, 100 - i).batches
    assert out == [BATCH]
