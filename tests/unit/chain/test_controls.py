"""Mining modes, timestamps, snapshots, anvil_set* cheats, history and proofs."""

from __future__ import annotations

import pytest
import rlp
from eth_hash.auto import keccak

from crossroll.chain import Chain, ChainConfig
from crossroll.clock import VirtualClock
from crossroll.errors import ChainError, UnknownBlock
from crossroll.types import Block, CallRequest, DevAccount
from tests.unit.chain.helpers import START, sign


def test_automine_mines_on_send(chain: Chain, alice: DevAccount, bob: DevAccount) -> None:
    seen: list[Block] = []
    unsubscribe = chain.on_block(seen.append)
    tx_hash = chain.send_raw_transaction(sign(alice.private_key, to=bob.address, nonce=0))
    assert chain.receipt(tx_hash) is not None and [b.number for b in seen] == [1]
    unsubscribe()
    chain.mine()
    assert len(seen) == 1


def test_manual_mining(chain: Chain, alice: DevAccount, bob: DevAccount) -> None:
    chain.set_automine(False)
    for n in range(3):
        chain.send_raw_transaction(sign(alice.private_key, to=bob.address, nonce=n))
    assert chain.head().number == 0 and len(chain.pool) == 3
    pending = chain.block("pending")
    assert pending.number == 1 and len(pending.transactions) == 3
    assert chain.head().number == 0
    blocks = chain.mine(2)
    assert [len(b.transactions) for b in blocks] == [3, 0]
    assert blocks[1].header.parent_hash == blocks[0].hash


def test_interval_mining_on_virtual_clock(clock: VirtualClock) -> None:
    chain = Chain(ChainConfig(block_time=2.0, automine=False), clock)
    alice, bob = chain.dev_accounts[:2]
    chain.send_raw_transaction(sign(alice.private_key, to=bob.address, nonce=0))
    assert chain.head().number == 0
    clock.advance(2)
    assert chain.head().number == 1 and len(chain.head().transactions) == 1
    clock.advance(6)  # empty blocks too, like anvil --block-time
    assert chain.head().number == 4
    assert [b.header.timestamp for b in chain.store.blocks] == [
        START,
        START + 2,
        START + 4,
        START + 6,
        START + 8,
    ]
    chain.set_interval_mining(0)
    clock.advance(10)
    assert chain.head().number == 4


def test_timestamps(chain: Chain, clock: VirtualClock) -> None:
    assert chain.head().header.timestamp == START
    (b1,) = chain.mine()
    assert b1.header.timestamp == START + 1  # parent + 1 when the clock has not moved
    clock.advance(10)
    assert chain.mine()[0].header.timestamp == START + 10
    assert chain.increase_time(100) == 100 and chain.increase_time(16) == 116
    assert chain.mine()[0].header.timestamp == START + 126
    chain.set_next_block_timestamp(START + 1_000)
    assert chain.mine()[0].header.timestamp == START + 1_000
    with pytest.raises(ChainError) as err:
        chain.set_next_block_timestamp(START)
    assert err.value.code == -32602
    assert err.value.message == f"Timestamp error: {START} is lower than previous block's timestamp"
    chain.set_next_block_timestamp(START + 1_000)  # equal is accepted, like anvil
    assert chain.mine()[0].header.timestamp == START + 1_000


def test_snapshot_revert(chain: Chain, alice: DevAccount, bob: DevAccount) -> None:
    s0 = chain.snapshot()
    chain.send_raw_transaction(sign(alice.private_key, to=bob.address, nonce=0))
    s1 = chain.snapshot()
    assert s1 == s0 + 1
    tx_hash = chain.send_raw_transaction(sign(alice.private_key, to=bob.address, nonce=1))
    chain.set_balance(bob.address, 1)
    assert chain.revert(s1) is True
    assert chain.head().number == 1 and chain.receipt(tx_hash) is None
    assert chain.account(alice.address).nonce == 1
    assert chain.revert(s1) is False  # a snapshot is used up by reverting to it
    assert chain.revert(s0) is True
    assert chain.head().number == 0 and chain.account(alice.address).nonce == 0
    assert chain.revert(99) is False
    assert chain.snapshot() == s1 + 1  # ids keep increasing
    # the same nonce can be mined again on the reverted chain
    chain.send_raw_transaction(sign(alice.private_key, to=bob.address, nonce=0))
    assert chain.head().number == 1
    with chain.snapshotted():
        chain.mine(3)
    assert chain.head().number == 1


def test_cheats_visible_at_latest_and_in_next_root(chain: Chain, alice: DevAccount) -> None:
    who = b"\x99" * 20
    head_root = chain.head().header.state_root
    chain.set_balance(who, 123)
    chain.set_nonce(who, 7)
    chain.set_code(who, b"\x60\x00")
    chain.set_storage_at(who, 5, 42)
    acct = chain.account(who)
    assert (acct.balance, acct.nonce) == (123, 7)
    assert chain.code(who) == b"\x60\x00" and chain.storage(who, 5) == 42
    assert chain.account(who, 0).balance == 0  # numbered reads use the block's root
    assert chain.head().header.state_root == head_root
    (block,) = chain.mine()
    assert block.header.state_root == chain.state_root != head_root
    assert chain.storage(who, 5, block.number) == 42


def test_historical_reads(chain: Chain, alice: DevAccount, bob: DevAccount) -> None:
    balances = [chain.account(bob.address).balance]
    for n in range(3):
        chain.send_raw_transaction(sign(alice.private_key, to=bob.address, nonce=n, value=10))
        balances.append(chain.account(bob.address).balance)
    roots = {b.header.state_root for b in chain.store.blocks}
    assert len(roots) == 4
    for number, balance in enumerate(balances):
        assert chain.account(bob.address, number).balance == balance
        assert chain.account(bob.address, chain.block(number).hash).balance == balance
    assert chain.account(alice.address, "earliest").nonce == 0
    with pytest.raises(UnknownBlock):
        chain.block(99)
    with pytest.raises(UnknownBlock):
        chain.block(b"\x01" * 32)
    call = CallRequest(sender=alice.address, to=bob.address, value=1)
    assert chain.call(call, 1).success


# -- eth_getProof, checked with an independent Merkle-Patricia verifier --------
def _nibbles(key: bytes) -> list[int]:
    return [n for b in key for n in (b >> 4, b & 15)]


def _decode_path(encoded: bytes) -> tuple[list[int], bool]:
    flag = encoded[0] >> 4
    nibbles = _nibbles(encoded)[1 if flag & 1 else 2 :]
    return nibbles, flag >= 2


def verify(root: bytes, key: bytes, proof: tuple[bytes, ...]) -> bytes:
    """Walk the proof from ``root`` along keccak(key); return the value (b"" if absent)."""
    path = _nibbles(keccak(key))
    by_hash = {keccak(node): node for node in proof}
    ref: object = root
    while True:
        if isinstance(ref, bytes) and len(ref) == 32:
            if ref not in by_hash:
                if ref == keccak(rlp.encode(b"")) and not proof:
                    return b""
                raise AssertionError("proof is missing a node")
            node = rlp.decode(by_hash[ref])
        elif isinstance(ref, list):
            node = ref  # embedded node (< 32 bytes)
        elif ref == b"":
            return b""
        else:
            raise AssertionError("bad reference")
        if len(node) == 17:
            if not path:
                return node[16]
            ref, path = node[path[0]], path[1:]
        else:
            nibbles, leaf = _decode_path(node[0])
            if path[: len(nibbles)] != nibbles:
                return b""  # diverging path: exclusion proof
            path = path[len(nibbles) :]
            if leaf:
                return node[1] if not path else b""
            ref = node[1]


def test_get_proof_verifies(chain: Chain, alice: DevAccount, probe: bytes) -> None:
    set_data = bytes.fromhex("1ab06ee5") + (1).to_bytes(32, "big") + (99).to_bytes(32, "big")
    chain.send_transaction(CallRequest(sender=alice.address, to=probe, data=set_data))
    root = chain.head().header.state_root
    slot = next(s for s in range(64) if chain.storage(probe, s) == 99 or s > 62)
    proof = chain.proof(probe, [slot, 12345])
    acct_rlp = verify(root, probe, proof.account_proof)
    nonce, balance, storage_hash, code_hash = rlp.decode(acct_rlp)
    assert storage_hash == proof.storage_hash and code_hash == proof.code_hash
    assert int.from_bytes(nonce, "big") == proof.nonce
    assert int.from_bytes(balance, "big") == proof.balance
    present, absent = proof.storage_proof
    assert present.value == chain.storage(probe, slot) == 99
    value = verify(storage_hash, slot.to_bytes(32, "big"), present.proof)
    assert int.from_bytes(rlp.decode(value), "big") == present.value
    assert absent.value == 0
    assert verify(storage_hash, (12345).to_bytes(32, "big"), absent.proof) == b""
    # an account that does not exist: exclusion proof against the state root
    missing = chain.proof(b"\x77" * 20, [1])
    assert verify(root, b"\x77" * 20, missing.account_proof) == b""
    assert missing.balance == 0 and missing.storage_proof[0].value == 0
