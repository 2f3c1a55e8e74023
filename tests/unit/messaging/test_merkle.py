"""The settled path's Merkle trees: Python against a slow reference, proofs, and the on-chain
MessageOutbox (appends from the messenger address) holding the same roots as Python."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest
from eth_abi import decode, encode
from eth_hash.auto import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.rules import L2Rules
from crossroll.clock import VirtualClock
from crossroll.contracts import load
from crossroll.errors import ExecutionReverted, MerkleError
from crossroll.messaging.addresses import L2_TO_L2_MESSENGER, MESSAGE_OUTBOX
from crossroll.messaging.merkle import (
    DEPTH,
    MAX_LEAVES,
    ZERO_HASHES,
    MessageTree,
    message_leaf,
    node,
    rollup_leaf,
    root_from_proof,
    verify,
)
from crossroll.types import CallRequest

hashes = st.binary(min_size=32, max_size=32)
FORWARD = keccak(b"forward(address,bytes)")[:4]
APPEND = keccak(b"append(bytes32)")[:4]
# The eth2 deposit contract's empty root with plain keccak is 0x27ae5b...; with the 0x01 node
# prefix it differs, and this pins it (what MessageOutbox.sol's loop must also reach).
EMPTY_ROOT = "7c1d0e8a93ea9c09cc13b91ead8f72de66a33cb695c30934dc2d75bffac1248e"


def reference_root(leaves: list[bytes]) -> bytes:
    """The root by definition: a full binary tree of depth 32, empty leaves zero."""

    @cache
    def subtree(height: int, start: int) -> bytes:
        if start >= len(leaves):
            return ZERO_HASHES[height]
        if height == 0:
            return leaves[start]
        half = 1 << (height - 1)
        return node(subtree(height - 1, start), subtree(height - 1, start + half))

    return subtree(DEPTH, 0)


def test_hashing_is_domain_separated() -> None:
    h = bytes(range(32))
    assert message_leaf(h) == keccak(b"\x00" + h)
    assert node(h, h) == keccak(b"\x01" + h + h)
    assert rollup_leaf(901, h) == keccak(b"\x02" + (901).to_bytes(32, "big") + h)
    assert ZERO_HASHES[0] == bytes(32) and len(ZERO_HASHES) == DEPTH + 1
    assert MessageTree().root() == ZERO_HASHES[DEPTH]
    assert ZERO_HASHES[DEPTH].hex() == EMPTY_ROOT


@settings(max_examples=60, deadline=None)
@given(leaves=st.lists(hashes, max_size=40), data=st.data())
def test_every_proof_verifies_and_only_there(leaves: list[bytes], data: st.DataObject) -> None:
    tree = MessageTree(leaves)
    root = tree.root()
    assert root == reference_root(leaves)
    for index, leaf in enumerate(leaves):
        proof = tree.proof(index)
        assert len(proof) == DEPTH
        assert verify(leaf, proof, index, root)
        assert root_from_proof(leaf, proof, index) == root
    if leaves:
        index = data.draw(st.integers(0, len(leaves) - 1))
        proof = tree.proof(index)
        # Another position, another leaf, a flipped sibling or a high index bit all fail.
        swapped = verify(leaves[index], proof, index ^ 1, root)
        assert swapped == (proof[0] == leaves[index])  # only a twin leaf verifies there
        assert not verify(keccak(leaves[index]), proof, index, root)
        height = data.draw(st.integers(0, DEPTH - 1))
        bad = list(proof)
        bad[height] = keccak(bad[height])
        assert not verify(leaves[index], bad, index, root)
        assert not verify(leaves[index], proof, index + MAX_LEAVES, root)  # out of range
        assert not verify(leaves[index], proof[:-1], index, root)


@settings(max_examples=30, deadline=None)
@given(leaves=st.lists(hashes, min_size=1, max_size=20), data=st.data())
def test_set_replaces_a_leaf_like_a_rebuild(leaves: list[bytes], data: st.DataObject) -> None:
    tree = MessageTree(leaves)
    tree.root()  # cached layers must be dropped by set
    index = data.draw(st.integers(0, len(leaves)))
    new = data.draw(hashes)
    tree.set(index, new)
    expected = [*leaves[:index], new, *leaves[index + 1 :]]
    assert tree.root() == MessageTree(expected).root() == reference_root(expected)
    assert verify(new, tree.proof(index), index, tree.root())


def test_malformed_input_is_a_merkle_error() -> None:
    tree = MessageTree([bytes(32)])
    with pytest.raises(MerkleError):
        tree.proof(1)
    with pytest.raises(MerkleError):
        tree.set(3, bytes(32))
    with pytest.raises(MerkleError):
        root_from_proof(bytes(32), [bytes(32)] * 31, 0)
    with pytest.raises(MerkleError):
        root_from_proof(bytes(32), [bytes(32)] * 32, MAX_LEAVES)


# ------------------------------------------------------------------ on chain
@pytest.fixture(scope="module")
def l2() -> Iterator[Chain]:
    """An L2 with the outbox predeploy; the messenger's address holds a forwarder so a test
    can append as the messenger."""
    chain = Chain(ChainConfig(chain_id=901, rules=L2Rules), VirtualClock(start=1_700_000_000))
    chain.set_code(L2_TO_L2_MESSENGER, load("SettlementProbe").deployed_bytecode)
    yield chain
    chain.close()


def append_as_messenger(chain: Chain, msg_hash: bytes) -> None:
    inner = APPEND + msg_hash
    data = FORWARD + encode(["address", "bytes"], [MESSAGE_OUTBOX, inner])
    sender = chain.dev_accounts[0].address
    chain.send_transaction(
        CallRequest(sender=sender, to=L2_TO_L2_MESSENGER, data=data, gas=300_000)
    )


def outbox_view(chain: Chain, signature: str) -> int:
    out = chain.call(CallRequest(to=MESSAGE_OUTBOX, data=keccak(signature.encode())[:4]))
    return int(decode(["uint256"], out.output)[0])


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(msgs=st.lists(hashes, min_size=1, max_size=24))
def test_solidity_outbox_root_equals_python(l2: Chain, msgs: list[bytes]) -> None:
    with l2.snapshotted():
        tree = MessageTree()
        assert l2.storage(MESSAGE_OUTBOX, 0) == 0  # nothing appended: no root yet
        for msg in msgs:
            append_as_messenger(l2, msg)
            index = tree.append(message_leaf(msg))
            assert outbox_view(l2, "count()") == index + 1
            assert l2.storage(MESSAGE_OUTBOX, 0) == int.from_bytes(tree.root(), "big")
        assert outbox_view(l2, "root()") == int.from_bytes(tree.root(), "big")


def test_only_the_messenger_appends(l2: Chain) -> None:
    data = APPEND + bytes(32)
    with pytest.raises(ExecutionReverted) as err:
        l2.call(CallRequest(sender=l2.dev_accounts[0].address, to=MESSAGE_OUTBOX, data=data))
    assert str(err.value.data) == "0x" + keccak(b"NotMessenger()")[:4].hex()
    assert l2.call(CallRequest(sender=L2_TO_L2_MESSENGER, to=MESSAGE_OUTBOX, data=data)).success


def test_a_full_outbox_refuses_more(l2: Chain) -> None:
    data = APPEND + bytes(32)
    with l2.snapshotted():
        l2.set_storage_at(MESSAGE_OUTBOX, 1, MAX_LEAVES - 1)  # count
        with pytest.raises(ExecutionReverted) as err:
            l2.call(CallRequest(sender=L2_TO_L2_MESSENGER, to=MESSAGE_OUTBOX, data=data))
        assert str(err.value.data) == "0x" + keccak(b"TreeFull()")[:4].hex()
        l2.set_storage_at(MESSAGE_OUTBOX, 1, MAX_LEAVES - 2)  # the last leaf still fits
        assert l2.call(CallRequest(sender=L2_TO_L2_MESSENGER, to=MESSAGE_OUTBOX, data=data)).success
