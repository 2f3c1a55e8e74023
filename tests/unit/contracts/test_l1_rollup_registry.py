"""RollupRegistry: owner-managed per-chain-id settlement configuration."""

from __future__ import annotations

import pytest
from eth_abi import decode

from tests.unit.contracts.conftest import (
    ALICE,
    CHALLENGER,
    DEPLOYER,
    FINALIZATION_PERIOD,
    L2_CHAIN_ID,
    PROPOSER,
    Node,
    Reverted,
    Settlement,
    address_of,
    logs_of,
    selector,
)

ROLLUP = "(address,address,uint256,address,address,address)"
REGISTER = f"register(uint256,{ROLLUP})"
UPDATE = f"update(uint256,{ROLLUP})"


def checksum(b: bytes) -> str:
    return "0x" + b.hex()


@pytest.fixture
def registry(l1: Node) -> bytes:
    return l1.deploy(DEPLOYER, "RollupRegistry", ["address"], [address_of(DEPLOYER)])


def test_register_update_remove(l1: Node, registry: bytes, settlement: Settlement) -> None:
    batcher = address_of(CHALLENGER)
    cfg = (
        batcher,
        address_of(PROPOSER),
        FINALIZATION_PERIOD,
        settlement.oracle,
        settlement.portal,
        settlement.bridge,
    )
    assert l1.view(registry, "owner()", returns=["address"]) == checksum(address_of(DEPLOYER))
    assert l1.view(registry, "isRegistered(uint256)", L2_CHAIN_ID, returns=["bool"]) is False

    receipt = l1.transact(DEPLOYER, registry, REGISTER, L2_CHAIN_ID, cfg)
    [log] = logs_of(receipt, registry, f"RollupRegistered(uint256,address,address,{ROLLUP})")
    assert log.topics[1:] == (
        L2_CHAIN_ID.to_bytes(32, "big"),
        settlement.portal.rjust(32, b"\x00"),
        settlement.oracle.rjust(32, b"\x00"),
    )
    assert decode([ROLLUP], log.data)[0][2] == FINALIZATION_PERIOD
    got = l1.view(registry, "rollup(uint256)", L2_CHAIN_ID, returns=[ROLLUP])
    assert got == tuple(checksum(v) if isinstance(v, bytes) else v for v in cfg)
    assert l1.view(registry, "chainIds()", returns=["uint256[]"]) == (L2_CHAIN_ID,)
    assert (
        l1.reverts(DEPLOYER, registry, REGISTER, L2_CHAIN_ID, cfg)
        == "0x" + (selector("AlreadyRegistered(uint256)") + L2_CHAIN_ID.to_bytes(32, "big")).hex()
    )

    cfg2 = (*cfg[:2], 3600, *cfg[3:])
    receipt = l1.transact(DEPLOYER, registry, UPDATE, L2_CHAIN_ID, cfg2)
    assert logs_of(receipt, registry, f"RollupUpdated(uint256,{ROLLUP})")
    assert l1.view(registry, "rollup(uint256)", L2_CHAIN_ID, returns=[ROLLUP])[2] == 3600

    l1.transact(DEPLOYER, registry, REGISTER, 902, cfg)
    assert l1.view(registry, "chainIds()", returns=["uint256[]"]) == (L2_CHAIN_ID, 902)
    receipt = l1.transact(DEPLOYER, registry, "remove(uint256)", L2_CHAIN_ID)
    assert logs_of(receipt, registry, "RollupRemoved(uint256)")
    assert l1.view(registry, "chainIds()", returns=["uint256[]"]) == (902,)
    with pytest.raises(Reverted, match="0x" + selector("NotRegistered(uint256)").hex()):
        l1.view(registry, "rollup(uint256)", L2_CHAIN_ID, returns=[ROLLUP])
    assert l1.reverts(DEPLOYER, registry, UPDATE, L2_CHAIN_ID, cfg).startswith(
        "0x" + selector("NotRegistered(uint256)").hex()
    )


def test_only_owner_and_validation(l1: Node, registry: bytes, settlement: Settlement) -> None:
    cfg = (
        address_of(CHALLENGER),
        address_of(PROPOSER),
        60,
        settlement.oracle,
        settlement.portal,
        b"\x00" * 20,
    )
    not_owner = "0x" + (selector("NotOwner(address)") + address_of(ALICE).rjust(32, b"\x00")).hex()
    assert l1.reverts(ALICE, registry, REGISTER, L2_CHAIN_ID, cfg) == not_owner
    assert l1.reverts(ALICE, registry, "transferOwnership(address)", address_of(ALICE)) == not_owner
    invalid = "0x" + selector("InvalidRollup()").hex()
    assert l1.reverts(DEPLOYER, registry, REGISTER, 0, cfg) == invalid
    for i in (0, 1, 3, 4):
        bad = list(cfg)
        bad[i] = b"\x00" * 20
        assert l1.reverts(DEPLOYER, registry, REGISTER, L2_CHAIN_ID, tuple(bad)) == invalid
    l1.transact(DEPLOYER, registry, REGISTER, L2_CHAIN_ID, cfg)  # a zero bridge is allowed

    receipt = l1.transact(DEPLOYER, registry, "transferOwnership(address)", address_of(ALICE))
    [log] = logs_of(receipt, registry, "OwnershipTransferred(address,address)")
    assert log.topics[1:] == (
        address_of(DEPLOYER).rjust(32, b"\x00"),
        address_of(ALICE).rjust(32, b"\x00"),
    )
    l1.transact(ALICE, registry, "remove(uint256)", L2_CHAIN_ID)
    assert l1.reverts(DEPLOYER, registry, "remove(uint256)", 902).startswith("0x")
