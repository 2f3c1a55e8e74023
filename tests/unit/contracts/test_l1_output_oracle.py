"""L2OutputOracle on the L1 chain: OP's ABI, proposer/challenger rules, every-N-blocks cadence,
lookups, deletion, and the optional fixed-block-time "not in the future" check."""

from __future__ import annotations

import pytest
from eth_abi import encode

from crossroll.clock import VirtualClock
from crossroll.contracts import load
from tests.unit.contracts.conftest import (
    ALICE,
    CHALLENGER,
    DEPLOYER,
    FINALIZATION_PERIOD,
    PROPOSER,
    SUBMISSION_INTERVAL,
    Node,
    Reverted,
    Settlement,
    abi_surface,
    address_of,
    logs_of,
)

PROPOSE = "proposeL2Output(bytes32,uint256,bytes32,uint256)"
OUTPUT = ["(bytes32,uint128,uint128)"]
CTOR = ["uint256", "uint256", "uint256", "uint256", "address", "address", "uint256"]


def root(n: int) -> bytes:
    return n.to_bytes(32, "big")


def test_abi_is_ops() -> None:
    assert abi_surface("L2OutputOracle") == {
        "function CHALLENGER()",
        "function FINALIZATION_PERIOD_SECONDS()",
        "function L2_BLOCK_TIME()",
        "function PROPOSER()",
        "function SUBMISSION_INTERVAL()",
        "function challenger()",
        "function computeL2Timestamp(uint256)",
        "function deleteL2Outputs(uint256)",
        "function finalizationPeriodSeconds()",
        "function getL2Output(uint256)",
        "function getL2OutputAfter(uint256)",
        "function getL2OutputIndexAfter(uint256)",
        "function l2BlockTime()",
        "function latestBlockNumber()",
        "function latestOutputIndex()",
        "function nextBlockNumber()",
        "function nextOutputIndex()",
        "function proposeL2Output(bytes32,uint256,bytes32,uint256)",
        "function proposer()",
        "function startingBlockNumber()",
        "function startingTimestamp()",
        "function submissionInterval()",
        "event OutputProposed(bytes32,uint256,uint256,uint256)",
        "event OutputsDeleted(uint256,uint256)",
    }


def test_getters(settlement: Settlement, l1: Node) -> None:
    o = settlement.oracle
    assert l1.view(o, "SUBMISSION_INTERVAL()", returns=["uint256"]) == SUBMISSION_INTERVAL
    assert l1.view(o, "submissionInterval()", returns=["uint256"]) == SUBMISSION_INTERVAL
    assert l1.view(o, "PROPOSER()", returns=["address"]) == "0x" + address_of(PROPOSER).hex()
    assert l1.view(o, "CHALLENGER()", returns=["address"]) == "0x" + address_of(CHALLENGER).hex()
    assert l1.view(o, "FINALIZATION_PERIOD_SECONDS()", returns=["uint256"]) == FINALIZATION_PERIOD
    assert l1.view(o, "finalizationPeriodSeconds()", returns=["uint256"]) == FINALIZATION_PERIOD
    assert l1.view(o, "L2_BLOCK_TIME()", returns=["uint256"]) == 0
    assert l1.view(o, "latestBlockNumber()", returns=["uint256"]) == 0
    assert l1.view(o, "nextBlockNumber()", returns=["uint256"]) == SUBMISSION_INTERVAL
    assert l1.view(o, "nextOutputIndex()", returns=["uint256"]) == 0
    with pytest.raises(Reverted):  # no outputs yet: underflow
        l1.view(o, "latestOutputIndex()", returns=["uint256"])
    with pytest.raises(Reverted):
        l1.view(o, "getL2Output(uint256)", 0, returns=OUTPUT)


def test_propose_every_n_blocks(settlement: Settlement, l1: Node) -> None:
    o = settlement.oracle
    for i in range(3):
        number = SUBMISSION_INTERVAL * (i + 1)
        receipt = l1.transact(PROPOSER, o, PROPOSE, root(100 + i), number, b"\x00" * 32, 0)
        [log] = logs_of(receipt, o, "OutputProposed(bytes32,uint256,uint256,uint256)")
        ts = l1.chain.block(receipt.block_number).header.timestamp
        assert log.topics[1:] == (root(100 + i), root(i), root(number))
        assert int.from_bytes(log.data, "big") == ts
        assert l1.view(o, "getL2Output(uint256)", i, returns=OUTPUT) == (root(100 + i), ts, number)
    assert l1.view(o, "latestOutputIndex()", returns=["uint256"]) == 2
    assert l1.view(o, "nextOutputIndex()", returns=["uint256"]) == 3
    assert l1.view(o, "latestBlockNumber()", returns=["uint256"]) == 12
    assert l1.view(o, "nextBlockNumber()", returns=["uint256"]) == 16
    # getL2OutputIndexAfter: the first output at or after a block
    for block, index in [(0, 0), (1, 0), (4, 0), (5, 1), (8, 1), (9, 2), (12, 2)]:
        assert l1.view(o, "getL2OutputIndexAfter(uint256)", block, returns=["uint256"]) == index
    assert l1.view(o, "getL2OutputAfter(uint256)", 6, returns=OUTPUT)[0] == root(101)
    assert l1.reverts(ALICE, o, "getL2OutputIndexAfter(uint256)", 13) == (
        "L2OutputOracle: cannot get output for a block that has not been proposed"
    )


def test_propose_rules(settlement: Settlement, l1: Node) -> None:
    o = settlement.oracle
    assert l1.reverts(ALICE, o, PROPOSE, root(1), 4, b"\x00" * 32, 0) == (
        "L2OutputOracle: only the proposer address can propose new outputs"
    )
    for wrong in (0, 3, 5, 8):
        assert l1.reverts(PROPOSER, o, PROPOSE, root(1), wrong, b"\x00" * 32, 0) == (
            "L2OutputOracle: block number must be equal to next expected block number"
        )
    assert l1.reverts(PROPOSER, o, PROPOSE, b"\x00" * 32, 4, b"\x00" * 32, 0) == (
        "L2OutputOracle: L2 output proposal cannot be the zero hash"
    )
    head = l1.chain.head()
    assert l1.reverts(PROPOSER, o, PROPOSE, root(1), 4, b"\x11" * 32, head.number) == (
        "L2OutputOracle: block hash does not match the hash at the expected height"
    )
    head = l1.chain.head()
    l1.transact(PROPOSER, o, PROPOSE, root(1), 4, head.hash, head.number)
    assert l1.view(o, "nextOutputIndex()", returns=["uint256"]) == 1


def test_fixed_block_time_rejects_future_outputs(l1: Node, clock: VirtualClock) -> None:
    start = l1.chain.head().header.timestamp
    o = l1.deploy(
        DEPLOYER,
        "L2OutputOracle",
        CTOR,
        [10, 2, 100, start, address_of(PROPOSER), address_of(CHALLENGER), 60],
    )
    assert l1.view(o, "computeL2Timestamp(uint256)", 110, returns=["uint256"]) == start + 20
    assert l1.view(o, "nextBlockNumber()", returns=["uint256"]) == 110
    assert l1.reverts(PROPOSER, o, PROPOSE, root(1), 110, b"\x00" * 32, 0) == (
        "L2OutputOracle: cannot propose L2 output in the future"
    )
    settle = Settlement(l1, l1, clock, o, o, o)  # only for elapse()
    settle.elapse(30)
    l1.transact(PROPOSER, o, PROPOSE, root(1), 110, b"\x00" * 32, 0)


def test_constructor_checks(l1: Node) -> None:
    future = l1.chain.head().header.timestamp + 1000
    for first4 in ([0, 0, 0, 0], [1, 0, 0, future]):
        args = [*first4, address_of(PROPOSER), address_of(CHALLENGER), 60]
        receipt = l1.send(
            DEPLOYER, None, load("L2OutputOracle").bytecode + encode(CTOR, args), gas=5_000_000
        )
        assert receipt.status == 0


def test_delete_outputs(settlement: Settlement, l1: Node) -> None:
    o = settlement.oracle
    for i in range(3):
        l1.transact(PROPOSER, o, PROPOSE, root(1 + i), 4 * (i + 1), b"\x00" * 32, 0)
    assert l1.reverts(PROPOSER, o, "deleteL2Outputs(uint256)", 1) == (
        "L2OutputOracle: only the challenger address can delete outputs"
    )
    assert l1.reverts(CHALLENGER, o, "deleteL2Outputs(uint256)", 3) == (
        "L2OutputOracle: cannot delete outputs after the latest output index"
    )
    receipt = l1.transact(CHALLENGER, o, "deleteL2Outputs(uint256)", 1)
    [log] = logs_of(receipt, o, "OutputsDeleted(uint256,uint256)")
    assert log.topics[1:] == (root(3), root(1))
    assert l1.view(o, "nextOutputIndex()", returns=["uint256"]) == 1
    assert l1.view(o, "nextBlockNumber()", returns=["uint256"]) == 8
    with pytest.raises(Reverted):
        l1.view(o, "getL2Output(uint256)", 1, returns=OUTPUT)
    # the proposer goes on from the last kept output, with a new root
    l1.transact(PROPOSER, o, PROPOSE, root(99), 8, b"\x00" * 32, 0)
    assert l1.view(o, "getL2Output(uint256)", 1, returns=OUTPUT)[0] == root(99)
    # finalized outputs stay
    settlement.elapse(FINALIZATION_PERIOD + 1)
    assert l1.reverts(CHALLENGER, o, "deleteL2Outputs(uint256)", 0) == (
        "L2OutputOracle: cannot delete outputs that have already been finalized"
    )
