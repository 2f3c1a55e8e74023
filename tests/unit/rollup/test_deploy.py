"""deploy_rollups: deterministic addresses, registry entries, oracle parameters, wiring."""

from __future__ import annotations

import pytest

from crossroll.chain import Chain
from crossroll.clock import VirtualClock
from crossroll.contracts import load
from crossroll.errors import DeploymentError
from crossroll.rollup import RollupConfig, deploy_rollups, planned_addresses
from crossroll.rollup.abi import calldata, decode
from crossroll.rollup.addresses import create_address
from crossroll.rollup.config import (
    DEPLOYER_INDEX,
    ROLE_BASE,
    Role,
    batch_inbox,
    deployer_account,
    genesis_alloc,
    role_account,
)
from crossroll.rollup.deploy import DEFAULT_ROLE_FUNDING
from crossroll.rollup.transact import call
from tests.unit.rollup.conftest import L1_ID, ChainFactory, client_of, deploy

ROLLUP = "(address,address,uint256,address,address,address)"


def view(chain: Chain, clock: VirtualClock, to: bytes, sig: str, returns: list[str]) -> object:
    out = decode(returns, call(client_of(chain, clock), to, calldata(sig)))
    return out[0] if len(out) == 1 else out


def two_rollups(make_chain: ChainFactory) -> tuple[Chain, list[Chain], list[RollupConfig]]:
    l1 = make_chain(L1_ID)
    l2s = [make_chain(901, l2=True, block_time=2), make_chain(902, l2=True)]
    configs = [
        RollupConfig.for_rollup(901, 0, block_time=2),
        RollupConfig.for_rollup(902, 1, block_time=None, submission_interval=4),
    ]
    return l1, l2s, configs


def test_role_accounts_are_past_every_user_account_and_distinct() -> None:
    accounts = [role_account(i, r) for i in range(16) for r in Role]
    assert len({a.address for a in accounts}) == len(accounts)
    assert min(a.index for a in accounts) == ROLE_BASE
    assert deployer_account().index == DEPLOYER_INDEX == 1000  # past every user account
    assert deployer_account().address not in {a.address for a in accounts}
    cfg = RollupConfig.for_rollup(901, 0, block_time=0.5)
    assert cfg.l2_block_time == 0  # fractional: the oracle cannot check it
    assert cfg.proposer == role_account(0, Role.PROPOSER)
    assert batch_inbox(901) == bytes.fromhex("ff" + "00" * 17 + "0385")


def test_addresses_are_deterministic(make_chain: ChainFactory, clock: VirtualClock) -> None:
    first = deploy(*_args(make_chain, clock))
    second = deploy(*_args(make_chain, clock))
    assert first == second
    deployer = make_chain(L1_ID).dev_accounts[0].address
    assert first.rollup_registry == create_address(deployer, 0)
    assert first == planned_addresses(deployer, 0, _args(make_chain, clock)[2], L1_ID)
    assert first.rollup(902).l2_output_oracle == create_address(deployer, 4)
    assert first.settlement_hub == create_address(deployer, 7)  # after every older contract
    js = first.to_json()
    assert js["l1ChainId"] == L1_ID
    assert js["rollups"]["902"]["BatchInbox"].lower() == "0x" + batch_inbox(902).hex()


def _args(
    make_chain: ChainFactory, clock: VirtualClock
) -> tuple[Chain, VirtualClock, list[RollupConfig], list[Chain]]:
    l1, l2s, configs = two_rollups(make_chain)
    return l1, clock, configs, l2s


def test_registry_oracle_portal_bridge(make_chain: ChainFactory, clock: VirtualClock) -> None:
    l1, l2s, configs = two_rollups(make_chain)
    addrs = deploy(l1, clock, configs, l2s)
    registry = addrs.rollup_registry
    assert l1.code(registry) == load("RollupRegistry").deployed_bytecode
    ids = view(l1, clock, registry, "chainIds()", ["uint256[]"])
    assert list(ids) == [901, 902]  # type: ignore[call-overload]
    hub = addrs.settlement_hub
    assert l1.code(hub) == load("SettlementHub").deployed_bytecode
    assert view(l1, clock, hub, "registry()", ["address"]) == "0x" + registry.hex()
    deployer = l1.dev_accounts[0].address
    assert view(l1, clock, registry, "owner()", ["address"]) == "0x" + deployer.hex()
    for config, l2 in zip(configs, l2s, strict=True):
        where = addrs.rollup(config.chain_id)
        client = client_of(l1, clock)
        entry = decode(
            [ROLLUP], call(client, registry, calldata("rollup(uint256)", config.chain_id))
        )[0]
        assert entry == (
            "0x" + config.batcher.address.hex(),
            "0x" + config.proposer.address.hex(),
            config.challenge_window,
            "0x" + where.l2_output_oracle.hex(),
            "0x" + where.optimism_portal.hex(),
            "0x" + where.l1_standard_bridge.hex(),
        )
        oracle = where.l2_output_oracle

        def uint(sig: str, to: bytes = oracle) -> object:
            return view(l1, clock, to, sig, ["uint256"])

        assert uint("submissionInterval()") == config.submission_interval
        assert uint("l2BlockTime()") == config.l2_block_time
        assert uint("startingBlockNumber()") == 0
        assert uint("startingTimestamp()") == l2.block(0).header.timestamp
        assert uint("finalizationPeriodSeconds()") == 7 * 24 * 3600
        assert view(l1, clock, oracle, "proposer()", ["address"]) == (
            "0x" + config.proposer.address.hex()
        )
        assert view(l1, clock, oracle, "challenger()", ["address"]) == (
            "0x" + config.challenger.address.hex()
        )
        portal_oracle = view(l1, clock, where.optimism_portal, "l2Oracle()", ["address"])
        assert portal_oracle == "0x" + oracle.hex()
        bridge_portal = view(l1, clock, where.l1_standard_bridge, "portal()", ["address"])
        assert bridge_portal == "0x" + where.optimism_portal.hex()
        for role in (config.batcher, config.proposer, config.challenger):
            assert l1.account(role.address).balance == DEFAULT_ROLE_FUNDING


def test_interval_mining_l1_is_mined_on_demand(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    l1 = make_chain(L1_ID, block_time=12)
    l2 = make_chain(901, l2=True)
    addrs = deploy(l1, clock, [RollupConfig.for_rollup(901, 0)], [l2])
    assert l1.code(addrs.rollup(901).optimism_portal)
    assert clock.now() == l1.block(0).header.timestamp  # no time had to pass


def test_bad_input_and_taken_nonce(make_chain: ChainFactory, clock: VirtualClock) -> None:
    l1 = make_chain(L1_ID)
    client = client_of(l1, clock)
    cfg = RollupConfig.for_rollup(901, 0)
    deployer = l1.dev_accounts[0]
    with pytest.raises(DeploymentError, match="genesis timestamp"):
        deploy_rollups(client, [cfg], {}, deployer)
    with pytest.raises(DeploymentError, match="same chain id"):
        deploy_rollups(client, [cfg, cfg], {901: 0}, deployer)
    with pytest.raises(DeploymentError):  # the oracle rejects a genesis in the future
        deploy_rollups(client, [cfg], {901: int(clock.now()) + 10_000}, deployer)


def test_dedicated_deployer_touches_no_user_account(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    """What the devnet wiring should do: the reserved deployer and the role accounts funded
    in the L1 genesis, no top-ups; dev accounts keep nonce 0 and their balance."""
    configs = [RollupConfig.for_rollup(901 + i, i) for i in range(3)]
    l1 = make_chain(L1_ID, alloc=genesis_alloc(configs, 1000 * 10**18))
    l2s = [make_chain(c.chain_id, l2=True) for c in configs]
    before = [l1.account(a.address) for a in l1.dev_accounts]
    genesis = {c.chain_id: l2.block(0).header.timestamp for c, l2 in zip(configs, l2s, strict=True)}
    deployer = deployer_account()
    addrs = deploy_rollups(client_of(l1, clock), configs, genesis, deployer, fund=0)
    assert addrs == planned_addresses(deployer.address, 0, configs, L1_ID)
    assert [l1.account(a.address) for a in l1.dev_accounts] == before
    assert all(l1.account(c.proposer.address).balance == 1000 * 10**18 for c in configs)
    assert l1.code(addrs.rollup(903).l1_standard_bridge)


def test_fixed_gas_limits_keep_headroom(make_chain: ChainFactory, clock: VirtualClock) -> None:
    """The deploy uses fixed gas limits instead of estimates; each must stay well above what
    the transaction really uses (a contract change that eats the margin fails here first)."""
    from crossroll.rollup.deploy import DEPLOY_GAS, REGISTER_GAS

    l1, l2s, configs = two_rollups(make_chain)
    addrs = deploy(l1, clock, configs, l2s)
    kinds = {addrs.rollup_registry: "RollupRegistry", addrs.settlement_hub: "SettlementHub"}
    for config in configs:
        where = addrs.rollup(config.chain_id)
        kinds[where.l2_output_oracle] = "L2OutputOracle"
        kinds[where.optimism_portal] = "OptimismPortal"
        kinds[where.l1_standard_bridge] = "L1StandardBridge"
    seen = {"create": 0, "register": 0}
    for number in range(1, l1.head().number + 1):
        for receipt in l1.block(number).receipts:
            if receipt.contract_address in kinds:
                assert receipt.gas_used <= 0.85 * DEPLOY_GAS[kinds[receipt.contract_address]]
                seen["create"] += 1
            elif receipt.to == addrs.rollup_registry:
                assert receipt.gas_used <= 0.85 * REGISTER_GAS
                seen["register"] += 1
    assert seen == {"create": 8, "register": 2}


def test_also_fund_tops_up_extra_accounts_after_the_contracts(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    """On an external L1 the shared sequencer's key (which posts shared batches) is topped up
    like the role accounts, after the contracts, so their addresses do not move."""
    from crossroll.sequencing.addresses import shared_sequencer_account

    l1, l2 = make_chain(L1_ID), make_chain(901, l2=True)
    config = RollupConfig.for_rollup(901, 0)
    poster = shared_sequencer_account().address
    assert l1.account(poster).balance == 0
    addresses = deploy_rollups(
        client_of(l1, clock),
        [config],
        {901: l2.block(0).header.timestamp},
        l1.dev_accounts[0],
        also_fund=[poster],
    )
    assert addresses == planned_addresses(l1.dev_accounts[0].address, 0, [config], L1_ID)
    assert l1.account(poster).balance == DEFAULT_ROLE_FUNDING
    assert l1.account(config.batcher.address).balance == DEFAULT_ROLE_FUNDING
