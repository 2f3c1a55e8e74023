"""Batch values and the two codecs."""

from __future__ import annotations

import pytest
import rlp

from crossroll.da import txfields
from crossroll.da.batch import Batch, L2BlockData, RlpCodec, codecs, decode_batch
from crossroll.da.columnar import ColumnarCodec, UnsignedColumnarCodec, unsigned_form
from crossroll.errors import DataError, DecodingError, EncodingError
from tests.unit.da.strategies import example_batch, signed_examples

CODECS = [RlpCodec(), ColumnarCodec()]


@pytest.mark.parametrize("codec", CODECS, ids=lambda c: c.name)
def test_round_trip_every_tx_shape(codec) -> None:
    batch = example_batch()
    data = codec.encode(batch)
    assert data[0] == codec.version
    assert codec.decode(data) == batch
    assert decode_batch(data) == batch


@pytest.mark.parametrize("codec", CODECS, ids=lambda c: c.name)
def test_empty_batch(codec) -> None:
    assert codec.decode(codec.encode(Batch(()))) == Batch(())


def test_versions_are_distinct() -> None:
    assert sorted(codecs()) == [0x00, 0x01]
    assert UnsignedColumnarCodec.version not in codecs()


def test_decode_batch_unknown_version() -> None:
    with pytest.raises(DecodingError, match="unknown batch version"):
        decode_batch(b"\x7f" + bytes(10))
    with pytest.raises(DecodingError):
        decode_batch(b"")


@pytest.mark.parametrize("codec", CODECS, ids=lambda c: c.name)
def test_truncated_input_raises_decoding_error(codec) -> None:
    data = codec.encode(example_batch())
    for cut in range(0, len(data), 7):
        with pytest.raises(DataError):
            codec.decode(data[:cut])


def test_block_validation() -> None:
    with pytest.raises(EncodingError):
        L2BlockData(1, 1, b"\x00" * 31, ())


def test_txfields_parse_matches_fields() -> None:
    legacy, eip155, t1, t2, create = (txfields.parse(t) for t in signed_examples())
    assert legacy.chain_id is None and eip155.chain_id == 901
    assert t1.type == 1 and t1.access_list != rlp.encode([])
    assert t2.type == 2 and t2.tip == 10**9 and t2.gas_price == 10**10
    assert create.to is None
    assert t2.to == b"\x11" * 20 and t2.nonce == 7 and t2.value == 12345


def test_non_canonical_tx_is_refused() -> None:
    raw = signed_examples()[3]
    items = rlp.decode(raw[1:])
    items[1] = b"\x00\x07"  # nonce with a leading zero
    with pytest.raises(EncodingError):
        txfields.parse(b"\x02" + rlp.encode(items))
    for bad in (b"", b"\x03" + raw[1:], b"\x02\xff", rlp.encode([b"1", b"2"])):
        with pytest.raises(EncodingError):
            txfields.parse(bad)


def test_columnar_refuses_unsupported_tx() -> None:
    batch = Batch((L2BlockData(1, 1, bytes(32), (b"\x7e" + rlp.encode([b"deposit"]),)),))
    with pytest.raises(EncodingError):
        ColumnarCodec().encode(batch)


def test_columnar_groups_fields() -> None:
    # the same 'to' appears once in the dictionary however many txs use it
    batch = example_batch()
    data = ColumnarCodec().encode(batch)
    assert data.count(b"\x11" * 20) == 1
    assert RlpCodec().encode(batch).count(b"\x11" * 20) == 4


def test_unsigned_codec_keeps_sender_and_payload() -> None:
    batch = example_batch()
    codec = UnsignedColumnarCodec()
    decoded = codec.decode(codec.encode(batch))
    assert decoded.transactions == tuple(unsigned_form(t) for t in batch.transactions)
    sender = decoded.transactions[0][:20]
    from eth_account import Account

    assert sender.hex() == Account.recover_transaction(batch.transactions[0])[2:].lower()
    assert len(codec.encode(batch)) < len(ColumnarCodec().encode(batch))
