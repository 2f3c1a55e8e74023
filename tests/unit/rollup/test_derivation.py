"""Batcher → L1 → derivation on in-process chains and a virtual clock: the sequencer's safe
head follows its batches on L1, and a verifier that reads only the L1 rebuilds the same
chain (block hashes and state roots) with calldata and with blob DA; bad batches are
ignored or skipped and derivation carries on."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.blobtx import sign_blob_transaction
from crossroll.chain.rules import L2Rules
from crossroll.clock import VirtualClock
from crossroll.da import Batch, BlobSidecar, ChannelBuilder, L2BlockData, batcher_data, encode_blob
from crossroll.errors import TransactionRejected
from crossroll.l1.blobs import BlobStore
from crossroll.l1.view import LocalL1View
from crossroll.rollup import RollupConfig
from crossroll.rollup.abi import calldata
from crossroll.rollup.batcher import Batcher
from crossroll.rollup.derivation import Derivation, SafeHeadTracker, Verifier
from crossroll.rollup.safety import SafetyHeads
from crossroll.rollup.sequencer import DepositSequencer
from crossroll.rollup.transact import nonce, send
from crossroll.types import CallRequest
from tests.unit.rollup.conftest import L1_ID, L2_ID, START, ChainFactory, client_of, deploy

ETHER = 10**18
DEPOSIT = "depositTransaction(address,uint256,uint64,bool,bytes)"


def run(coro: Any) -> None:
    asyncio.run(coro)


@dataclasses.dataclass
class Rollup:
    clock: VirtualClock
    l1: Chain
    l2: Chain
    config: RollupConfig
    view: LocalL1View
    portal: bytes
    oracle: bytes
    sequencer: DepositSequencer
    batcher: Batcher
    tracker: SafeHeadTracker

    def verifier(self) -> tuple[Chain, Verifier]:
        """A fresh node from the same genesis that reads only the L1."""
        config = dataclasses.replace(self.l2.config, block_time=None, automine=False)
        chain = Chain(config, self.clock)
        node = Verifier(
            L2_ID,
            self.view,
            chain,
            self.clock,
            portal=self.portal,
            inbox=self.config.batch_inbox,
            batcher=self.config.batcher.address,
        )
        return chain, node

    def derivation(self, node: Derivation) -> None:
        run(node.start())

    def step(self, seconds: float = 2.0, times: int = 1) -> None:
        for _ in range(times):
            self.clock.advance(seconds)


def build(make_chain: ChainFactory, clock: VirtualClock, da: str) -> Rollup:
    l1 = make_chain(L1_ID, block_time=12.0)
    config = RollupConfig.for_rollup(L2_ID, 0, block_time=2, challenge_window=60)
    l2_config = ChainConfig(
        chain_id=L2_ID, rules=L2Rules, block_time=2.0, automine=False, genesis_timestamp=START
    )
    l2 = Chain(l2_config, clock)
    # the role accounts need L1 ETH: the deployer (dev account 0) funds them
    addrs = deploy(l1, clock, [config], [l2])
    client = client_of(l1, clock)
    for account in (config.batcher, config.proposer):
        l1.send_transaction(
            CallRequest(sender=l1.dev_accounts[0].address, to=account.address, value=100 * ETHER)
        )
    l1.mine(1)
    store = BlobStore(clock)
    l1.on_sidecars(lambda n, ts, sidecars: store.add(n, ts, sidecars))
    view = LocalL1View(l1, store)
    where = addrs.rollup(L2_ID)
    sequencer = DepositSequencer(
        L2_ID, where.optimism_portal, view, l2, clock, config.batcher.address
    )
    tracker = SafeHeadTracker(
        L2_ID,
        view,
        l2,
        clock,
        portal=where.optimism_portal,
        inbox=config.batch_inbox,
        batcher=config.batcher.address,
    )
    batcher = Batcher(
        config,
        client,
        l2,
        clock,
        origin=lambda block: sequencer.origin(block).l1.number,
        safe_head=lambda: tracker.head.number,
        da=da,  # type: ignore[arg-type]
    )
    for service in (sequencer, batcher, tracker):
        run(service.start())
    return Rollup(
        clock, l1, l2, config, view, where.optimism_portal, where.l2_output_oracle,
        sequencer, batcher, tracker,
    )  # fmt: skip


@pytest.fixture(params=["calldata", "blobs"])
def rollup(request: Any, make_chain: ChainFactory, clock: VirtualClock) -> Iterator[Rollup]:
    r = build(make_chain, clock, request.param)
    yield r
    r.l2.close()


def traffic(r: Rollup, count: int) -> None:
    """ETH transfers on the L2 and a deposit on the L1."""
    alice, bob = r.l2.dev_accounts[0], r.l2.dev_accounts[1]
    for i in range(count):
        r.l2.send_transaction(CallRequest(sender=alice.address, to=bob.address, value=i + 1))
    data = calldata(DEPOSIT, bob.address, ETHER, 100_000, False, b"")
    r.l1.send_transaction(
        CallRequest(sender=r.l1.dev_accounts[2].address, to=r.portal, value=ETHER, data=data)
    )


def test_safe_head_follows_batches_and_verifier_agrees(rollup: Rollup) -> None:
    r = rollup
    assert r.tracker.head.number == 0
    for _ in range(3):
        traffic(r, 5)
        r.step(12.0, 3)
    assert r.batcher.records, r.batcher.last_error
    assert {rec.da for rec in r.batcher.records} == {r.batcher.da}
    safe = r.tracker.head.number
    assert safe >= r.batcher.records[-1].last_block > 10
    assert r.tracker.counters.dropped_blocks == 0
    # the verifier, from L1 alone, reaches the same blocks
    chain, verifier = r.verifier()
    r.derivation(verifier)
    assert verifier.head.number == safe
    for n in range(safe + 1):
        assert chain.block(n).hash == r.l2.block(n).hash
        assert chain.block(n).header.state_root == r.l2.block(n).header.state_root
    # user transactions and deposits are all in
    assert sum(rec.l2_transactions for rec in r.batcher.records) >= 15
    bob = r.l2.dev_accounts[1].address
    assert chain.account(bob, safe).balance == r.l2.account(bob, safe).balance


def test_safe_and_finalized_tags(rollup: Rollup) -> None:
    r = rollup
    heads = SafetyHeads(r.tracker, r.view, r.l2, oracle=r.oracle, challenge_window=60)
    r.l2.set_safety(heads.resolve)
    traffic(r, 3)
    r.step(12.0, 4)
    assert r.l2.block("safe").number == r.tracker.head.number > 0
    assert r.l2.block("finalized").number == 0  # no output, L1 not final
    assert r.l2.block("latest").number >= r.l2.block("safe").number


def test_batches_from_other_senders_are_ignored(rollup: Rollup) -> None:
    r = rollup
    r.step(12.0, 2)
    chain, verifier = r.verifier()
    r.derivation(verifier)
    before = verifier.head.number
    # a forged batch for the next block, from a user's account, lands first
    head = chain.block(before)
    forged = Batch((L2BlockData(before + 1, head.header.timestamp + 2, head.hash, (), 0),))
    channel = ChannelBuilder().build(forged)
    mallory = r.l1.dev_accounts[5]
    client = client_of(r.l1, r.clock)
    for tx in channel.transactions():
        send(client, mallory, r.config.batch_inbox, tx)
    r.step(12.0, 3)
    assert verifier.counters.ignored_transactions >= 1
    assert verifier.head.number > before
    assert chain.block(before + 1).hash == r.l2.block(before + 1).hash


def test_corrupt_and_truncated_batches_are_skipped(rollup: Rollup) -> None:
    r = rollup
    r.step(12.0, 2)
    client = client_of(r.l1, r.clock)
    good = ChannelBuilder().build(Batch(()))
    data = good.transactions()[0]
    corrupt = data[:-10] + bytes(b ^ 0xFF for b in data[-10:])
    truncated = data[: len(data) // 2]
    first = nonce(client, r.config.batcher.address, "pending")
    for i, payload in enumerate((corrupt, truncated, b"\x00", b"\x07garbage")):
        send(client, r.config.batcher, r.config.batch_inbox, payload, nonce_=first + i)
    traffic(r, 2)
    r.step(12.0, 4)
    assert r.tracker.counters.dropped_frames >= 2
    assert r.tracker.last_error is None
    chain, verifier = r.verifier()
    r.derivation(verifier)
    assert verifier.head.number == r.tracker.head.number > 0
    assert chain.block(verifier.head.number).hash == r.l2.block(verifier.head.number).hash


def test_blob_with_wrong_commitment_is_rejected_by_the_l1(rollup: Rollup) -> None:
    r = rollup
    blob = encode_blob(batcher_data([]))
    good = BlobSidecar.of(blob)
    other = BlobSidecar.of(encode_blob(b"\x00other"))
    bad = dataclasses.replace(good, commitment=other.commitment)
    raw = sign_blob_transaction(
        r.config.batcher.private_key,
        chain_id=L1_ID,
        nonce=r.l1.account(r.config.batcher.address).nonce,
        to=r.config.batch_inbox,
        sidecars=[bad],
        max_fee_per_gas=10**11,
        max_priority_fee_per_gas=10**9,
        max_fee_per_blob_gas=10**9,
    )
    head = r.l1.head().number
    with pytest.raises(TransactionRejected, match=r"(?i)blob|commitment|hash"):
        r.l1.send_raw_transaction(raw)
    assert r.l1.head().number == head
    assert not r.l1.pool.ready(lambda a: r.l1.account(a).nonce, 30_000_000, 6)


def test_restarted_batcher_and_verifier_agree(rollup: Rollup) -> None:
    r = rollup
    traffic(r, 4)
    r.step(12.0, 3)
    run(r.batcher.stop())  # a channel may still be in flight: it lands without its batcher
    traffic(r, 4)
    r.step(12.0, 2)
    stalled = r.tracker.head.number
    assert stalled < r.l2.head().number
    # a new batcher object (a restart) carries on from the safe head
    fresh = Batcher(
        r.config,
        client_of(r.l1, r.clock),
        r.l2,
        r.clock,
        origin=lambda block: r.sequencer.origin(block).l1.number,
        safe_head=lambda: r.tracker.head.number,
        da=r.batcher.da,  # type: ignore[arg-type]
    )
    run(fresh.start())
    r.step(12.0, 3)
    assert fresh.records[0].first_block == stalled + 1  # nothing posted twice, no gap
    assert r.tracker.head.number == fresh.records[-1].last_block > stalled
    assert r.tracker.counters.dropped_blocks == 0
    chain, verifier = r.verifier()
    r.derivation(verifier)
    assert verifier.head.number == r.tracker.head.number
    n = verifier.head.number
    assert chain.block(n).header.state_root == r.l2.block(n).header.state_root


def test_channels_of_many_frames(make_chain: ChainFactory, clock: VirtualClock) -> None:
    """A channel larger than one frame goes out as several transactions (calldata) or
    blobs, and derivation reassembles it."""
    for da in ("calldata", "blobs"):
        r = build(make_chain, clock, da)
        run(r.batcher.stop())
        small = Batcher(
            r.config,
            client_of(r.l1, r.clock),
            r.l2,
            r.clock,
            origin=lambda block, r=r: r.sequencer.origin(block).l1.number,
            safe_head=lambda r=r: r.tracker.head.number,
            da=da,  # type: ignore[arg-type]
            builder=ChannelBuilder(max_frame_size=300),
        )
        run(small.start())
        traffic(r, 8)
        r.step(12.0, 3)
        assert small.records, small.last_error
        assert max(len(rec.l1_tx_hashes) + rec.blobs for rec in small.records) > 2
        assert r.tracker.head.number == small.records[-1].last_block
        assert r.tracker.counters.dropped_blocks == 0
        r.l2.close()
