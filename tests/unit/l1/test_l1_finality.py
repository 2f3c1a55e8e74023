"""Safe and finalized heads as chain rules, on real chains mined in virtual time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.rules import SLOTS_PER_EPOCH, ChainRules, L1Rules, L2Rules
from crossroll.clock import VirtualClock
from crossroll.network import Network

START = 1_700_000_000


def make_chain(rules: type[ChainRules], clock: VirtualClock) -> Chain:
    return Chain(ChainConfig(rules=rules, block_time=12.0, automine=False), clock)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=START)


@pytest.fixture
def l1(clock: VirtualClock) -> Iterator[Chain]:
    chain = make_chain(L1Rules, clock)
    yield chain
    chain.close()


def tags(chain: Chain) -> tuple[int, int, int]:
    return tuple(chain.block(t).number for t in ("latest", "safe", "finalized"))  # type: ignore[return-value]


def test_rules_depths() -> None:
    assert (ChainRules.safe_depth, ChainRules.finalized_depth) == (0, 0)
    assert (L2Rules.safe_depth, L2Rules.finalized_depth) == (0, 0)
    assert (L1Rules.safe_depth, L1Rules.finalized_depth) == (32, 64)
    assert L1Rules.finalized_depth == 2 * SLOTS_PER_EPOCH


def test_l1_safe_and_finalized_trail_the_head(l1: Chain, clock: VirtualClock) -> None:
    assert tags(l1) == (0, 0, 0)
    clock.advance(12 * 10)
    assert tags(l1) == (10, 0, 0)  # shorter than an epoch: genesis
    clock.advance(12 * 22)
    assert tags(l1) == (32, 0, 0)
    clock.advance(12)
    assert tags(l1) == (33, 1, 0)
    clock.advance(12 * 31)
    assert tags(l1) == (64, 32, 0)
    clock.advance(12 * 36)
    assert tags(l1) == (100, 68, 36)
    assert l1.block("finalized") is l1.block(36)
    assert l1.block("safe").hash == l1.block(68).hash
    assert l1.block("latest") is l1.head()


@pytest.mark.parametrize("rules", [ChainRules, L2Rules])
def test_dev_and_l2_rules_keep_anvil_behaviour(
    rules: type[ChainRules], clock: VirtualClock
) -> None:
    chain = make_chain(rules, clock)
    try:
        for n in (1, 40, 100):
            clock.advance_to(START + 12 * n)
            assert tags(chain) == (n, n, n)
    finally:
        chain.close()


def test_state_reads_at_safe_use_that_blocks_state(l1: Chain, clock: VirtualClock) -> None:
    who = b"\x11" * 20
    clock.advance(12 * 40)
    l1.set_balance(who, 5)
    clock.advance(12)  # the change lands in block 41; safe is block 9
    assert l1.account(who, "latest").balance == 5
    assert l1.account(who, "safe").balance == 0
    assert l1.account(who, "finalized").balance == 0
    clock.advance(12 * 32)
    assert l1.block("safe").number == 41
    assert l1.account(who, "safe").balance == 5
    assert l1.account(who, "finalized").balance == 0


def test_finalized_over_rpc_on_the_network_l1() -> None:
    free = {"l1__port": 0, "rollups__port": 0, "admin_port": 0}
    with Network.start(virtual_time=True, rollups=1, **free) as net:
        deployed = net.l1.chain.head().number  # the rollup contracts, mined at start
        net.advance(12 * 70)
        l1 = net.l1.client()
        latest = deployed + 70
        assert int(l1.request("eth_getBlockByNumber", ["latest", False])["number"], 16) == latest
        assert int(l1.request("eth_getBlockByNumber", ["safe", False])["number"], 16) == latest - 32
        assert int(l1.request("eth_getBlockByNumber", ["finalized", False])["number"], 16) == (
            latest - 64
        )
        # the rollup's finalized head waits for the 7-day challenge window (docs/rollups.md)
        l2 = net.rollups[0].client()
        assert int(l2.request("eth_getBlockByNumber", ["safe", False])["number"], 16) > 0
        assert l2.request("eth_getBlockByNumber", ["finalized", False])["number"] == "0x0"
