"""Each speed-up in ``crossroll.chain.engine.speedups`` against the original it replaces."""

from __future__ import annotations

import random
from typing import Any

import pytest
import rlp
from eth.constants import BLANK_ROOT_HASH
from eth.db.trie import _make_trie_root_and_nodes
from eth.rlp.accounts import Account as RlpAccount
from eth.vm.code_stream import CodeStream
from eth.vm.forks import CancunVM
from eth_account import Account
from eth_keys.exceptions import BadSignature
from eth_utils import ValidationError
from rlp.codec import encode_raw
from trie import HexaryTrie

from crossroll.chain.engine import speedups
from crossroll.chain.engine.decode import _recover_typed_sender
from crossroll.chain.engine.speedups import ORIGINALS

KEY = "0x" + "11" * 32


def _random_bytes(rng: random.Random) -> bytes:
    size = rng.choice([0, 1, 1, 2, 31, 32, 32, 33, 55, 56, 57, 300, 70_000])
    if size == 1:
        return bytes([rng.choice([0, 1, 127, 128, 255])])
    return rng.randbytes(size)


def _random_node(rng: random.Random, depth: int = 0) -> Any:
    if depth > 2 or rng.random() < 0.4:
        return _random_bytes(rng)
    items = [_random_node(rng, depth + 1) for _ in range(rng.choice([0, 1, 2, 17]))]
    return tuple(items) if rng.random() < 0.2 else items


def test_speedups_are_installed() -> None:
    assert set(speedups.PATCHES) <= speedups._installed


def test_encode_node_matches_pyrlp() -> None:
    rng = random.Random(1)
    for _ in range(3000):
        node = _random_node(rng)
        assert speedups.encode_node(node) == encode_raw(node)


class _ReferenceTrie(HexaryTrie):  # type: ignore[misc]
    """HexaryTrie with the original node methods (the nibble helpers are pure
    functions, checked on their own below)."""


_ReferenceTrie.get_node = ORIGINALS["get_node"]
_ReferenceTrie._node_to_db_mapping = ORIGINALS["node_to_db_mapping"]
_ReferenceTrie._persist_node = ORIGINALS["persist_node"]
_ReferenceTrie._set_raw_node = ORIGINALS["set_raw_node"]


@pytest.mark.parametrize("prune", [False, True])
def test_trie_roots_and_databases_match_the_original(prune: bool) -> None:
    rng = random.Random(2)
    fast_db: dict[bytes, bytes] = {}
    ref_db: dict[bytes, bytes] = {}
    fast = HexaryTrie(fast_db, BLANK_ROOT_HASH, prune=prune)
    ref = _ReferenceTrie(ref_db, BLANK_ROOT_HASH, prune=prune)
    keys = [rng.randbytes(rng.choice([1, 2, 3, 32])) for _ in range(300)]
    for step in range(3000):
        key = rng.choice(keys)
        value = b"" if rng.random() < 0.25 else rng.randbytes(rng.choice([1, 5, 40]))
        fast[key] = value
        ref[key] = value
        assert fast.root_hash == ref.root_hash, step
        if step % 100 == 0:
            probe = rng.choice(keys)
            assert fast.get(probe) == ref.get(probe)
    assert fast_db == ref_db  # same nodes written and pruned
    speedups.clear_node_cache()  # everything is read back from the database
    fresh = HexaryTrie(fast_db, fast.root_hash)
    for key in keys:
        assert fresh.get(key) == ref.get(key)


def test_nibble_helpers_match_the_originals() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        raw = rng.randbytes(rng.choice([0, 1, 2, 20, 32]))
        assert speedups.bytes_to_nibbles(raw) == ORIGINALS["bytes_to_nibbles"](raw)
        nibbles = tuple(rng.randrange(16) for _ in range(rng.randrange(0, 65)))
        for candidate in (nibbles, (*nibbles, 16), list(nibbles)):
            assert speedups.encode_nibbles(candidate) == ORIGINALS["encode_nibbles"](candidate)
            assert speedups.add_nibbles_terminator(candidate) == ORIGINALS[
                "add_nibbles_terminator"
            ](candidate)
            assert speedups.remove_nibbles_terminator(candidate) == ORIGINALS[
                "remove_nibbles_terminator"
            ](candidate)
        encoded = ORIGINALS["encode_nibbles"](nibbles)
        assert speedups.decode_nibbles(encoded) == ORIGINALS["decode_nibbles"](encoded)


def test_serializable_copy_matches_the_original() -> None:
    header = CancunVM.create_genesis_header(
        difficulty=0,
        gas_limit=30_000_000,
        timestamp=1,
        base_fee_per_gas=7,
        parent_beacon_block_root=b"\x00" * 32,
        extra_data=b"",
        nonce=b"\x00" * 8,
        mix_hash=b"\x00" * 32,
    )
    fast = header.copy(gas_used=5, timestamp=9)
    ref = ORIGINALS["serializable_copy"](header, gas_used=5, timestamp=9)
    assert fast == ref and rlp.encode(fast) == rlp.encode(ref) and fast.hash == ref.hash
    assert header.copy() == header
    with pytest.raises(TypeError):
        header.copy(no_such_field=1)
    account = RlpAccount(nonce=1, balance=2)
    assert account.copy(3) == ORIGINALS["serializable_copy"](account, 3)


def test_jumpdest_analysis_matches_the_original() -> None:
    rng = random.Random(4)
    for _ in range(300):
        # dense in PUSH opcodes (0x60-0x7f), including a PUSH cut off by the end
        code = bytes(
            rng.choice([0x5B, 0x60, 0x61, 0x7F, 0x00, rng.randrange(256)])
            for _ in range(rng.randrange(0, 120))
        )
        fast, ref = CodeStream(code), CodeStream(code)
        for position in range(len(code) + 3):
            assert speedups._is_valid_opcode(fast, position) == ORIGINALS["is_valid_opcode"](
                ref, position
            ), (code.hex(), position)


@pytest.mark.parametrize("count", [0, 1, 2, 15, 16, 17, 127, 128, 129, 300])
def test_ordered_trie_root_matches_hexary_trie(count: int) -> None:
    rng = random.Random(count)
    items = tuple(rng.randbytes(rng.choice([1, 20, 31, 32, 33, 200])) for _ in range(count))
    assert speedups.ordered_trie_root(items) == _make_trie_root_and_nodes.__wrapped__(items)[0]


def _signed(**fields: Any) -> bytes:
    tx = {
        "type": 2,
        "chainId": 31337,
        "nonce": 3,
        "to": "0x" + "22" * 20,
        "value": 1,
        "gas": 21_000,
        "maxFeePerGas": 10**9,
        "maxPriorityFeePerGas": 1,
        "data": b"",
    }
    tx.update(fields)
    tx = {k: v for k, v in tx.items() if v is not None}
    return bytes(Account.sign_transaction(tx, KEY).raw_transaction)


def test_single_recovery_gives_the_original_sender() -> None:
    builder = CancunVM.get_transaction_builder()
    for raw in (
        _signed(),
        _signed(
            type=1, gasPrice=10**9, maxFeePerGas=None, maxPriorityFeePerGas=None, accessList=[]
        ),
    ):
        fast, ref = builder.decode(raw), builder.decode(raw)
        _recover_typed_sender(fast)
        ref.check_signature_validity()
        assert fast.sender == ref.sender == bytes.fromhex(Account.from_key(KEY).address[2:])


def test_single_recovery_rejects_what_the_original_rejects() -> None:
    builder = CancunVM.get_transaction_builder()
    tx = builder.decode(_signed())
    inner: Any = tx._inner
    for bad in (inner.copy(y_parity=2), inner.copy(r=0), inner.copy(s=2**256 - 1)):
        wrapped = type(tx)(tx.type_id, bad)
        with pytest.raises((ValidationError, BadSignature, ValueError)):
            wrapped.check_signature_validity()
        with pytest.raises((ValidationError, BadSignature, ValueError)):
            _recover_typed_sender(type(tx)(tx.type_id, bad))


def test_signing_message_cut_from_raw_bytes_matches_py_evm() -> None:
    from crossroll.chain.engine.decode import signing_message

    builder = CancunVM.get_transaction_builder()
    raws = [
        _signed(),
        _signed(data=b"\x01" * 300, nonce=2**40, value=10**30),
        _signed(accessList=[{"address": "0x" + "33" * 20, "storageKeys": ["0x" + "00" * 32]}]),
        _signed(
            type=1, gasPrice=10**9, maxFeePerGas=None, maxPriorityFeePerGas=None, accessList=[]
        ),
        _signed(to=None, data=b"\x60" * 5000),
    ]
    for raw in raws:
        assert signing_message(raw) == builder.decode(raw).get_message_for_signing()
        fast, ref = builder.decode(raw), builder.decode(raw)
        _recover_typed_sender(fast, raw)
        assert fast.hash == ref.hash and fast.sender == ref.sender
    legacy = bytes(
        Account.sign_transaction(
            {
                "nonce": 0,
                "gasPrice": 1,
                "gas": 21_000,
                "to": "0x" + "22" * 20,
                "value": 0,
                "chainId": 1,
            },
            KEY,
        ).raw_transaction
    )
    assert signing_message(legacy) is None


def test_evicted_parent_header_is_read_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from crossroll.chain import Chain, ChainConfig
    from crossroll.chain.engine import pyevm
    from crossroll.clock import VirtualClock

    monkeypatch.setattr(pyevm, "_HEADER_CACHE_SIZE", 2)
    chain = Chain(ChainConfig(genesis_timestamp=1_700_000_000), VirtualClock(start=1_700_000_000))
    snap = chain.snapshot()
    first = chain.mine(6)
    chain.revert(snap)
    again = chain.mine(6)  # block 1's parent (genesis) left the cache long ago
    assert [b.hash for b in again] == [b.hash for b in first]
    chain.close()
