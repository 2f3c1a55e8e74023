from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossroll.chain import Chain
from crossroll.errors import InvalidParams
from crossroll.rpc import codec
from tests.unit.rpc.helpers import A, B, deploy, emit, logged_bytes, send

uint256 = st.integers(min_value=0, max_value=2**256 - 1)


@given(uint256)
def test_quantity_round_trip(n: int) -> None:
    text = codec.quantity(n)
    assert text.startswith("0x")
    assert codec.decode_quantity(text) == n


@given(st.binary(max_size=200))
def test_data_round_trip(b: bytes) -> None:
    assert codec.decode_data(codec.data(b)) == b


@given(st.binary(min_size=20, max_size=20))
def test_address_round_trip(b: bytes) -> None:
    assert codec.decode_address(codec.data(b)) == b
    assert codec.decode_address(codec.data(b).upper().replace("0X", "0x")) == b


@given(st.binary(min_size=32, max_size=32))
def test_hash_round_trip(b: bytes) -> None:
    assert codec.decode_hash(codec.data(b)) == b
    assert codec.decode_block_ref(codec.data(b)) == b
    assert codec.decode_block_ref({"blockHash": codec.data(b)}) == b


@given(uint256)
def test_slot_accepts_words_and_quantities(n: int) -> None:
    assert codec.decode_slot(codec.word(n)) == n
    assert codec.decode_slot(codec.quantity(n)) == n


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_block_number_round_trip(n: int) -> None:
    assert codec.decode_block_number(codec.quantity(n)) == n
    assert codec.decode_block_ref({"blockNumber": codec.quantity(n)}) == n


@given(st.text(max_size=12))
def test_decoders_only_raise_invalid_params(text: str) -> None:
    for decode in (
        codec.decode_quantity,
        codec.decode_data,
        codec.decode_address,
        codec.decode_hash,
        codec.decode_block_ref,
        codec.decode_slot,
    ):
        with contextlib.suppress(InvalidParams):
            decode(text)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0x", 'hex string "0x"'),
        ("0x01", "hex number with leading zero digits"),
        ("12", "hex string without 0x prefix"),
        ("", "empty hex string"),
        ("0xzz", "invalid hex string"),
        ("0x1" + "0" * 64, "hex number > 256 bits"),
        (None, "cannot unmarshal null"),
        (True, "cannot unmarshal bool"),
        (-1, "hex number > 256 bits"),
    ],
)
def test_quantity_rejects(value: object, message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        codec.decode_quantity(value)


def test_quantity_accepts_plain_integers_and_zero() -> None:
    assert codec.decode_quantity("0x0") == 0
    assert codec.decode_quantity(17) == 17
    assert codec.decode_quantity("0XaB") == 0xAB


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0x123", "odd length"),
        ("abcd", "without 0x prefix"),
        ("0xgg", "invalid hex string"),
        (12, "cannot unmarshal number"),
    ],
)
def test_data_rejects(value: object, message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        codec.decode_data(value)


def test_address_length_message_is_gethlike() -> None:
    with pytest.raises(
        InvalidParams, match=r"hex string has length 2, want 40 for common\.Address"
    ):
        codec.decode_address("0x12")


@pytest.mark.parametrize("tag", codec.BLOCK_TAGS)
def test_block_tags(tag: str) -> None:
    assert codec.decode_block_ref(tag) == tag
    assert codec.decode_block_number(tag) == tag


def test_block_ref_rejects_both_hash_and_number() -> None:
    with pytest.raises(InvalidParams):
        codec.decode_block_ref({"blockHash": "0x" + "00" * 32, "blockNumber": "0x1"})
    with pytest.raises(InvalidParams):
        codec.decode_block_ref("lastest")


def test_call_request() -> None:
    req = codec.decode_call_request(
        {
            "from": "0x" + "aa" * 20,
            "to": "0x" + "bb" * 20,
            "gas": "0x5208",
            "value": "0x1",
            "input": "0x1234",
            "accessList": [{"address": "0x" + "cc" * 20, "storageKeys": ["0x" + "00" * 32]}],
            "type": "0x2",
            "chainId": "0x7a69",
        }
    )
    assert req.sender == b"\xaa" * 20
    assert req.to == b"\xbb" * 20
    assert (req.gas, req.value, req.data, req.type) == (21000, 1, b"\x12\x34", 2)
    assert req.access_list[0].storage_keys == (b"\x00" * 32,)
    assert codec.decode_call_request({"data": "0x12"}).data == b"\x12"
    with pytest.raises(InvalidParams, match="both"):
        codec.decode_call_request({"data": "0x12", "input": "0x34"})
    with pytest.raises(InvalidParams):
        codec.decode_call_request("0x12")


def test_filter() -> None:
    spec = codec.decode_filter(
        {
            "fromBlock": "0x1",
            "toBlock": "latest",
            "address": "0x" + "aa" * 20,
            "topics": [None, ["0x" + "11" * 32, "0x" + "22" * 32], "0x" + "33" * 32],
        }
    )
    assert spec.from_block == 1 and spec.to_block == "latest"
    assert spec.addresses == (b"\xaa" * 20,)
    assert spec.topics == (None, (b"\x11" * 32, b"\x22" * 32), (b"\x33" * 32,))
    with pytest.raises(InvalidParams):
        codec.decode_filter({"blockHash": "0x" + "00" * 32, "fromBlock": "0x1"})
    with pytest.raises(InvalidParams):
        codec.decode_filter({"topics": [None] * 5})


def test_percentiles() -> None:
    assert codec.decode_percentiles([10, 50.5]) == (10.0, 50.5)
    with pytest.raises(InvalidParams):
        codec.decode_percentiles([50, 10])
    with pytest.raises(InvalidParams):
        codec.decode_percentiles([101])


def test_blob_base_fee() -> None:
    assert codec.blob_base_fee(0) == 1
    assert codec.blob_base_fee(10 * 3338477) > 20000


def test_block_json_shape(chain: Chain, client: Any) -> None:
    send(client)
    block = chain.head()
    out = codec.block_json(block, full_transactions=True)
    anvil_keys = [
        "hash", "parentHash", "sha3Uncles", "miner", "stateRoot", "transactionsRoot",
        "receiptsRoot", "logsBloom", "difficulty", "number", "gasLimit", "gasUsed",
        "timestamp", "extraData", "mixHash", "nonce", "baseFeePerGas", "withdrawalsRoot",
        "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot", "totalDifficulty", "size",
        "uncles", "transactions", "withdrawals",
    ]  # fmt: skip
    assert list(out) == anvil_keys
    tx = out["transactions"][0]
    assert list(tx) == [
        "type", "chainId", "nonce", "gas", "maxFeePerGas", "maxPriorityFeePerGas", "to",
        "value", "accessList", "input", "r", "s", "yParity", "v", "hash", "blockHash",
        "blockNumber", "transactionIndex", "from", "gasPrice", "blockTimestamp",
    ]  # fmt: skip
    assert tx["gasPrice"] == hex(10**9 + 10**9)  # block 1's base fee + the 1 gwei tip
    assert (tx["from"], tx["to"], tx["value"], tx["blockNumber"]) == (A, B, "0x1", "0x1")
    hashes = codec.block_json(block)["transactions"]
    assert hashes == [tx["hash"]]


def test_receipt_and_pending_tx_shape(chain: Chain, client: Any) -> None:
    probe = deploy(client)
    tx_hash = bytes.fromhex(emit(client, probe, b"\x01")[2:])
    receipt = codec.receipt_json(chain.receipt(tx_hash), chain.head().header)
    assert list(receipt) == [
        "type", "status", "cumulativeGasUsed", "logs", "logsBloom", "transactionHash",
        "transactionIndex", "blockHash", "blockNumber", "gasUsed", "effectiveGasPrice",
        "blobGasPrice", "from", "to", "contractAddress", "blockTimestamp",
    ]  # fmt: skip
    assert receipt["contractAddress"] is None and receipt["to"] == probe
    assert list(receipt["logs"][0]) == [
        "address", "topics", "data", "blockHash", "blockNumber", "blockTimestamp",
        "transactionHash", "transactionIndex", "logIndex", "removed",
    ]  # fmt: skip
    assert logged_bytes(receipt["logs"][0]) == b"\x01"
    chain.set_automine(False)
    tx_hash = bytes.fromhex(send(client)[2:])
    tx, _ = chain.transaction(tx_hash)
    pending = codec.transaction_json(tx, None)
    assert pending["blockHash"] is None and pending["blockNumber"] is None
    assert pending["transactionIndex"] is None
    assert "blockTimestamp" not in pending
