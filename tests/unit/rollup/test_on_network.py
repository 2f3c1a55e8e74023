"""The rollup pieces wired into a running devnet: contracts deployed at start by the reserved
deployer, deposits sequenced into the L2s, a proposer per rollup on the network's clock."""

from __future__ import annotations

import pytest

from crossroll.chain.deposits import DEPOSIT_TX_TYPE
from crossroll.errors import InvalidParams
from crossroll.network import Network
from crossroll.rollup import deployer_account, output_at, planned_addresses
from crossroll.rollup.l1info import L1_INFO_DEPOSITOR, l1_info_of
from crossroll.types import Block, CallRequest
from tests.unit.rollup.conftest import FREE, deposit

ETHER = 10**18


def deposits_in(blocks: list[Block]) -> list[bytes]:
    """User deposits (every L2 block also starts with its L1-info deposit, not counted)."""
    return [
        tx.hash
        for b in blocks
        for tx in b.transactions
        if tx.type == DEPOSIT_TX_TYPE and tx.sender != L1_INFO_DEPOSITOR
    ]


def l2_blocks(net: Network, chain_id: int) -> list[Block]:
    chain = net.chain(chain_id).chain
    return [chain.block(i) for i in range(chain.head().number + 1)]


def test_contracts_are_deployed_by_the_reserved_deployer(net: Network) -> None:
    l1 = net.l1.chain
    deployer = deployer_account(net.config.accounts.mnemonic)
    addrs = net.l1_addresses
    configs = [p.config for p in net.proposers]
    assert addrs == planned_addresses(deployer.address, 0, configs, 900)
    for r in addrs.rollups:
        for where in (r.l2_output_oracle, r.optimism_portal, r.l1_standard_bridge):
            assert l1.code(where)
    assert l1.code(addrs.rollup_registry)
    # users' accounts are untouched: their first contract lands at anvil's address
    for account in net.accounts:
        assert l1.account(account.address).nonce == 0
        assert l1.account(account.address).balance == net.config.accounts.balance_wei
    assert net.describe()["l1Addresses"] == addrs.to_json()
    request = {"jsonrpc": "2.0", "id": 1, "method": "admin_getL1Addresses"}
    answer = net.admin.dispatcher.handle(request)
    assert answer["result"] == addrs.to_json()
    # Supersim's form: one rollup's contracts by chain id, under its "...Proxy" names too
    one = net.admin.dispatcher.call("admin_getL1Addresses", [901])
    portal = addrs.to_json()["rollups"]["901"]["OptimismPortal"]
    assert one["OptimismPortalProxy"] == one["OptimismPortal"] == portal
    assert {"L1StandardBridgeProxy", "L2OutputOracleProxy", "SettlementHub"} <= set(one)
    with pytest.raises(InvalidParams, match="no L1 contracts for chain 905"):
        net.admin.dispatcher.call("admin_getL1Addresses", [905])


def test_deposits_are_included_once_in_log_order_across_many_blocks(net: Network) -> None:
    me = net.accounts[5].address
    before = net.chain(901).chain.account(me).balance
    sent = [deposit(net, 901, me, (i + 1) * ETHER, sender=i % 3) for i in range(6)]
    net.advance(13)  # the L1 mines them; the L2 takes them at its next block
    sent += [deposit(net, 901, me, 7 * ETHER)]
    net.advance(60)
    blocks = l2_blocks(net, 901)
    included = deposits_in(blocks)
    assert len(included) == len(set(included)) == 7
    chain = net.chain(901).chain
    mints = [chain.transaction(h)[0].mint for h in included]
    assert mints == [(i + 1) * ETHER for i in range(7)]  # L1 log order
    assert chain.account(me).balance == before + 28 * ETHER
    for b in blocks:  # deposits first in their block
        types = [tx.type for tx in b.transactions]
        assert types == sorted(types, key=lambda x: x != DEPOSIT_TX_TYPE)
    for b in blocks[1:]:  # the L1-info deposit first of all, once per block
        assert l1_info_of(b.transactions[0]) is not None
        assert [l1_info_of(tx) for tx in b.transactions[1:]] == [None] * (len(b.transactions) - 1)
    assert deposits_in(l2_blocks(net, 902)) == []  # 901's portal only
    assert net.sequencers[0].pending() == []


def test_deposits_survive_an_l2_snapshot_and_revert(net: Network) -> None:
    me = net.accounts[6].address
    l2 = net.chain(901).chain
    before = l2.account(me).balance
    deposit(net, 901, me, ETHER)
    net.advance(12)  # L1 mines it, L2 includes it
    with net.lock:
        snap = l2.snapshot()
    deposit(net, 901, me, 2 * ETHER)
    net.advance(12)
    assert l2.account(me).balance == before + 3 * ETHER
    with net.lock:
        assert l2.revert(snap)
        assert l2.account(me).balance == before + ETHER
        l2.mine(1)  # the reverted deposit comes back, the first one does not
    assert l2.account(me).balance == before + 3 * ETHER
    net.advance(20)
    assert len(deposits_in(l2_blocks(net, 901))) == 2
    assert l2.account(me).balance == before + 3 * ETHER


def test_a_deposit_only_block_under_automine() -> None:
    with Network.start(virtual_time=True, block_time={900: 2, 901: 0}, **FREE) as net:
        l2 = net.chain(901).chain
        assert l2.automine
        me = net.accounts[7].address
        start = l2.head().number
        deposit(net, 901, me, ETHER)
        net.advance(2)  # one L1 block time
        assert l2.head().number == start + 1
        assert len(deposits_in([l2.head()])) == 1
        assert l2.account(me).balance == net.config.accounts.balance_wei + ETHER
        net.advance(10)  # nothing new: no empty blocks
        assert l2.head().number == start + 1
        with net.lock:
            l2.mine(1)  # evm_mine includes nothing twice
        assert len(deposits_in(l2_blocks(net, 901))) == 1


def test_proposers_post_outputs_as_virtual_time_advances(net: Network) -> None:
    net.advance(120)  # 60 L2 blocks, 10 L1 blocks
    assert [p.config.chain_id for p in net.proposers] == [901, 902]
    for p, h in zip(net.proposers, net.rollups, strict=True):
        assert [x.l2_block_number for x in p.proposals][:4] == [10, 20, 30, 40]
        for x in p.proposals:
            assert x.output_root == output_at(h.chain, x.l2_block_number).root


def test_rollup_signing_matches_eth_account() -> None:
    from crossroll.chain.signing import sign_request
    from crossroll.rollup.transact import sign_1559

    key = deployer_account().private_key
    for to, data, value in [(None, b"\x60\x00", 0), (b"\x11" * 20, b"abc", ETHER)]:
        request = CallRequest(sender=deployer_account().address, to=to, value=value, data=data)
        expected = sign_request(
            request, key, nonce=3, gas=100_000, chain_id=900, default_tip=10**9, base_fee=7
        )
        assert expected == sign_1559(
            key,
            chain_id=900,
            nonce=3,
            tip=10**9,
            max_fee=2 * 7 + 10**9,
            gas=100_000,
            to=to,
            value=value,
            data=data,
        )
