"""MerkleTrie / SecureMerkleTrie / RLPReader (through SettlementProbe) against proofs made by
the chain (eth_getProof storage and account proofs), against tries with embedded nodes built
with the trie package the chain itself uses, and against malformed input."""

from __future__ import annotations

import random
from typing import Any

import pytest
import rlp
from eth_abi import decode
from eth_hash.auto import keccak
from trie import HexaryTrie

from crossroll.types import CallRequest
from tests.unit.contracts.conftest import (
    DEPLOYER,
    Node,
    Reverted,
    calldata,
    eth_call,
    revert_reason,
    selector,
)

EMPTY_ROOT = keccak(b"\x80")
GET = "trieGet(bytes,bytes[],bytes32)"
SECURE_GET = "secureTrieGet(bytes,bytes[],bytes32)"


def err(signature: str, *args: int) -> str:
    return "0x" + (selector(signature) + b"".join(a.to_bytes(32, "big") for a in args)).hex()


@pytest.fixture
def probe(l1: Node) -> bytes:
    return l1.deploy(DEPLOYER, "SettlementProbe")


def get(
    l1: Node, probe: bytes, key: bytes, proof: list[bytes], root: bytes, secure: bool = False
) -> tuple[bool, bytes]:
    return l1.view(
        probe, SECURE_GET if secure else GET, key, proof, root, returns=["bool", "bytes"]
    )


def fails(
    l1: Node, probe: bytes, key: bytes, proof: list[bytes], root: bytes, secure: bool = False
) -> str:
    with pytest.raises(Reverted) as info:
        get(l1, probe, key, proof, root, secure)
    return info.value.reason


def geth_proof(t: HexaryTrie, key: bytes) -> list[bytes]:
    """EIP-1186 shape: the root, then only the nodes referenced by hash (embedded ones are inside
    their parents). py-trie lists embedded nodes separately, so they are dropped here."""
    encoded = [rlp.encode(n) for n in t.get_proof(key)]
    return [enc for i, enc in enumerate(encoded) if i == 0 or len(enc) >= 32]


# ---------------------------------------------------------------- proofs from the chain


def test_storage_proofs_from_the_chain(l1: Node, l2: Node, probe: bytes) -> None:
    who = b"\x77" * 20
    slots = {i * 7919: i + 1 for i in range(40)} | {2**256 - 1: 2**256 - 1, 5: 0x80}
    for slot, value in slots.items():
        l2.chain.set_storage_at(who, slot, value)
    present = [*list(slots)[::7], 2**256 - 1, 5]
    absent = [1, 2, 3, 10**30]
    proof = l2.chain.proof(who, present + absent)
    for sp in proof.storage_proof:
        key = sp.key.to_bytes(32, "big")
        exists, value = get(l1, probe, key, list(sp.proof), proof.storage_hash, secure=True)
        if sp.key in slots:
            assert exists and value == rlp.encode(slots[sp.key]) and sp.value == slots[sp.key]
        else:
            assert (exists, value) == (False, b"") and sp.value == 0
        assert l1.view(
            probe,
            "secureVerifyInclusion(bytes,bytes,bytes[],bytes32)",
            key,
            rlp.encode(slots.get(sp.key, 0)),
            list(sp.proof),
            proof.storage_hash,
            returns=["bool"],
        ) is (sp.key in slots)


def test_account_proofs_from_the_chain(l1: Node, l2: Node, probe: bytes) -> None:
    passer = b"\x42" + b"\x00" * 18 + b"\x16"
    l2.chain.mine()  # a block whose state includes the predeploy set with set_code
    head = l2.chain.head()
    for address in [l2.chain.dev_accounts[0].address, passer, b"\x99" * 20]:
        p = l2.chain.proof(address, [], head.number)
        exists, value = get(
            l1, probe, address, list(p.account_proof), head.header.state_root, secure=True
        )
        if address == b"\x99" * 20:
            assert (exists, value) == (False, b"")
        else:
            assert exists
            assert value == rlp.encode([p.nonce, p.balance, p.storage_hash, p.code_hash])
    assert l2.chain.proof(passer, [], head.number).code_hash == keccak(l2.chain.code(passer))


def test_empty_trie(l1: Node, l2: Node, probe: bytes) -> None:
    assert get(l1, probe, b"\x01", [], EMPTY_ROOT) == (False, b"")
    assert fails(l1, probe, b"\x01", [], b"\x12" * 32) == err("ProofTooShort()")
    # the chain's proof for a slot of an account without storage
    p = l2.chain.proof(b"\x55" * 20, [3])
    assert p.storage_hash == EMPTY_ROOT
    assert get(
        l1, probe, (3).to_bytes(32, "big"), list(p.storage_proof[0].proof), EMPTY_ROOT, secure=True
    ) == (False, b"")


def test_transaction_proofs_against_a_block(l1: Node, l2: Node, probe: bytes) -> None:
    """A plain (non-secure) trie with real data: the block's transactions trie, keyed rlp(index)."""
    l2.chain.set_automine(False)
    nonce = l2.nonce(DEPLOYER)
    for i in range(20):
        l2.chain.send_raw_transaction(
            l2.sign(DEPLOYER, b"\x11" * 20, value=i, gas=21_000, nonce=nonce + i)
        )
    [block] = l2.chain.mine()
    assert len(block.transactions) == 20
    t = HexaryTrie({})
    for i, tx in enumerate(block.transactions):
        t[rlp.encode(i)] = tx.raw
    assert t.root_hash == block.header.transactions_root
    for i in (0, 1, 7, 16, 19):
        key = rlp.encode(i)
        got = get(l1, probe, key, geth_proof(t, key), block.header.transactions_root)
        assert got == (True, block.transactions[i].raw)
    assert get(l1, probe, rlp.encode(20), geth_proof(t, rlp.encode(20)), t.root_hash) == (
        False,
        b"",
    )


# ---------------------------------------------------------------- embedded nodes


def test_embedded_nodes(l1: Node, probe: bytes) -> None:
    t = HexaryTrie({})
    items = {
        b"\x01": b"a",
        b"\x01\x02": b"bb",
        b"\x01\x02\x03": b"c" * 40,
        b"\x02": b"d",
        b"\x80": b"e",
        b"\x81\x00": b"f",
    }
    for k, v in items.items():
        t[k] = v
    saw_embedded = False
    for k, v in items.items():
        raw = [rlp.encode(n) for n in t.get_proof(k)]
        saw_embedded |= any(len(enc) < 32 for enc in raw[1:])
        assert get(l1, probe, k, geth_proof(t, k), t.root_hash) == (True, v)
    assert saw_embedded
    for k in (
        b"\x03",
        b"\x01\x03",
        b"\x01\x02\x04",
        b"\x81",
        b"\x81\x01",
        b"\x01\x02\x03\x04",
        b"",
    ):
        assert get(l1, probe, k, geth_proof(t, k), t.root_hash) == (False, b"")


def test_random_tries(l1: Node, probe: bytes) -> None:
    rng = random.Random(7)
    for _ in range(12):
        t = HexaryTrie({})
        items = {}
        for _ in range(rng.randrange(1, 40)):
            k = bytes(rng.randrange(4) for _ in range(rng.randrange(1, 4)))
            items[k] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 45)))
            t[k] = items[k]
        for k in [
            *rng.sample(list(items), min(4, len(items))),
            *(bytes(rng.randrange(5) for _ in range(rng.randrange(1, 5))) for _ in range(4)),
        ]:
            want = (True, items[k]) if k in items else (False, b"")
            assert get(l1, probe, k, geth_proof(t, k), t.root_hash) == want, (items, k)


# ---------------------------------------------------------------- malformed input


def _single(node: Any) -> tuple[bytes, list[bytes]]:
    enc = rlp.encode(node) if not isinstance(node, bytes) else node
    return keccak(enc), [enc]


LEAF_1 = [b"\x20\x01", b"\x05"]  # leaf, even path [0, 1], value 0x05


def test_malformed_proofs(l1: Node, probe: bytes) -> None:
    key = b"\x01"
    root, proof = _single(LEAF_1)
    assert get(l1, probe, key, proof, root) == (True, b"\x05")
    assert get(l1, probe, b"\x02", proof, root) == (False, b"")

    assert fails(l1, probe, key, proof, b"\x00" * 32) == err("BadNodeHash(uint256)", 0)
    assert fails(l1, probe, key, [*proof, proof[0]], root) == err("ProofTooLong()")
    invalid_rlp, malformed = err("InvalidRLP()"), err("MalformedNode()")
    cases = {
        # not a list / trailing bytes / truncated
        b"\x83abc": invalid_rlp,
        rlp.encode(LEAF_1) + b"\x00": invalid_rlp,
        rlp.encode(LEAF_1)[:-1]: invalid_rlp,
        # non-canonical: a byte < 0x80 wrapped in a string header; long form for a short list
        b"\xc4\x82\x20\x01\x81\x05": invalid_rlp,
        b"\xf8\x04\x82\x20\x01\x05": invalid_rlp,
        # wrong arity, bad hex-prefix flag, dirty even-path padding, empty path, empty value
        rlp.encode([b"\x20\x01", b"\x05", b"\x06"]): malformed,
        rlp.encode([b"\x40\x01", b"\x05"]): malformed,
        rlp.encode([b"\x21\x01", b"\x05"]): malformed,
        rlp.encode([b"", b"\x05"]): malformed,
        rlp.encode([b"\x20\x01", b""]): malformed,
        # extension: empty path, empty child, child reference of a bad length, oversized embedded
        rlp.encode([b"\x00", b"\x12" * 32]): malformed,
        rlp.encode([b"\x00\x01", b""]): malformed,
        rlp.encode([b"\x00\x01", b"\x12" * 5]): malformed,
        rlp.encode([b"\x00\x01", [b"\x20", b"x" * 40]]): malformed,
    }
    for node, want in cases.items():
        assert fails(l1, probe, key, [node], keccak(node)) == want, node.hex()

    # a branch: 17 items, child 0 a hash the proof does not supply, or a bad reference
    branch = [b""] * 17
    branch[0] = b"\x34" * 32
    enc = rlp.encode(branch)
    assert fails(l1, probe, b"\x01", [enc], keccak(enc)) == err("ProofTooShort()")
    assert get(l1, probe, b"\x11", [enc], keccak(enc)) == (False, b"")  # empty slot 1
    assert fails(l1, probe, b"\x01", [enc, rlp.encode(LEAF_1)], keccak(enc)) == (
        err("BadNodeHash(uint256)", 1)
    )
    branch[0] = b"\x34" * 31
    enc = rlp.encode(branch)
    assert fails(l1, probe, b"\x01", [enc], keccak(enc)) == malformed
    assert fails(l1, probe, b"\x01", [rlp.encode([b""] * 16)], keccak(rlp.encode([b""] * 16))) == (
        malformed
    )


def test_rlp_reader(l1: Node, probe: bytes) -> None:
    items = [
        b"",
        b"\x00",
        b"\x7f",
        b"\x80",
        b"x" * 55,
        b"y" * 56,
        b"z" * 300,
        [],
        [b"a", [b"b"]],
        [b"q" * 60],
    ]
    out = l1.view(probe, "rlpItems(bytes)", rlp.encode(items), returns=["bytes[]"])
    assert list(out) == [rlp.encode(i) for i in items]
    for bad in [
        b"",
        b"\x80",
        b"\xc1",
        b"\xc2\x81\x01",
        b"\xc3\xb8\x01\x01",
        b"\xc1\x80\x80",
        b"\xf9\x00\x01\x80",
        b"\xc0\x00",
    ]:
        res = eth_call(l1.chain, CallRequest(to=probe, data=calldata("rlpItems(bytes)", bad)))
        assert not res.success and revert_reason(res.output) == err("InvalidRLP()"), bad.hex()


def test_trie_gas(l1: Node, l2: Node, probe: bytes) -> None:
    """Gas of SecureMerkleTrie.get alone, per proof size (printed for the benchmarks)."""
    who = b"\x78" * 20
    rng = random.Random(1)
    for _ in range(3000):
        l2.chain.set_storage_at(who, rng.getrandbits(256), 1)
    p = l2.chain.proof(who, [rng.getrandbits(256)])
    sp = p.storage_proof[0]
    data = calldata(SECURE_GET, sp.key.to_bytes(32, "big"), list(sp.proof), p.storage_hash)
    res = eth_call(l1.chain, CallRequest(to=probe, data=data))
    assert res.success and decode(["bool", "bytes"], res.output) == (False, b"")
    print(
        f"\nGAS SecureMerkleTrie.get nodes={len(sp.proof)} bytes={sum(map(len, sp.proof))} "
        f"call_gas={res.gas_used}"
    )
