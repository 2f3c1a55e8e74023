"""The deposit sequencer on a virtual clock: every L2 block starts with the L1-info deposit
of the L1 head at build time, sequence numbers follow OP's rule, the gas cap counts the
L1-info deposit, and ``block_deposits`` (what derivation calls) reproduces exactly the deposit
prefix and the record of every block the sequencer built, over random interleavings of
deposits, L1 blocks, L2 blocks, L2 snapshots and reverts."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import random

import pytest

from crossroll.chain import Chain
from crossroll.chain.deposits import DEPOSIT_TX_TYPE, deposits_from_logs
from crossroll.clock import VirtualClock
from crossroll.l1.view import LocalL1View
from crossroll.rollup import RollupConfig, block_deposits
from crossroll.rollup.abi import calldata, decode, selector
from crossroll.rollup.l1info import L1_BLOCK, L1_INFO_GAS, L1Info, l1_info_of
from crossroll.rollup.sequencer import DepositSequencer
from crossroll.types import Block, CallRequest, LogFilter
from tests.unit.rollup.conftest import L1_ID, L2_ID, ChainFactory, deploy

DEPOSIT = "depositTransaction(address,uint256,uint64,bool,bytes)"
ME = b"\x77" * 20
FINNEY = 10**15


@dataclasses.dataclass
class Setup:
    clock: VirtualClock
    l1: Chain
    l2: Chain
    view: LocalL1View
    portal: bytes
    batcher: bytes
    sequencer: DepositSequencer

    def deposit(self, value: int, gas: int = 100_000) -> None:
        sender = self.l1.dev_accounts[0].address
        data = calldata(DEPOSIT, ME, value, gas, False, b"")
        self.l1.send_transaction(CallRequest(sender=sender, to=self.portal, value=value, data=data))

    def new_sequencer(self) -> DepositSequencer:
        return DepositSequencer(L2_ID, self.portal, self.view, self.l2, self.clock, self.batcher)

    def blocks(self) -> list[Block]:
        return [self.l2.block(n) for n in range(self.l2.head().number + 1)]


def build(
    make_chain: ChainFactory,
    clock: VirtualClock,
    *,
    l1_block_time: float | None = None,
    l2_block_time: float | None = None,
) -> Setup:
    l1 = make_chain(L1_ID)
    l2 = make_chain(L2_ID, l2=True)
    config = RollupConfig.for_rollup(L2_ID, 0)
    portal = deploy(l1, clock, [config], [l2]).rollup(L2_ID).optimism_portal
    view = LocalL1View(l1)
    batcher = config.batcher.address
    sequencer = DepositSequencer(L2_ID, portal, view, l2, clock, batcher)
    setup = Setup(clock, l1, l2, view, portal, batcher, sequencer)
    asyncio.run(setup.sequencer.start())
    for chain, block_time in ((l1, l1_block_time), (l2, l2_block_time)):
        chain.set_automine(False)
        if block_time:
            chain.set_interval_mining(block_time)
    return setup


def check_prefixes(s: Setup, sequencer: DepositSequencer) -> None:
    """``block_deposits`` gives every block's deposit prefix and the sequencer's record."""
    blocks = s.blocks()
    assert sequencer.origin(blocks[0]).cursor[0] == -1  # genesis: nothing consumed
    for parent, block in itertools.pairwise(blocks):
        info = l1_info_of(block.transactions[0])
        assert info is not None, block.number
        parent_origin = sequencer.origin(parent)
        expected, origin = block_deposits(
            s.view, s.portal, s.batcher, parent_origin, info.number, parent.header.gas_limit
        )
        prefix = [tx.hash for tx in block.transactions[: len(expected)]]
        assert prefix == [d.hash for d in expected], block.number
        assert all(tx.type != DEPOSIT_TX_TYPE for tx in block.transactions[len(expected) :])
        assert origin == sequencer.origin(block), block.number
        same = origin.l1.hash == parent_origin.l1.hash
        assert origin.sequence_number == (parent_origin.sequence_number + 1 if same else 0)


def user_deposits(blocks: list[Block]) -> list[bytes]:
    return [tx.hash for b in blocks for tx in b.transactions[1:] if tx.type == DEPOSIT_TX_TYPE]


def test_every_block_starts_with_the_l1_head_at_build_time(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    s = build(make_chain, clock, l1_block_time=12, l2_block_time=2)
    heads = {}
    s.l2.on_block(lambda b: heads.__setitem__(b.number, s.view.info(s.view.head_number())))
    for i in range(8):
        s.deposit((i + 1) * FINNEY)
        clock.advance(13)
    seen = []
    for block in s.blocks()[1:]:
        first = block.transactions[0]
        info = l1_info_of(first)
        assert info is not None and s.l2.receipt(first.hash).status == 1
        assert info == L1Info.of(heads[block.number], info.sequence_number, s.batcher)
        seen.append((info.number, info.sequence_number))
    # the sequence number counts L2 blocks on the same origin, from 0 at each new origin
    for (n0, q0), (n1, q1) in itertools.pairwise(seen):
        assert q1 == (q0 + 1 if n1 == n0 else 0)
    assert len({n for n, _ in seen}) >= 8 and max(q for _, q in seen) >= 5
    # L1Block holds the head block's origin
    latest = l1_info_of(s.l2.head().transactions[0])
    assert latest is not None
    out = s.l2.call(CallRequest(to=L1_BLOCK, data=selector("number()"))).output
    assert decode(["uint64"], out)[0] == latest.number
    out = s.l2.call(CallRequest(to=L1_BLOCK, data=selector("sequenceNumber()"))).output
    assert decode(["uint64"], out)[0] == latest.sequence_number
    assert len(user_deposits(s.blocks())) == 8
    check_prefixes(s, s.sequencer)


def test_the_gas_cap_counts_the_l1_info_deposit(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    s = build(make_chain, clock)
    for i in range(5):
        s.deposit((i + 1) * FINNEY, gas=10_000_000)
    s.l1.mine(1)
    assert len(s.sequencer.pending()) == 5 and s.sequencer.has_pending()
    # 30M block: 1M of L1 info + 2 x 10M; a third would fit only if L1 info were free
    for expected in (2, 2, 1, 0):
        block = s.l2.mine(1)[0]
        assert block.transactions[0].gas == L1_INFO_GAS
        assert len(user_deposits([block])) == expected
    assert not s.sequencer.has_pending()
    mints = [s.l2.transaction(h)[0].mint for h in user_deposits(s.blocks())]
    assert mints == [(i + 1) * FINNEY for i in range(5)]  # L1 log order
    check_prefixes(s, s.sequencer)


def run_random(s: Setup, rng: random.Random, steps: int = 50) -> None:
    """Random deposits (some large enough to hit the gas cap), L1 and L2 blocks, L2 user
    transactions, L2 snapshots and reverts, with time passing; then drain."""
    snapshots: list[int] = []
    user = s.l2.dev_accounts[1].address
    for _ in range(steps):
        action = rng.choices(
            ["deposit", "l1", "l2", "l2tx", "snapshot", "revert"], weights=[5, 3, 4, 1, 1, 1]
        )[0]
        if action == "deposit":
            s.deposit(rng.randint(1, 9) * FINNEY, gas=rng.choice([50_000, 9_000_000, 14_500_000]))
        elif action == "l1":
            s.l1.mine(1)
        elif action == "l2":
            s.l2.mine(1)
        elif action == "l2tx":
            s.l2.send_transaction(CallRequest(sender=user, to=ME, value=1))
        elif action == "snapshot":
            snapshots.append(s.l2.snapshot())
        elif snapshots:  # revert: that snapshot and every later one are consumed
            index = rng.randrange(len(snapshots))
            assert s.l2.revert(snapshots[index])
            del snapshots[index:]
        s.clock.advance(rng.choice([0, 1, 2, 5]))
    s.l1.mine(1)
    while s.sequencer.has_pending():
        s.l2.mine(1)
    s.l2.mine(1)


def all_portal_deposits(s: Setup) -> list[bytes]:
    logs = s.view.logs(LogFilter(from_block=0, to_block=s.view.head_number()))
    return [d.hash for d in deposits_from_logs(logs, s.portal)]


@pytest.mark.parametrize("seed", range(6))
def test_block_deposits_reproduces_the_sequencers_blocks(
    make_chain: ChainFactory, clock: VirtualClock, seed: int
) -> None:
    s = build(make_chain, clock)
    run_random(s, random.Random(seed))
    check_prefixes(s, s.sequencer)
    # exactly once, in L1 log order, whatever was reverted on the way
    assert user_deposits(s.blocks()) == all_portal_deposits(s)
    assert s.sequencer.pending() == []


@pytest.mark.parametrize("seed", range(3))
def test_recover_on_a_chain_the_sequencer_built(
    make_chain: ChainFactory, clock: VirtualClock, seed: int
) -> None:
    s = build(make_chain, clock)
    run_random(s, random.Random(100 + seed))
    recorded = [s.sequencer.origin(b) for b in s.blocks()]
    asyncio.run(s.sequencer.stop())
    fresh = s.new_sequencer()  # no records: reads them back from the chain
    assert [fresh.origin(b) for b in s.blocks()] == recorded
    fresh.recover()
    assert [fresh.origin(b) for b in s.blocks()] == recorded
    s.deposit(FINNEY)
    s.l1.mine(1)
    s.l2.mine(2)  # and it carries on exactly
    check_prefixes(s, fresh)
    assert user_deposits(s.blocks()) == all_portal_deposits(s)


def test_recover_on_a_chain_built_without_a_sequencer(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    s = build(make_chain, clock)
    asyncio.run(s.sequencer.stop())
    rng = random.Random(9)
    origin = s.sequencer.origin(s.l2.head())
    built = [origin]
    for _ in range(25):  # as derivation would: explicit deposit prefixes, origins lagging
        for _ in range(rng.randint(0, 2)):
            s.deposit(rng.randint(1, 9) * FINNEY, gas=rng.choice([50_000, 14_500_000]))
        if rng.random() < 0.5:
            s.l1.mine(1)
        number = rng.randint(origin.l1.number, s.view.head_number())
        deposits, origin = block_deposits(
            s.view, s.portal, s.batcher, origin, number, s.l2.head().header.gas_limit
        )
        s.l2.mine_with_deposits(deposits)
        built.append(origin)
        clock.advance(1)
    fresh = s.new_sequencer()
    assert [fresh.origin(b) for b in s.blocks()] == built
    assert any(o.sequence_number > 0 for o in built) and len({o.l1.number for o in built}) > 3
    s.l1.mine(1)
    s.l2.mine(3)
    check_prefixes(s, fresh)
    assert user_deposits(s.blocks()) == all_portal_deposits(s)
