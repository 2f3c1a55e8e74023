"""The based post format: ``0x00 ‖ rlp([raw_tx, ...])``, and what is not a post."""

from __future__ import annotations

import pytest
import rlp
from hypothesis import given
from hypothesis import strategies as st

from crossroll.errors import DataError
from crossroll.rollup.based import decode_post, encode_post
from crossroll.sequencing.addresses import based_inbox


def test_round_trip_keeps_order_and_bytes() -> None:
    raws = [b"\x02" + bytes(range(40)), b"\xf8\x01", b"", b"\x01" * 300]
    data = encode_post(raws)
    assert data[0] == 0
    assert decode_post(data) == raws
    assert decode_post(encode_post([])) == []


@given(st.lists(st.binary(max_size=200), max_size=8))
def test_any_list_of_transactions_round_trips(raws: list[bytes]) -> None:
    assert decode_post(encode_post(raws)) == raws


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "version byte missing"),
        (b"\x01" + rlp.encode([b"tx"]), "version byte 01"),
        (b"\x00\xc5\x83ab", "does not decode"),  # truncated list
        (b"\x00" + rlp.encode(b"tx"), "not a list"),
        (b"\x00" + rlp.encode([b"tx", [b"nested"]]), "not a list of transactions"),
        (b"\x00" + rlp.encode([b"tx"]) + b"\x00", "does not decode"),  # trailing bytes
    ],
)
def test_what_is_not_a_post_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DataError, match=reason):
        decode_post(data)


@given(st.binary(max_size=300))
def test_decoding_anyones_bytes_raises_only_data_error(data: bytes) -> None:
    try:
        out = decode_post(data)
    except DataError:
        return
    assert all(isinstance(raw, bytes) for raw in out)


def test_based_inbox_is_per_chain() -> None:
    assert based_inbox(901).hex() == "fb" + "00" * 17 + "0385"
    assert based_inbox(901) != based_inbox(902)
