"""Deploy the settlement contracts of a set of rollups on an L1, through JSON-RPC only.

Order (so addresses depend only on the deployer and its starting nonce ``n``, and a fresh
devnet always gets the same ones):

    n             RollupRegistry(owner = deployer)
    n + 1 + 3i    L2OutputOracle of rollup i (configs in the order given)
    n + 2 + 3i    OptimismPortal(oracle)
    n + 3 + 3i    L1StandardBridge(portal)
    n + 1 + 3k    SettlementHub(registry), for k rollups (after the others: adding it moved
                  nothing)
    n + 2 + 3k    ForcedInclusionQueue() (likewise after everything older)
    then          RollupRegistry.register(chainId, ...) per rollup, then role-account top-ups.

Contract creations are all sent before any is waited for (they do not call each other), so
an L1 with interval mining needs only a few blocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..abc import ClientAPI
from ..contracts import load
from ..errors import ChainError, DeploymentError, L1TransactionFailed
from ..types import Address, DevAccount, Hash32
from . import transact
from .abi import calldata, constructor
from .addresses import L1Addresses, RollupAddresses, create_address
from .config import RollupConfig

#: ETH (wei) each batcher, proposer and challenger is topped up to on the L1.
DEFAULT_ROLE_FUNDING = 100 * 10**18

REGISTER = "register(uint256,(address,address,uint256,address,address,address))"
ORACLE_ARGS = ("uint256", "uint256", "uint256", "uint256", "address", "address", "uint256")


# Gas limits of the deployment transactions: the contracts are crossroll's own and their
# constructors deterministic, so fixed limits (1.25x the measured use) replace eth_estimateGas,
# whose binary searches were most of the deploy's cost at start-up.  A test checks every
# estimate stays below its limit (tests/unit/rollup/test_deploy.py).
DEPLOY_GAS = {
    "RollupRegistry": 800_000,
    "L2OutputOracle": 1_150_000,
    "OptimismPortal": 2_600_000,
    "L1StandardBridge": 480_000,
    "SettlementHub": 2_150_000,
    "ForcedInclusionQueue": 250_000,
}
REGISTER_GAS = 280_000


def planned_addresses(
    deployer: Address, nonce: int, configs: Sequence[RollupConfig], l1_chain_id: int
) -> L1Addresses:
    """The addresses :func:`deploy_rollups` will produce from ``nonce`` on."""
    rollups = []
    for i, config in enumerate(configs):
        base = nonce + 1 + 3 * i
        rollups.append(
            RollupAddresses(
                chain_id=config.chain_id,
                l2_output_oracle=create_address(deployer, base),
                optimism_portal=create_address(deployer, base + 1),
                l1_standard_bridge=create_address(deployer, base + 2),
                batch_inbox=config.batch_inbox,
            )
        )
    hub = create_address(deployer, nonce + 1 + 3 * len(configs))
    queue = create_address(deployer, nonce + 2 + 3 * len(configs))
    registry = create_address(deployer, nonce)
    return L1Addresses(l1_chain_id, registry, tuple(rollups), hub, queue)


def deploy_rollups(
    client: ClientAPI,
    configs: Sequence[RollupConfig],
    genesis_timestamps: Mapping[int, int],
    deployer: DevAccount,
    *,
    fund: int = DEFAULT_ROLE_FUNDING,
    mine: bool = True,
    also_fund: Sequence[Address] = (),
) -> L1Addresses:
    """Deploy and register every rollup's contracts; return their addresses.

    ``genesis_timestamps``: each rollup's L2 genesis timestamp by chain id (the oracle's
    starting timestamp; starting block is 0).  ``mine``: see :func:`transact.wait`.
    ``also_fund``: accounts topped up to ``fund`` like the role accounts (the shared
    sequencer's key, which posts shared batches)."""
    if len({c.chain_id for c in configs}) != len(configs):
        raise DeploymentError("two rollups with the same chain id")
    missing = [c.chain_id for c in configs if c.chain_id not in genesis_timestamps]
    if missing:
        raise DeploymentError(f"no L2 genesis timestamp for chain {missing[0]}")
    chain_id = transact.quantity(client.request("eth_chainId"))
    start = transact.nonce(client, deployer.address, "pending")
    plan = planned_addresses(deployer.address, start, configs, chain_id)
    try:
        _create_all(client, configs, genesis_timestamps, deployer, plan, start, mine)
        _register_all(client, configs, deployer, plan, mine)
        _fund_roles(client, configs, deployer, fund, mine, also_fund)
    except (ChainError, L1TransactionFailed) as exc:  # a revert in estimation, or mined
        raise DeploymentError(f"deploying the rollup contracts failed: {exc.message}") from exc
    return plan


def _create_all(
    client: ClientAPI,
    configs: Sequence[RollupConfig],
    genesis_timestamps: Mapping[int, int],
    deployer: DevAccount,
    plan: L1Addresses,
    start: int,
    mine: bool,
) -> None:
    codes = [constructor(load("RollupRegistry").bytecode, ["address"], deployer.address)]
    kinds = ["RollupRegistry"]
    for config, where in zip(configs, plan.rollups, strict=True):
        oracle_args = (
            config.submission_interval,
            config.l2_block_time,
            0,
            genesis_timestamps[config.chain_id],
            config.proposer.address,
            config.challenger.address,
            config.challenge_window,
        )
        codes += [
            constructor(load("L2OutputOracle").bytecode, ORACLE_ARGS, *oracle_args),
            constructor(load("OptimismPortal").bytecode, ["address"], where.l2_output_oracle),
            constructor(load("L1StandardBridge").bytecode, ["address"], where.optimism_portal),
        ]
        kinds += ["L2OutputOracle", "OptimismPortal", "L1StandardBridge"]
    codes.append(constructor(load("SettlementHub").bytecode, ["address"], plan.rollup_registry))
    kinds.append("SettlementHub")
    codes.append(load("ForcedInclusionQueue").bytecode)
    kinds.append("ForcedInclusionQueue")
    hashes = [
        transact.send(
            client,
            deployer,
            None,
            code,
            nonce_=start + i,
            gas=DEPLOY_GAS[kind],
            chain_id=plan.l1_chain_id,
        )
        for i, (kind, code) in enumerate(zip(kinds, codes, strict=True))
    ]
    expected = [plan.rollup_registry]
    for where in plan.rollups:
        expected += [where.l2_output_oracle, where.optimism_portal, where.l1_standard_bridge]
    expected += [plan.settlement_hub, plan.forced_inclusion_queue]
    for receipt, address in zip(transact.wait(client, hashes, mine=mine), expected, strict=True):
        if receipt.contract_address != address:  # someone else used the deployer's nonce
            raise DeploymentError(
                f"contract landed at 0x{(receipt.contract_address or b'').hex()}, "
                f"expected 0x{address.hex()}"
            )


def _register_all(
    client: ClientAPI,
    configs: Sequence[RollupConfig],
    deployer: DevAccount,
    plan: L1Addresses,
    mine: bool,
) -> None:
    start = transact.nonce(client, deployer.address, "pending")
    hashes = []
    for i, (config, where) in enumerate(zip(configs, plan.rollups, strict=True)):
        entry = (
            config.batcher.address,
            config.proposer.address,
            config.challenge_window,
            where.l2_output_oracle,
            where.optimism_portal,
            where.l1_standard_bridge,
        )
        data = calldata(REGISTER, config.chain_id, entry)
        hashes.append(
            transact.send(
                client,
                deployer,
                plan.rollup_registry,
                data,
                nonce_=start + i,
                gas=REGISTER_GAS,
                chain_id=plan.l1_chain_id,
            )
        )
    transact.wait(client, hashes, mine=mine)


def _fund_roles(
    client: ClientAPI,
    configs: Sequence[RollupConfig],
    deployer: DevAccount,
    fund: int,
    mine: bool,
    also_fund: Sequence[Address] = (),
) -> None:
    if fund <= 0:
        return
    nonce = transact.nonce(client, deployer.address, "pending")
    hashes: list[Hash32] = []
    roles = [a.address for c in configs for a in (c.batcher, c.proposer, c.challenger)]
    for address in [*roles, *also_fund]:
        balance = transact.quantity(
            client.request("eth_getBalance", [transact.hexstr(address), "latest"])
        )
        if balance < fund:
            hashes.append(
                transact.send(
                    client,
                    deployer,
                    address,
                    value=fund - balance,
                    nonce_=nonce + len(hashes),
                    gas=21_000,
                )
            )
    transact.wait(client, hashes, mine=mine)
