"""Any batch survives codec x compressor x channel (random frames, shuffled, duplicated) x blob."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossroll.da.batch import Batch, RlpCodec
from crossroll.da.blob import MAX_BLOB_DATA, decode_blob, encode_blob
from crossroll.da.channel import ChannelBuilder
from crossroll.da.columnar import ColumnarCodec, UnsignedColumnarCodec, unsigned_form
from crossroll.da.columns import Reader, write_uvarint, zigzag
from crossroll.da.compress import COMPRESSORS
from crossroll.da.reader import ChannelReader
from tests.unit.da.strategies import batch, signed_examples

CODECS = [RlpCodec(), ColumnarCodec()]
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(
    batch=batch,
    codec=st.sampled_from(CODECS),
    compressor=st.sampled_from(COMPRESSORS),
    max_frame_size=st.integers(24, 3000),
    frames_per_tx=st.integers(1, 4),
    seed=st.integers(0, 2**32),
    timeout=st.integers(0, 10),
    via_blob=st.booleans(),
)
def test_any_batch_round_trips(
    batch: Batch,
    codec,
    compressor,
    max_frame_size: int,
    frames_per_tx: int,
    seed: int,
    timeout: int,
    via_blob: bool,
) -> None:
    assert codec.decode(codec.encode(batch)) == batch
    channel = ChannelBuilder(codec, compressor, max_frame_size).build(batch)
    rng = random.Random(seed)
    txs = channel.transactions(frames_per_tx)
    txs += rng.sample(txs, k=rng.randint(0, len(txs)))  # duplicates
    rng.shuffle(txs)
    # all within the timeout: L1 blocks advance by at most `timeout` in total
    blocks = sorted(rng.randint(0, timeout) for _ in txs)
    reader = ChannelReader(channel_timeout=timeout)
    out = []
    for tx, l1 in zip(txs, blocks, strict=True):
        if via_blob and len(tx) <= MAX_BLOB_DATA:
            tx = decode_blob(encode_blob(tx))
        out += reader.add(tx, l1).batches
    assert out == [batch]


@settings(max_examples=30, deadline=None)
@given(picks=st.lists(st.integers(0, 4), max_size=12), compressor=st.sampled_from(COMPRESSORS))
def test_unsigned_codec_round_trips_to_unsigned_form(picks: list[int], compressor) -> None:
    from crossroll.da.batch import L2BlockData

    txs = tuple(signed_examples()[i] for i in picks)
    b = Batch((L2BlockData(1, 2, bytes(32), txs),))
    codec = UnsignedColumnarCodec()
    reader = ChannelReader(registry={codec.version: codec})
    (tx,) = ChannelBuilder(codec, compressor, 200_000).build(b).transactions(1000)
    (decoded,) = reader.add(tx, 0).batches
    assert decoded.transactions == tuple(unsigned_form(t) for t in txs)


@given(st.binary(max_size=MAX_BLOB_DATA))
@settings(max_examples=40, deadline=None)
def test_blob_round_trip(data: bytes) -> None:
    assert decode_blob(encode_blob(data)) == data


@given(st.lists(st.integers(-(2**255), 2**255 - 1)))
def test_varints_round_trip(values: list[int]) -> None:
    out = bytearray()
    for v in values:
        write_uvarint(out, zigzag(v))
    reader = Reader(bytes(out))
    assert [reader.svarint() for _ in values] == values
    reader.done()
