"""The shared-batch envelope: byte layout, total decoding and packing of several rollups'
frames (every rollup's last frame in the final envelope)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossroll.da import Frame, parse_batcher_data
from crossroll.da.blob import MAX_BLOB_DATA
from crossroll.da.namespace import (
    EnvelopeEntry,
    decode_envelope,
    encode_envelope,
    frame_room,
    pack_envelopes,
)
from crossroll.errors import DataError, DecodingError, EncodingError
from crossroll.rollup.batcher import CALLDATA_FRAME_SIZE

CID = bytes(range(16))


def test_byte_layout() -> None:
    data = encode_envelope([EnvelopeEntry(901, b"\x00abc"), EnvelopeEntry(2**64 - 1, b"z")])
    assert data == (
        b"\x01"
        + (901).to_bytes(8, "big") + (4).to_bytes(4, "big") + b"\x00abc"
        + b"\xff" * 8 + (1).to_bytes(4, "big") + b"z"
    )  # fmt: skip
    assert decode_envelope(data) == (
        EnvelopeEntry(901, b"\x00abc"),
        EnvelopeEntry(2**64 - 1, b"z"),
    )


def _entry(chain: int, length: int, body: bytes) -> bytes:
    return chain.to_bytes(8, "big") + length.to_bytes(4, "big") + body


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty envelope"),
        (b"\x00" + _entry(901, 1, b"x"), "unknown envelope version 0x00"),
        (b"\x01", "without entries"),
        (b"\x01" + _entry(901, 1, b"x")[:7], "truncated entry header"),
        (b"\x01" + _entry(901, 5, b"abc"), "claims 5 bytes, 3 left"),
        (b"\x01" + _entry(901, 2**32 - 1, b"abc"), "claims 4294967295 bytes"),
        (b"\x01" + _entry(901, 0, b""), "empty entry for chain 901"),
        (b"\x01" + _entry(901, 1, b"x") + _entry(901, 1, b"y"), "chain 901 twice"),
    ],
)
def test_bad_envelopes(data: bytes, reason: str) -> None:
    with pytest.raises(DecodingError, match=reason):
        decode_envelope(data)


def test_encoding_refuses_what_decoding_would() -> None:
    for entries, reason in [
        ([], "at least one entry"),
        ([EnvelopeEntry(1, b"")], "1 to 2"),
        ([EnvelopeEntry(2**64, b"x")], "uint64"),
        ([EnvelopeEntry(1, b"x"), EnvelopeEntry(1, b"y")], "twice"),
    ]:
        with pytest.raises(EncodingError, match=reason):
            encode_envelope(entries)


entries = st.lists(
    st.builds(EnvelopeEntry, st.integers(0, 2**64 - 1), st.binary(min_size=1, max_size=64)),
    min_size=1,
    max_size=6,
    unique_by=lambda e: e.chain_id,
)


@given(entries)
def test_round_trip(items: list[EnvelopeEntry]) -> None:
    assert decode_envelope(encode_envelope(items)) == tuple(items)


@given(entries, st.data())
def test_any_damage_is_a_data_error_or_a_valid_envelope(
    items: list[EnvelopeEntry], data: st.DataObject
) -> None:
    """Truncating, flipping or appending bytes gives a DataError or another envelope whose
    entries lie inside the input; never another exception, never a read past the end."""
    raw = bytearray(encode_envelope(items))
    cut = data.draw(st.integers(0, len(raw)))
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(1, 255))))
    for pos, mask in flips:
        raw[pos] ^= mask
    damaged = bytes(raw[:cut]) + data.draw(st.binary(max_size=16))
    try:
        decoded = decode_envelope(damaged)
    except DataError:
        return
    assert 1 + sum(12 + len(e.data) for e in decoded) == len(damaged)


@settings(max_examples=300)
@given(st.binary(max_size=200))
def test_decode_is_total(data: bytes) -> None:
    try:
        decoded = decode_envelope(data)
    except DataError:
        return
    assert encode_envelope(decoded) == data  # what decodes is canonical


def _frames(cid: int, sizes: list[int]) -> list[Frame]:
    channel = cid.to_bytes(16, "big")
    return [
        Frame(channel, i, bytes([i % 256]) * n, i == len(sizes) - 1) for i, n in enumerate(sizes)
    ]


@given(
    st.dictionaries(
        st.integers(1, 1000),
        st.lists(st.integers(0, 900), min_size=1, max_size=5),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from([4_000, 20_000]),
)
def test_pack_fits_keeps_order_and_ends_with_every_last_frame(
    sizes: dict[int, list[int]], capacity: int
) -> None:
    frames = {cid: _frames(cid, s) for cid, s in sizes.items()}
    envelopes = pack_envelopes(frames, capacity)
    assert all(len(e) <= capacity for e in envelopes)
    got: dict[int, list[Frame]] = {}
    for envelope in envelopes:
        for entry in decode_envelope(envelope):
            got.setdefault(entry.chain_id, []).extend(parse_batcher_data(entry.data))
    assert got == frames
    # the last frames of 4 chains fit in one envelope here (under 1k each), so all of them
    # are in the final one: no channel completes before every chain's data is there
    final = {e.chain_id: parse_batcher_data(e.data) for e in decode_envelope(envelopes[-1])}
    assert set(final) == set(frames)
    assert all(fs[-1].is_last for fs in final.values())


def test_frame_room_fits_one_frame_of_each_member() -> None:
    for capacity in (CALLDATA_FRAME_SIZE, MAX_BLOB_DATA):
        for members in (1, 2, 4, 7):
            room = frame_room(capacity, members)
            frames = {
                cid: [Frame(cid.to_bytes(16, "big"), 0, bytes(room - 23), True)]
                for cid in range(members)
            }
            assert len(pack_envelopes(frames, capacity)) == 1
    with pytest.raises(EncodingError, match="do not fit"):
        frame_room(100, 10)
    with pytest.raises(EncodingError, match="does not fit"):
        pack_envelopes({1: [Frame(CID, 0, bytes(200), True)]}, 100)
