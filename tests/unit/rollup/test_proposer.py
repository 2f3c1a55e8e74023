"""The proposer on the clock: outputs land on the L1 oracle at exactly interval, 2·interval, …
with output_at's roots; restarts neither skip nor repeat; failed sends are retried."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from crossroll.abc import ClientAPI
from crossroll.clock import VirtualClock
from crossroll.errors import CrossrollError
from crossroll.rollup import Proposal, Proposer, RollupConfig, output_at
from crossroll.rollup.abi import calldata, decode
from crossroll.rollup.transact import call
from tests.unit.rollup.conftest import L1_ID, L2_ID, ChainFactory, client_of, deploy

INTERVAL = 10


class Devnet:
    """L1 mining every 12 s, L2 every 2 s, the contracts deployed, no proposer yet."""

    def __init__(self, make_chain: ChainFactory, clock: VirtualClock, l2_block_time: float = 2):
        self.clock = clock
        self.l1 = make_chain(L1_ID, block_time=12)
        self.l2 = make_chain(L2_ID, l2=True, block_time=l2_block_time or None)
        self.config = RollupConfig.for_rollup(
            L2_ID, 0, block_time=l2_block_time, submission_interval=INTERVAL
        )
        self.oracle = (
            deploy(self.l1, clock, [self.config], [self.l2]).rollup(L2_ID).l2_output_oracle
        )
        self.client = client_of(self.l1, clock)

    def proposer(self, client: ClientAPI | None = None) -> Proposer:
        p = Proposer(self.config, self.oracle, client or self.client, self.l2, self.clock)
        asyncio.run(p.start())
        return p

    def outputs(self) -> list[tuple[bytes, int, int]]:
        """(root, timestamp, l2 block) of every output on the oracle."""
        count = decode(["uint256"], call(self.client, self.oracle, calldata("nextOutputIndex()")))
        out = []
        for i in range(count[0]):
            data = call(self.client, self.oracle, calldata("getL2Output(uint256)", i))
            out.append(decode(["(bytes32,uint128,uint128)"], data)[0])
        return out

    def proposer_receipts(self) -> list[Any]:
        """Every L1 transaction the proposer sent, with its receipt."""
        sender = self.config.proposer.address
        found = []
        for n in range(self.l1.head().number + 1):
            block = self.l1.block(n)
            for tx, receipt in zip(block.transactions, block.receipts, strict=True):
                if tx.sender == sender:
                    found.append((tx, receipt))
        return found

    def check(self, proposals: Sequence[Proposal]) -> int:
        """Outputs contiguous from INTERVAL, roots from output_at, one L1 tx each; count."""
        outputs = self.outputs()
        assert [o[2] for o in outputs] == [INTERVAL * (i + 1) for i in range(len(outputs))]
        for root, _, number in outputs:
            assert root == output_at(self.l2, number).root
        txs = self.proposer_receipts()
        assert len(txs) == len(outputs)  # never a duplicate or failed proposal
        assert all(r.status == 1 and tx.to == self.oracle for tx, r in txs)
        assert [(p.index, p.l2_block_number, p.output_root) for p in proposals] == [
            (i, o[2], o[0]) for i, o in enumerate(outputs)
        ]
        assert [p.l1_tx_hash for p in proposals] == [tx.hash for tx, _ in txs]
        return len(outputs)


@pytest.fixture
def net(make_chain: ChainFactory, clock: VirtualClock) -> Devnet:
    return Devnet(make_chain, clock)


def test_outputs_every_interval(net: Devnet) -> None:
    proposer = net.proposer()
    assert proposer.proposals == ()
    net.clock.advance(300)
    head = net.l2.head().number
    assert head >= 140
    count = net.check(proposer.proposals)
    # Keeps up: at most the latest interval or two are still waiting for the L1.
    assert count >= head // INTERVAL - 2
    assert proposer.last_error is None
    js = proposer.proposals[0].to_json()
    assert js["l2BlockNumber"] == INTERVAL and js["index"] == 0
    asyncio.run(proposer.stop())
    asyncio.run(proposer.stop())  # idempotent
    net.clock.advance(120)
    assert net.check(proposer.proposals) == count  # stopped: nothing more


def test_restarts_continue_without_duplicates(net: Devnet) -> None:
    first = net.proposer()
    net.clock.advance(100)
    asyncio.run(first.stop())
    second = net.proposer()
    assert second.proposals == first.proposals  # rebuilt from the oracle's events
    # Stop and restart every 7 s, so some restarts happen with a proposal in the L1 pool.
    for _ in range(30):
        net.clock.advance(7)
        asyncio.run(second.stop())
        second = net.proposer()
    net.clock.advance(60)
    count = net.check(second.proposals)
    assert count >= net.l2.head().number // INTERVAL - 2


class FlakyClient(ClientAPI):
    """Forwards to ``inner``; the first ``failures`` raw sends fail."""

    def __init__(self, inner: ClientAPI, failures: int) -> None:
        self.inner = inner
        self.failures = failures

    def request(self, method: str, params: Sequence[Any] | None = None) -> Any:
        if method == "eth_sendRawTransaction" and self.failures > 0:
            self.failures -= 1
            raise CrossrollError("connection refused")
        return self.inner.request(method, params)

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        return self.inner.batch(calls)


def test_failed_sends_are_retried(net: Devnet) -> None:
    flaky = FlakyClient(net.client, failures=3)
    proposer = net.proposer(flaky)
    net.clock.advance(30)  # block 10 due at 20 s; L1 blocks at 12, 24
    assert proposer.last_error is not None and "connection refused" in str(proposer.last_error)
    net.clock.advance(200)
    assert flaky.failures == 0
    assert proposer.last_error is None
    assert net.check(proposer.proposals) >= net.l2.head().number // INTERVAL - 2


def test_irregular_l2_block_time(make_chain: ChainFactory, clock: VirtualClock) -> None:
    """Automine L2 (block time 0 on the oracle): proposals follow the blocks that exist."""
    net = Devnet(make_chain, clock, l2_block_time=0)
    proposer = net.proposer()
    net.l2.mine(25)
    clock.advance(40)
    assert net.check(proposer.proposals) == 2
    net.l2.mine(5)
    clock.advance(40)
    assert net.check(proposer.proposals) == 3


def test_waits_for_the_l1_to_pass_the_output_time(net: Devnet) -> None:
    """An output for a block whose expected time is not before the next L1 block waits."""
    net.l2.mine(INTERVAL)  # blocks 1..10 at once, ahead of their 2 s schedule
    proposer = net.proposer()
    proposer.tick()
    assert proposer.last_error is None and net.outputs() == []
