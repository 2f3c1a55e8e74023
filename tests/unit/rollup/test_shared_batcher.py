"""The shared batcher on a devnet with two shared rollups (901, 902) and one own (903): one
L1 transaction carries both shared rollups' blocks of a slot range, each rollup's derivation
reads its own namespace (safe heads and verifiers agree with the sequenced blocks), other
senders and corrupt envelopes are ignored, a slot is firm from the L1 block that mines its
transaction on, and a dropped transaction is posted again.  The shared sequencer builds the
slots from the transfers sent to the rollups' pools."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from crossroll.da import ChannelBuilder, decode_blob, decode_envelope, encode_envelope
from crossroll.da.batch import Batch, L2BlockData
from crossroll.da.namespace import EnvelopeEntry
from crossroll.network import Network
from crossroll.rollup.batcher import Batcher
from crossroll.rollup.config import batch_inbox
from crossroll.rollup.shared_batcher import SharedBatcher
from crossroll.rollup.transact import nonce, send
from crossroll.sequencing.addresses import SHARED_BATCH_INBOX, shared_sequencer_account
from crossroll.types import CallRequest
from tests.unit.rollup.conftest import FREE

SHARED = (901, 902)


def start(da: str) -> Network:
    return Network.start(
        virtual_time=True,
        rollups__count=3,
        rollups__da=da,
        sequencing__chains={901: "shared", 902: "shared"},
        **FREE,
    )


@pytest.fixture
def net() -> Iterator[Network]:
    with start("blobs") as network:
        yield network


def shared_batcher(net: Network) -> SharedBatcher:
    batcher = net._rollups.shared_batcher
    assert batcher is not None
    return batcher


def traffic(net: Network, rounds: int, txs: int = 1) -> int:
    """``rounds`` times: ``txs`` transfers to each shared rollup's pool, then a slot's time
    (the shared sequencer builds the slots); returns the slot holding the last one."""
    alice, bob = net.accounts[0], net.accounts[1]
    sent = b""
    for _ in range(rounds):
        with net.lock:
            for cid in SHARED:
                for i in range(txs):
                    sent = net.chain(cid).chain.send_transaction(
                        CallRequest(sender=alice.address, to=bob.address, value=i + 1)
                    )
        net.advance(net.config.sequencing.slot_time)
    with net.lock:
        heads = {net.chain(cid).chain.head().number for cid in SHARED}
        receipt = net.chain(SHARED[-1]).chain.receipt(sent)
    assert len(heads) == 1, "the shared rollups' heads are not aligned"
    assert receipt is not None
    return receipt.block_number


def tracker(net: Network, chain_id: int) -> Any:
    return net._rollups.trackers[net.config.rollup_ids.index(chain_id)]


def members(net: Network) -> list[Batcher]:
    return [net.batchers[net.config.rollup_ids.index(c)] for c in SHARED]


def until_in_flight(net: Network, sb: SharedBatcher) -> tuple[int, int, tuple[bytes, ...]]:
    """Advance until a range is sent and not mined yet: (first slot, last slot, L1 txs)."""
    for _ in range(60):
        sent = sb._in_flight
        if sent is not None and all(net.l1.chain.receipt(h) is None for h in sent.tx_hashes):
            return sent.first_slot, sent.last_slot, sent.tx_hashes
        net.advance(1)
    raise AssertionError("the shared batcher sent nothing")


def payloads(net: Network, l1_block: int, inbox: bytes) -> list[tuple[bytes, list[bytes]]]:
    """(sender, payloads) of each inbox transaction of an L1 block (calldata or blobs)."""
    view = net._rollups.l1_view
    out = []
    for tx in view.inbox_transactions(l1_block, inbox):
        if tx.blob_hashes:
            data = [decode_blob(b) for b in view.blobs(l1_block, tx.blob_hashes)]
        else:
            data = [tx.data]
        out.append((tx.sender, data))
    return out


def assert_verifier_agrees(net: Network, chain_id: int, at_least: int) -> None:
    verifier = net.start_verifier(chain_id, serve=False)
    net.advance(1)
    derivation = verifier.derivation
    assert derivation.namespace == chain_id
    upto = derivation.head.number
    assert upto == tracker(net, chain_id).head.number >= at_least, derivation.counters.to_json()
    sequenced = net.chain(chain_id).chain
    for n in range(upto + 1):
        ours, theirs = sequenced.block(n), verifier.chain.block(n)
        assert theirs.hash == ours.hash
        assert theirs.header.state_root == ours.header.state_root


@pytest.mark.parametrize("da", ["calldata", pytest.param("blobs", marks=pytest.mark.slow)])
def test_one_l1_transaction_carries_both_shared_rollups(da: str) -> None:
    with start(da) as net:
        sb = shared_batcher(net)
        assert sb.da == da and list(sb.members) == list(SHARED)
        traffic(net, 4, txs=2)
        net.advance(30)
        last = traffic(net, 3)
        net.advance(40)
        # every slot with a transfer is on the L1 and both safe heads reached it
        assert sb.firm_slot() >= last > 0
        for cid in SHARED:
            assert net.safety(cid).safe() >= last
        poster = shared_sequencer_account(net.config.accounts.mnemonic).address
        assert [r.first_slot for r in sb.records] == [1] + [
            r.last_slot + 1 for r in sb.records[:-1]
        ]
        for record in sb.records:
            assert len(record.l1_tx_hashes) == 1  # a few transfers: one L1 transaction
            assert {c.chain_id for c in record.chains} == set(SHARED)
            assert record.blobs == (1 if da == "blobs" else 0)
            ((sender, datas),) = payloads(net, record.l1_block, SHARED_BATCH_INBOX)
            assert sender == poster
            entries = [e for d in datas for e in decode_envelope(d)]
            assert sorted(e.chain_id for e in entries) == list(SHARED)
            # the members' records are the same transaction, its gas split between them
            mine = [
                next(r for r in m.records if r.first_block == record.first_slot)
                for m in members(net)
            ]
            assert {r.l1_tx_hashes for r in mine} == {record.l1_tx_hashes}
            assert sum(r.l1_gas for r in mine) == record.l1_gas > 0
            assert sum(r.blob_gas for r in mine) == record.blob_gas
            assert [r.last_block for r in mine] == [record.last_slot] * 2
        for cid in SHARED:  # every transfer sent (4 x 2 + 3) is in the shared batches
            assert (
                sum(c.l2_transactions for r in sb.records for c in r.chains if c.chain_id == cid)
                == 11
            )
        # the own rollup keeps its own batcher and inbox
        own = net.batchers[2]
        assert own.records and own.config.chain_id == 903
        for record in own.records:
            ((sender, _),) = payloads(net, record.l1_block, batch_inbox(903))
            assert sender == own.config.batcher.address
        assert net.safety(903).safe() > 0
        for cid in SHARED:
            assert_verifier_agrees(net, cid, last)


def test_other_senders_and_corrupt_envelopes_are_ignored(net: Network) -> None:
    sb = shared_batcher(net)
    first = traffic(net, 2)
    net.advance(40)
    assert sb.firm_slot() >= first
    l1 = net.l1.inproc()
    key = shared_sequencer_account(net.config.accounts.mnemonic)
    with net.lock:
        # a forged batch for 901's next block, in a well-formed envelope, from a user
        head = net.chain(901).chain.head()
        block = L2BlockData(head.number + 1, head.header.timestamp + 1, head.hash, (), 1)
        data = ChannelBuilder().build(Batch((block,))).transactions()[0]
        envelope = encode_envelope([EnvelopeEntry(901, data)])
        send(l1, net.accounts[5], SHARED_BATCH_INBOX, envelope)
        # from the shared key itself: garbage, an unknown version, frames that do not parse
        bad = [b"\x01garbage", b"\x07" + bytes(20), encode_envelope([EnvelopeEntry(901, b"\x00x")])]
        start_nonce = nonce(l1, key.address, "pending")
        for i, payload in enumerate(bad):
            send(l1, key, SHARED_BATCH_INBOX, payload, nonce_=start_nonce + i)
    last = traffic(net, 3)
    net.advance(40)
    derivation = tracker(net, 901)
    assert derivation.counters.ignored_transactions == 1
    assert derivation.counters.dropped_frames >= 3
    assert derivation.last_error is None and derivation.counters.dropped_blocks == 0
    assert min(net.safety(901).safe(), net.safety(902).safe(), sb.firm_slot()) >= last
    for cid in SHARED:
        assert_verifier_agrees(net, cid, last)


def test_a_slot_is_firm_from_the_l1_block_that_mines_it(net: Network) -> None:
    sb = shared_batcher(net)
    traffic(net, 3)
    first, last, hashes = until_in_flight(net, sb)
    # in flight: cross-safety sees it posted, but nothing of it is firm or derived
    assert [m.posted_number() for m in members(net)] == [last, last]
    assert sb.firm(first) is None and sb.firm(last) is None and sb.firm_slot() < first
    assert all(tracker(net, c).head.number < first for c in SHARED)
    with net.lock:  # an L1 block between two ticks of the batcher (and of the L1's timer)
        (mined,) = net.l1.chain.mine(1)
    net.advance(0)
    record = sb.firm(last)
    assert record is not None and record.l1_tx_hashes == hashes
    assert record.l1_block == mined.number
    assert sb.firm(first) is record and sb.firm(last + 1) is not record
    assert sb.firm_slot() >= last
    for cid in SHARED:  # the firm data confirms the soft blocks
        derived = tracker(net, cid).derived(last)
        assert derived is not None and derived.l1_inclusion == record.l1_block
        assert derived.hash == net.chain(cid).chain.block(last).hash
    assert sb.to_json()["firmSlot"] == sb.firm_slot()


def test_a_dropped_l1_transaction_sends_every_member_back_to_its_safe_head(net: Network) -> None:
    sb = shared_batcher(net)
    traffic(net, 2)
    first, last, hashes = until_in_flight(net, sb)
    with net.lock:
        l1 = net.l1.chain
        l1.pool.remove([l1.transaction(h)[0] for h in hashes])
        sb.tick()  # finds the transaction gone
        assert sb.last_error is not None and "left the L1 pool" in sb.last_error.message
        assert f"slots {first}-{last}" in sb.last_error.message
        safe = [tracker(net, c).head.number for c in SHARED]
        assert [m.posted_number() for m in members(net)] == safe == [first - 1] * 2
        assert all(m.last_error is sb.last_error for m in members(net))
    net.advance(40)  # the next ticks post the range again
    assert sb.last_error is None and sb.firm_slot() >= last
    assert [r.first_slot for r in sb.records] == [1] + [r.last_slot + 1 for r in sb.records[:-1]]
    assert all(h not in r.l1_tx_hashes for r in sb.records for h in hashes)
    assert min(net.safety(901).safe(), net.safety(902).safe()) >= last
