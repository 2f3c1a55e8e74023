"""Hypothesis strategies and fixed examples for the DA tests.

Raw transactions are built here with plain ``rlp`` (not with ``crossroll.da.txfields``),
so codec round-trips are checked against an independent encoder.
"""

from __future__ import annotations

from functools import cache

import rlp
from eth_account import Account
from hypothesis import strategies as st

from crossroll.da.batch import Batch, L2BlockData

uint = st.one_of(st.integers(0, 300), st.integers(0, 2**64), st.integers(0, 2**256 - 1))
sig_int = st.integers(1, 2**256 - 1)
address = st.binary(min_size=20, max_size=20)
to = st.one_of(st.none(), address, st.sampled_from([b"\x11" * 20, b"\x22" * 20]))
calldata = st.one_of(
    st.binary(max_size=3),
    st.binary(max_size=200),
    st.builds(lambda a: bytes.fromhex("a9059cbb") + bytes(12) + a + bytes(32), address),
)
access_list = st.lists(
    st.tuples(address, st.lists(st.binary(min_size=32, max_size=32), max_size=2)), max_size=2
)


def legacy(
    nonce: int,
    price: int,
    gas: int,
    to: bytes | None,
    value: int,
    data: bytes,
    chain_id: int | None,
    parity: int,
    r: int,
    s: int,
) -> bytes:
    v = 27 + parity if chain_id is None else 35 + 2 * chain_id + parity
    return rlp.encode([nonce, price, gas, to or b"", value, data, v, r, s])


def typed(
    kind: int,
    chain_id: int,
    nonce: int,
    price: int,
    tip: int,
    gas: int,
    to: bytes | None,
    value: int,
    data: bytes,
    al: list[tuple[bytes, list[bytes]]],
    parity: int,
    r: int,
    s: int,
) -> bytes:
    fee = [price] if kind == 1 else [tip, price]
    body = [
        chain_id,
        nonce,
        *fee,
        gas,
        to or b"",
        value,
        data,
        [[a, k] for a, k in al],
        parity,
        r,
        s,
    ]
    return bytes([kind]) + rlp.encode(body)


raw_legacy = st.builds(
    legacy,
    uint,
    uint,
    uint,
    to,
    uint,
    calldata,
    st.one_of(st.none(), st.integers(1, 2**32)),
    st.integers(0, 1),
    sig_int,
    sig_int,
)
raw_typed = st.builds(
    typed,
    st.sampled_from([1, 2]),
    st.integers(0, 2**64),
    uint,
    uint,
    uint,
    uint,
    to,
    uint,
    calldata,
    access_list,
    st.integers(0, 1),
    sig_int,
    sig_int,
)
raw_tx = st.one_of(raw_legacy, raw_typed)

block = st.builds(
    L2BlockData,
    number=st.integers(0, 2**40),
    timestamp=st.integers(0, 2**40),
    parent_hash=st.binary(min_size=32, max_size=32),
    transactions=st.lists(raw_tx, max_size=4).map(tuple),
    l1_origin=st.integers(0, 2**40),
)
batch = st.lists(block, min_size=0, max_size=4).map(lambda bs: Batch(tuple(bs)))

KEYS = [bytes([i + 1]) * 32 for i in range(4)]


@cache
def signed_examples() -> tuple[bytes, ...]:
    """Real signatures, one of each supported shape."""
    key = KEYS[0]
    base = {
        "nonce": 7,
        "gas": 60_000,
        "to": "0x" + "11" * 20,
        "value": 12345,
        "data": b"\xa9\x05\x9c\xbb" + bytes(64),
    }
    txs = [
        {**base, "gasPrice": 10**9},  # legacy, no EIP-155
        {**base, "gasPrice": 10**9, "chainId": 901},  # legacy EIP-155
        {
            **base,
            "type": 1,
            "gasPrice": 10**9,
            "chainId": 901,
            "accessList": [{"address": "0x" + "33" * 20, "storageKeys": ["0x" + "00" * 31 + "01"]}],
        },
        {**base, "type": 2, "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9, "chainId": 901},
        {
            **base,
            "type": 2,
            "maxFeePerGas": 10**10,
            "maxPriorityFeePerGas": 0,
            "chainId": 901,
            "to": b"",
            "data": b"\x60\x00\x60\x00",
        },  # contract creation
    ]
    return tuple(bytes(Account.sign_transaction(tx, key).raw_transaction) for tx in txs)


def example_batch() -> Batch:
    txs = signed_examples()
    return Batch(
        (
            L2BlockData(100, 1_700_000_000, b"\x01" * 32, txs[:2], 7),
            L2BlockData(101, 1_700_000_002, b"\x02" * 32, (), 7),
            L2BlockData(102, 1_700_000_004, b"\x03" * 32, txs[2:], 8),
        )
    )
