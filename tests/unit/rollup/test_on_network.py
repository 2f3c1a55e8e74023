"""The rollup package on a running devnet (not wired in yet): deploy on the network's L1
through its in-process client, and run a proposer per rollup on the network's clock."""

from __future__ import annotations

import asyncio

from crossroll.network import Network
from crossroll.rollup import Proposer, RollupConfig, deploy_rollups, output_at


def test_deploy_and_propose_on_a_virtual_time_network() -> None:
    with Network.start(virtual_time=True, l1__port=0, rollups__port=0, admin_port=0) as net:
        configs = [
            RollupConfig.for_rollup(h.chain_id, i, block_time=h.plan.block_time)
            for i, h in enumerate(net.rollups)
        ]
        genesis = {h.chain_id: h.chain.block(0).header.timestamp for h in net.rollups}
        l1 = net.l1.inproc()
        addrs = deploy_rollups(l1, configs, genesis, net.accounts[0])
        assert sorted(r.chain_id for r in addrs.rollups) == [901, 902]
        proposers = [
            Proposer(c, addrs.rollup(c.chain_id).l2_output_oracle, l1, h.chain, net.scheduler)
            for c, h in zip(configs, net.rollups, strict=True)
        ]
        with net.lock:
            for p in proposers:
                asyncio.run(p.start())
        net.advance(120)  # 60 L2 blocks, 10 L1 blocks
        for p, h in zip(proposers, net.rollups, strict=True):
            assert [x.l2_block_number for x in p.proposals][:4] == [10, 20, 30, 40]
            for x in p.proposals:
                assert x.output_root == output_at(h.chain, x.l2_block_number).root
        with net.lock:
            for p in proposers:
                asyncio.run(p.stop())
