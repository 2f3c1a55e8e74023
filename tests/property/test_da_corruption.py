"""Corrupting any byte never raises out of ChannelReader and never yields a wrong batch."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossroll.da.batch import Batch, RlpCodec
from crossroll.da.channel import ChannelBuilder
from crossroll.da.columnar import ColumnarCodec
from crossroll.da.compress import COMPRESSORS
from crossroll.da.reader import ChannelReader
from tests.unit.da.strategies import batch

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(
    batch=batch,
    codec=st.sampled_from([RlpCodec(), ColumnarCodec()]),
    compressor=st.sampled_from(COMPRESSORS),
    max_frame_size=st.integers(24, 2000),
    seed=st.integers(0, 2**32),
    flips=st.integers(1, 3),
    truncate=st.booleans(),
)
def test_corruption_is_dropped_or_harmless(
    batch: Batch, codec, compressor, max_frame_size: int, seed: int, flips: int, truncate: bool
) -> None:
    rng = random.Random(seed)
    txs = ChannelBuilder(codec, compressor, max_frame_size).build(batch).transactions()
    victim = rng.randrange(len(txs))
    bad = bytearray(txs[victim])
    for _ in range(flips):
        bad[rng.randrange(len(bad))] ^= rng.randint(1, 255)
    if truncate:
        bad = bad[: rng.randrange(len(bad) + 1)]
    txs[victim] = bytes(bad)
    reader = ChannelReader()
    out = []
    for i, tx in enumerate(txs):
        result = reader.add(tx, i)  # must not raise
        out += result.batches
        # malformed input is handled on purpose, not by the reader's last-resort guard
        assert not any(d.reason.startswith("internal error") for d in result.dropped)
    assert out in ([], [batch])

    # a later valid channel still decodes after the corruption
    for tx in ChannelBuilder(codec, compressor, max_frame_size).build(batch).transactions():
        out += reader.add(tx, len(txs)).batches
    assert out[-1] == batch


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000), st.integers(0, 100))
def test_random_bytes_never_raise(data: bytes, l1_block: int) -> None:
    result = ChannelReader().add(b"\x00" + data, l1_block)
    assert result.batches == () or all(isinstance(b, Batch) for b in result.batches)
