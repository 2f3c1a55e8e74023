"""The hand-written static ABI path agrees with eth_abi byte for byte."""

from __future__ import annotations

from eth_abi import decode, encode
from hypothesis import given
from hypothesis import strategies as st

from crossroll.rollup.abi import _encode_static, abi_decode, abi_encode

addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
scalar = st.one_of(
    st.tuples(st.just("uint256"), st.integers(0, 2**256 - 1)),
    st.tuples(st.just("uint64"), st.integers(0, 2**64 - 1)),
    st.tuples(st.just("address"), addresses),
    st.tuples(st.just("bool"), st.booleans()),
    st.tuples(st.just("bytes32"), st.binary(min_size=32, max_size=32)),
)
entry = st.one_of(
    scalar,
    st.tuples(
        st.just("(address,uint256,bool)"),
        st.tuples(addresses, st.integers(0, 2**256 - 1), st.booleans()),
    ),
)


@given(st.lists(entry, max_size=8))
def test_static_encoding_equals_eth_abi(entries):
    types, args = [t for t, _ in entries], [a for _, a in entries]
    assert _encode_static(types, args) is not None
    assert abi_encode(types, args) == encode(types, args)


@given(st.lists(st.integers(0, 2**256 - 1), max_size=4))
def test_uint_decoding_equals_eth_abi(values):
    types = ["uint256"] * len(values)
    data = encode(types, values)
    assert abi_decode(types, data) == tuple(decode(types, data)) == tuple(values)


def test_dynamic_types_fall_back_to_eth_abi():
    assert _encode_static(["string"], ["x"]) is None
    assert abi_encode(["string", "uint256[]"], ["x", [1, 2]]) == encode(
        ["string", "uint256[]"], ["x", [1, 2]]
    )
    assert abi_decode(["address"], encode(["address"], ["0x" + "11" * 20])) == ("0x" + "11" * 20,)
