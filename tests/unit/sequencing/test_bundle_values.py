"""The shared sequencer's values without a network: bundle hashes, request decoding, ordering
policies and signed slot commitments."""

from __future__ import annotations

from typing import Any

import pytest
from eth_hash.auto import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from crossroll.chain.accounts import derive_account
from crossroll.chain.config import DEFAULT_MNEMONIC
from crossroll.errors import ConfigError, InvalidParams
from crossroll.sequencing.addresses import shared_sequencer_account
from crossroll.sequencing.bundle import Bundle, Leg, bundle_hash
from crossroll.sequencing.commitment import SlotCommitment
from crossroll.sequencing.policy import (
    FirstComeFirstServed,
    PriorityFee,
    policy_named,
    priority_fee,
)
from crossroll.sequencing.rpc import decode_bundle_request, decode_slot_ref
from crossroll.types import Transaction

H1, H2 = b"\x11" * 32, b"\x22" * 32
RAW = "0x02f86c"


def test_bundle_hash_is_keccak_of_chain_ids_and_tx_hashes() -> None:
    expected = keccak((901).to_bytes(32, "big") + H1 + (902).to_bytes(32, "big") + H2)
    assert bundle_hash(((901, H1), (902, H2))) == expected
    # Order and chain ids are part of it.
    assert bundle_hash(((902, H2), (901, H1))) != expected
    assert bundle_hash(((901, H1), (903, H2))) != expected


def test_decode_a_full_request() -> None:
    request = decode_bundle_request(
        {
            "txs": [{"chainId": 901, "rawTx": RAW}, {"chainId": "0x386", "rawTx": RAW + "00"}],
            "revertingTxHashes": ["0x" + H1.hex()],
            "minTimestamp": "0x10",
            "maxTimestamp": 20,
        }
    )
    assert request.legs == ((901, bytes.fromhex("02f86c")), (902, bytes.fromhex("02f86c00")))
    assert request.reverting == (H1,)
    assert (request.min_timestamp, request.max_timestamp) == (16, 20)
    assert decode_bundle_request({"txs": [{"chainId": 1, "rawTx": RAW}]}).reverting == ()


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ([1], "want a bundle object"),
        ({"txs": [], "extra": 1}, "unknown field 'extra'"),
        ({}, "txs: want a non-empty list"),
        ({"txs": []}, "txs: want a non-empty list"),
        ({"txs": "0x00"}, "txs: want a non-empty list"),
        ({"txs": [{"chainId": 901, "rawTx": RAW}] * 17}, "at most 16 legs, got 17"),
        ({"txs": [{"chainId": 901}]}, "leg 0: want an object {chainId, rawTx}"),
        ({"txs": [{"chainId": 901, "rawTx": RAW, "x": 1}]}, "leg 0: want an object"),
        ({"txs": [{"chainId": "nine", "rawTx": RAW}]}, "leg 0: chainId"),
        ({"txs": [{"chainId": 901, "rawTx": "0xzz"}]}, "leg 0: rawTx: invalid hex"),
        ({"txs": [{"chainId": 901, "rawTx": "0x"}]}, "leg 0: rawTx is empty"),
        ({"txs": [{"chainId": 901, "rawTx": RAW}], "revertingTxHashes": "0x"}, "list of"),
        # Falsy non-lists are mistakes too, not "no reverting legs" (only null or absent is).
        ({"txs": [{"chainId": 901, "rawTx": RAW}], "revertingTxHashes": {}}, "got {}"),
        ({"txs": [{"chainId": 901, "rawTx": RAW}], "revertingTxHashes": 0}, "got 0"),
        ({"txs": [{"chainId": 901, "rawTx": RAW}], "revertingTxHashes": ""}, "got ''"),
        ({"txs": [{"chainId": 901, "rawTx": RAW}], "revertingTxHashes": False}, "got False"),
        ({"txs": [{"chainId": 901, "rawTx": RAW}], "minTimestamp": False}, "minTimestamp"),
        ({"txs": [{"chainId": 901, "rawTx": RAW}], "maxTimestamp": {}}, "maxTimestamp"),
        ({"txs": [{"chainId": 901, "rawTx": RAW}], "minTimestamp": 1.5}, "minTimestamp"),
        (
            {"txs": [{"chainId": 901, "rawTx": RAW}], "revertingTxHashes": ["0x12"]},
            "revertingTxHashes[0]",
        ),
        ({"txs": [{"chainId": 901, "rawTx": RAW}], "minTimestamp": -1}, "minTimestamp"),
        ({"txs": [{"chainId": 901, "rawTx": RAW}], "maxTimestamp": "soon"}, "maxTimestamp"),
    ],
)
def test_malformed_requests_answer_invalid_params(value: Any, words: str) -> None:
    with pytest.raises(InvalidParams) as info:
        decode_bundle_request(value)
    assert info.value.code == -32602
    assert words in info.value.message


def test_slot_reference() -> None:
    assert decode_slot_ref("latest") == "latest"
    assert decode_slot_ref("0x5") == 5 and decode_slot_ref(7) == 7
    with pytest.raises(InvalidParams):
        decode_slot_ref("earliest")


def _tx(gas: int, tip: int, fee_cap: int) -> Transaction:
    return Transaction(
        hash=keccak(f"{gas}-{tip}-{fee_cap}".encode()),
        type=2,
        sender=b"\x01" * 20,
        nonce=0,
        to=b"\x02" * 20,
        value=0,
        gas=gas,
        data=b"",
        chain_id=901,
        gas_price=None,
        max_fee_per_gas=fee_cap,
        max_priority_fee_per_gas=tip,
        access_list=(),
        v=0,
        r=1,
        s=1,
        raw=b"",
    )


def _bundle(seq: int, *legs: tuple[int, Transaction]) -> Bundle:
    return Bundle(
        hash=seq.to_bytes(32, "big"),
        legs=tuple(Leg(cid, tx) for cid, tx in legs),
        seq=seq,
    )


def test_priority_fee_is_gas_weighted_and_capped_by_the_fee_cap() -> None:
    fees = {901: 10, 902: 100}
    # 901: min(5, 50 - 10) = 5 over 100 gas; 902: min(30, 120 - 100) = 20 over 300 gas.
    bundle = _bundle(0, (901, _tx(100, 5, 50)), (902, _tx(300, 30, 120)))
    assert priority_fee(bundle, fees) == (100 * 5 + 300 * 20) / 400
    # A fee cap under the base fee pays no tip (not a negative one).
    assert priority_fee(_bundle(1, (902, _tx(100, 5, 50))), fees) == 0


def test_fcfs_keeps_arrival_order_and_priority_sorts_by_fee_then_arrival() -> None:
    fees = {901: 1}
    low = _bundle(0, (901, _tx(100, 1, 100)))
    high = _bundle(1, (901, _tx(100, 9, 100)))
    tie = _bundle(2, (901, _tx(50, 9, 100)))
    assert FirstComeFirstServed().order([tie, high, low], fees) == [low, high, tie]
    assert PriorityFee().order([low, high, tie], fees) == [high, tie, low]
    assert isinstance(policy_named("priority"), PriorityFee)
    with pytest.raises(ConfigError):
        policy_named("auction")


def test_slot_commitment_signature_recovers_to_the_shared_sequencer() -> None:
    key = shared_sequencer_account(DEFAULT_MNEMONIC)
    blocks = ((901, 5, H1), (902, 5, H2))
    commitment = SlotCommitment(5, 1_700_000_000, blocks, (H1,)).signed(key.private_key)
    assert len(commitment.signature) == 65
    assert commitment.signer() == key.address
    # Any other content recovers to someone else: the signature covers every field.
    for changed in (
        SlotCommitment(6, 1_700_000_000, blocks, (H1,), commitment.signature),
        SlotCommitment(5, 1_700_000_001, blocks, (H1,), commitment.signature),
        SlotCommitment(5, 1_700_000_000, blocks[:1], (H1,), commitment.signature),
        SlotCommitment(5, 1_700_000_000, blocks, (), commitment.signature),
    ):
        assert changed.signer() != key.address
    other = derive_account(DEFAULT_MNEMONIC, 0)
    forged = SlotCommitment(5, 1_700_000_000, blocks, (H1,)).signed(other.private_key)
    assert forged.signer() == other.address
    json = commitment.to_json()
    assert json["signer"] == "0x" + key.address.hex()
    assert json["blocks"][1] == {"chainId": 902, "number": 5, "hash": "0x" + H2.hex()}


FIELDS = ["txs", "chainId", "rawTx", "revertingTxHashes", "minTimestamp", "maxTimestamp", "x"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.just("0x02f86c"),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FIELDS), inner),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_decodes_or_answers_invalid_params(value: Any) -> None:
    try:
        request = decode_bundle_request(value)
    except InvalidParams as exc:
        assert exc.code == -32602
    else:
        assert 1 <= len(request.legs) <= 16
