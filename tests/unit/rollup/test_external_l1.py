"""The same deployment and proposer code against an external L1 (the npm anvil over HTTP):
JSON-RPC only, same addresses as on crossroll's own L1, outputs with output_at's roots."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import pytest

from crossroll.clock import VirtualClock
from crossroll.rollup import Proposer, RollupConfig, deploy_rollups, output_at
from crossroll.rollup.abi import calldata, decode
from crossroll.rollup.transact import call
from crossroll.rpc.client import HttpClient
from tests.unit.rollup.conftest import L1_ID, L2_ID, ChainFactory, deploy

pytestmark = [pytest.mark.anvil, pytest.mark.slow]

Anvil = Callable[..., contextlib.AbstractContextManager[str]]


def test_deploy_and_propose_on_anvil(
    anvil_factory: Anvil, make_chain: ChainFactory, clock: VirtualClock
) -> None:
    l2 = make_chain(L2_ID, l2=True)  # automine: the oracle's L2 block time is 0
    config = RollupConfig.for_rollup(L2_ID, 0, block_time=None, submission_interval=3)
    genesis = {L2_ID: l2.block(0).header.timestamp}
    local = deploy(make_chain(L1_ID), clock, [config], [l2])
    with anvil_factory("--chain-id", str(L1_ID)) as url:
        client = HttpClient(url)
        deployer = make_chain(L1_ID).dev_accounts[0]  # anvil's account 0 too
        addrs = deploy_rollups(client, [config], genesis, deployer)
        assert addrs == local
        oracle = addrs.rollup(L2_ID).l2_output_oracle
        ids = decode(["uint256[]"], call(client, addrs.rollup_registry, calldata("chainIds()")))
        assert list(ids[0]) == [L2_ID]

        proposer = Proposer(config, oracle, client, l2, clock)
        proposer.sync()
        l2.mine(7)
        deadline = time.monotonic() + 10
        while len(proposer.proposals) < 2 and time.monotonic() < deadline:
            proposer.tick()  # anvil may answer the send before its block is mined
            time.sleep(0.05)
        assert proposer.last_error is None, proposer.last_error
        assert [p.l2_block_number for p in proposer.proposals] == [3, 6]
        for p in proposer.proposals:
            assert p.output_root == output_at(l2, p.l2_block_number).root
        proposer.tick()  # nothing new to propose
        restarted = Proposer(config, oracle, client, l2, clock)
        restarted.sync()
        assert restarted.proposals == proposer.proposals
