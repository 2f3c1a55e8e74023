"""Withdrawals end to end across two real chains: initiateWithdrawal on L2 -> output root on the
L1 oracle -> proveWithdrawalTransaction with an eth_getProof storage proof -> challenge window on
the virtual clock -> finalizeWithdrawalTransaction. And every way a proof or a finalization
must fail."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import pytest
from eth_abi import decode, encode
from eth_hash.auto import keccak

from crossroll.types import CallRequest, Log
from tests.unit.contracts.conftest import (
    ALICE,
    BOB,
    CHALLENGER,
    DEFAULT_L2_SENDER,
    ETHER,
    FINALIZATION_PERIOD,
    FINALIZE,
    PASSER,
    PROPOSER,
    PROVE,
    Node,
    Settlement,
    address_of,
    calldata,
    eth_call,
    logs_of,
    revert_reason,
    selector,
    withdrawal_slot,
)

PROPOSE = "proposeL2Output(bytes32,uint256,bytes32,uint256)"
PROVEN = "provenWithdrawals(bytes32)"
INVALID_INCLUSION = "OptimismPortal: invalid withdrawal inclusion proof"
NOT_ELAPSED = "OptimismPortal: proven withdrawal finalization period has not elapsed"
TRIE_ERRORS = {
    "0x" + selector(s).hex()
    for s in (
        "ProofTooShort()",
        "ProofTooLong()",
        "MalformedNode()",
        "InvalidRLP()",
        "BadNodeHash(uint256)",
    )
}


@dataclass
class Pending:
    """A withdrawal initiated on L2 and covered by an output on L1."""

    w: tuple
    whash: bytes
    index: int
    block: int
    root_proof: tuple[bytes, bytes, bytes, bytes]
    nodes: list[bytes]


def initiate(
    s: Settlement,
    target: bytes,
    value: int = ETHER,
    gas_limit: int = 100_000,
    data: bytes = b"hello",
    key: str = ALICE,
) -> Pending:
    w, whash, _ = s.withdraw(key, target, value, gas_limit, data)
    index, block, root_proof = s.propose_next()
    return Pending(w, whash, index, block, root_proof, s.storage_proof(whash, block))


@pytest.fixture
def target(l1: Node, probe_l1: bytes) -> bytes:
    return probe_l1


@pytest.fixture
def funded(settlement: Settlement, l1: Node) -> Settlement:
    """ETH locked in the portal by earlier deposits, so withdrawals can be paid."""
    l1.send(BOB, settlement.portal, b"", value=50 * ETHER, gas=100_000)
    return settlement


def test_withdrawal_end_to_end(
    funded: Settlement, l1: Node, l2: Node, target: bytes, record_property: Any
) -> None:
    s, portal = funded, funded.portal
    p = initiate(s, target, value=ETHER, gas_limit=100_000, data=b"hello")
    assert l2.view(PASSER, "sentMessages(bytes32)", p.whash, returns=["bool"]) is True

    # the output root on L1 is OP's v0 commitment to the L2 block
    header = l2.chain.block(p.block).header
    assert p.root_proof == (
        b"\x00" * 32,
        header.state_root,
        l2.chain.proof(PASSER, [], p.block).storage_hash,
        header.hash,
    )
    output = l1.view(
        s.oracle, "getL2Output(uint256)", p.index, returns=["(bytes32,uint128,uint128)"]
    )
    assert output[0] == keccak(encode(["bytes32"] * 4, list(p.root_proof)))
    assert output[2] == p.block

    receipt = l1.transact(ALICE, portal, PROVE, p.w, p.index, p.root_proof, p.nodes)
    prove_gas = receipt.gas_used
    [log] = logs_of(receipt, portal, "WithdrawalProven(bytes32,address,address)")
    assert log.topics[1:] == (
        p.whash,
        address_of(ALICE).rjust(32, b"\x00"),
        target.rjust(32, b"\x00"),
    )
    proven_at = l1.chain.block(receipt.block_number).header.timestamp
    assert l1.view(portal, PROVEN, p.whash, returns=["bytes32", "uint128", "uint128"]) == (
        output[0],
        proven_at,
        p.index,
    )
    assert l1.reverts(BOB, portal, PROVE, p.w, p.index, p.root_proof, p.nodes) == (
        "OptimismPortal: withdrawal hash has already been proven"
    )

    # the challenge window: not at proven_at + period, only after it
    assert l1.reverts(BOB, portal, FINALIZE, p.w) == NOT_ELAPSED
    assert l1.view(portal, "isOutputFinalized(uint256)", p.index, returns=["bool"]) is False
    s.clock.advance(proven_at + FINALIZATION_PERIOD - s.clock.now())
    l1.chain.set_next_block_timestamp(proven_at + FINALIZATION_PERIOD)
    assert l1.reverts(BOB, portal, FINALIZE, p.w) == NOT_ELAPSED
    s.elapse(1)
    assert l1.view(portal, "isOutputFinalized(uint256)", p.index, returns=["bool"]) is True

    portal_before, target_before = l1.balance(portal), l1.balance(target)
    receipt = l1.transact(BOB, portal, FINALIZE, p.w)
    finalize_gas = receipt.gas_used
    [log] = logs_of(receipt, portal, "WithdrawalFinalized(bytes32,bool)")
    assert log.topics[1] == p.whash and decode(["bool"], log.data) == (True,)
    assert l1.balance(target) == target_before + ETHER
    assert l1.balance(portal) == portal_before - ETHER
    assert l1.view(target, "lastCaller()", returns=["address"]) == "0x" + portal.hex()
    assert l1.view(target, "lastValue()", returns=["uint256"]) == ETHER
    assert l1.view(target, "lastData()", returns=["bytes"]) == b"hello"
    # l2Sender() is the L2 initiator during the call, the default afterwards
    assert l1.view(target, "lastL2Sender()", returns=["address"]) == "0x" + address_of(ALICE).hex()
    assert l1.view(portal, "l2Sender()", returns=["address"]) == "0x" + DEFAULT_L2_SENDER.hex()
    assert l1.view(portal, "finalizedWithdrawals(bytes32)", p.whash, returns=["bool"]) is True

    assert l1.reverts(BOB, portal, FINALIZE, p.w) == (
        "OptimismPortal: withdrawal has already been finalized"
    )
    record_property("gas_prove", prove_gas)
    record_property("gas_finalize", finalize_gas)
    print(
        f"\nGAS proveWithdrawalTransaction={prove_gas} ({len(p.nodes)} proof nodes) "
        f"finalizeWithdrawalTransaction={finalize_gas}"
    )


def test_withdrawal_to_eoa_with_plain_send(funded: Settlement, l1: Node, l2: Node) -> None:
    s = funded
    l2.send(BOB, PASSER, b"", value=2 * ETHER, gas=200_000)  # receive(): to msg.sender, 100k gas
    whash = decode(["uint256", "uint256", "bytes", "bytes32"], _last_passed(l2).data)[3]
    w = (1 << 240, address_of(BOB), address_of(BOB), 2 * ETHER, 100_000, b"")
    index, block, root_proof = s.propose_next()
    l1.transact(ALICE, s.portal, PROVE, w, index, root_proof, s.storage_proof(whash, block))
    s.elapse(FINALIZATION_PERIOD + 1)
    before = l1.balance(address_of(BOB))
    l1.transact(ALICE, s.portal, FINALIZE, w)  # ALICE pays the gas, BOB gets the ETH
    assert l1.balance(address_of(BOB)) == before + 2 * ETHER


def _last_passed(l2: Node) -> Log:
    receipt = l2.chain.head().receipts[-1]
    [log] = logs_of(
        receipt, PASSER, "MessagePassed(uint256,address,address,uint256,uint256,bytes,bytes32)"
    )
    return log


def test_bad_proofs_revert(funded: Settlement, l1: Node, l2: Node, target: bytes) -> None:
    s, portal = funded, funded.portal
    other = initiate(s, address_of(BOB), value=0, data=b"other")
    p = initiate(s, target)
    assert (other.index, p.index) == (0, 1)

    # (a) output root preimage that does not hash to the oracle's output
    for i in range(4):
        bad = list(p.root_proof)
        bad[i] = b"\x01" * 32
        assert l1.reverts(ALICE, portal, PROVE, p.w, p.index, tuple(bad), p.nodes) == (
            "OptimismPortal: invalid output root proof"
        )
    # (b) wrong output index: another output, or none at all
    assert l1.reverts(ALICE, portal, PROVE, p.w, other.index, p.root_proof, p.nodes) == (
        "OptimismPortal: invalid output root proof"
    )
    assert l1.reverts(ALICE, portal, PROVE, p.w, 7, p.root_proof, p.nodes).startswith(
        "0x4e487b71"
    )  # Panic(0x32): array out of bounds
    # (c) a tampered proof node (any byte of any node)
    for n in range(len(p.nodes)):
        nodes = list(p.nodes)
        node = bytearray(nodes[n])
        node[len(node) // 2] ^= 0x01
        nodes[n] = bytes(node)
        reason = l1.reverts(ALICE, portal, PROVE, p.w, p.index, p.root_proof, nodes)
        assert reason.startswith("0x" + selector("BadNodeHash(uint256)").hex())
    # (d) a valid proof, but for another slot: the earlier withdrawal's, or the nonce counter's
    for slot in (withdrawal_slot(other.whash), 1, 12345):
        nodes = s.storage_proof(p.whash, p.block, slot=slot)
        reason = l1.reverts(ALICE, portal, PROVE, p.w, p.index, p.root_proof, nodes)
        assert reason == INVALID_INCLUSION or reason[:10] in TRIE_ERRORS, reason
    # (e) truncated and padded proofs
    too_short, too_long = ("0x" + selector(e).hex() for e in ("ProofTooShort()", "ProofTooLong()"))
    assert l1.reverts(ALICE, portal, PROVE, p.w, p.index, p.root_proof, p.nodes[:-1]) == too_short
    assert l1.reverts(ALICE, portal, PROVE, p.w, p.index, p.root_proof, [*p.nodes, b"\xc0"]) == (
        too_long
    )
    assert l1.reverts(ALICE, portal, PROVE, p.w, p.index, p.root_proof, []) == too_short
    # (f) a withdrawal nobody initiated, with the chain's proof of absence for its slot
    for i, changed in enumerate(
        [p.w[0] + 5, address_of(BOB), address_of(BOB), 2 * ETHER, 1, b"hellO"]
    ):
        forged = list(p.w)
        forged[i] = changed
        forged_hash = keccak(
            encode(["uint256", "address", "address", "uint256", "uint256", "bytes"], forged)
        )
        assert l2.chain.storage(PASSER, withdrawal_slot(forged_hash), p.block) == 0
        absent = s.storage_proof(forged_hash, p.block)
        assert l1.reverts(ALICE, portal, PROVE, tuple(forged), p.index, p.root_proof, absent) == (
            INVALID_INCLUSION
        )
        # ...and with the real withdrawal's proof
        reason = l1.reverts(ALICE, portal, PROVE, tuple(forged), p.index, p.root_proof, p.nodes)
        assert reason == INVALID_INCLUSION or reason[:10] in TRIE_ERRORS
    # (g) the portal itself as target
    w = (*p.w[:2], portal, *p.w[3:])
    assert l1.reverts(ALICE, portal, PROVE, w, p.index, p.root_proof, p.nodes) == (
        "OptimismPortal: you cannot send messages to the portal contract"
    )
    # nothing above was recorded; the real proof still works
    assert l1.view(portal, PROVEN, p.whash, returns=["bytes32", "uint128", "uint128"])[1] == 0
    l1.transact(ALICE, portal, PROVE, p.w, p.index, p.root_proof, p.nodes)


def test_finalize_rules(funded: Settlement, l1: Node, target: bytes) -> None:
    s, portal = funded, funded.portal
    p = initiate(s, target)
    assert l1.reverts(ALICE, portal, FINALIZE, p.w) == (
        "OptimismPortal: withdrawal has not been proven yet"
    )
    # proving late does not shorten the wait: the proof's own window counts
    s.elapse(FINALIZATION_PERIOD + 1)
    assert l1.view(portal, "isOutputFinalized(uint256)", p.index, returns=["bool"]) is True
    l1.transact(ALICE, portal, PROVE, p.w, p.index, p.root_proof, p.nodes)
    assert l1.reverts(ALICE, portal, FINALIZE, p.w) == NOT_ELAPSED
    s.elapse(FINALIZATION_PERIOD // 2)
    assert l1.reverts(ALICE, portal, FINALIZE, p.w) == NOT_ELAPSED
    s.elapse(FINALIZATION_PERIOD // 2 + 1)
    l1.transact(ALICE, portal, FINALIZE, p.w)


def test_failed_call_is_final(funded: Settlement, l1: Node, target: bytes) -> None:
    s, portal = funded, funded.portal
    p = initiate(s, target)
    l1.transact(ALICE, portal, PROVE, p.w, p.index, p.root_proof, p.nodes)
    s.elapse(FINALIZATION_PERIOD + 1)
    l1.transact(ALICE, target, "setRevert(bool)", True)
    # gas estimation (tx.origin == address(1)) sees the failure as a revert
    res = eth_call(
        l1.chain,
        CallRequest(
            sender=b"\x00" * 19 + b"\x01", to=portal, data=calldata(FINALIZE, p.w), gas=3_000_000
        ),
        "pending",
    )
    assert not res.success and revert_reason(res.output) == "OptimismPortal: withdrawal failed"
    before = l1.balance(portal)
    receipt = l1.transact(ALICE, portal, FINALIZE, p.w)
    [log] = logs_of(receipt, portal, "WithdrawalFinalized(bytes32,bool)")
    assert decode(["bool"], log.data) == (False,)
    assert l1.balance(portal) == before  # the ETH stays in the portal
    assert l1.view(portal, "finalizedWithdrawals(bytes32)", p.whash, returns=["bool"]) is True
    l1.transact(ALICE, target, "setRevert(bool)", False)
    assert l1.reverts(ALICE, portal, FINALIZE, p.w) == (
        "OptimismPortal: withdrawal has already been finalized"
    )


def test_gas_limit_is_guaranteed(funded: Settlement, l1: Node, target: bytes) -> None:
    s, portal = funded, funded.portal
    p = initiate(s, target, gas_limit=1_000_000)
    l1.transact(ALICE, portal, PROVE, p.w, p.index, p.root_proof, p.nodes)
    s.elapse(FINALIZATION_PERIOD + 1)
    # not enough gas left to hand the target its 1M: the whole finalization reverts
    assert l1.reverts(ALICE, portal, FINALIZE, p.w, gas=900_000) == "SafeCall: Not enough gas"
    assert l1.view(portal, "finalizedWithdrawals(bytes32)", p.whash, returns=["bool"]) is False
    receipt = l1.transact(ALICE, portal, FINALIZE, p.w, gas=1_200_000)
    [log] = logs_of(receipt, portal, "WithdrawalFinalized(bytes32,bool)")
    assert decode(["bool"], log.data) == (True,)


def test_one_withdrawal_per_transaction(funded: Settlement, l1: Node, target: bytes) -> None:
    s, portal = funded, funded.portal
    first = initiate(s, target, data=b"first")
    second = initiate(s, address_of(BOB), data=b"second")
    for p in (first, second):
        l1.transact(ALICE, portal, PROVE, p.w, p.index, p.root_proof, p.nodes)
    s.elapse(FINALIZATION_PERIOD + 1)
    l1.transact(ALICE, target, "setReenter(bytes)", calldata(FINALIZE, second.w))
    l1.transact(ALICE, portal, FINALIZE, first.w)
    assert l1.view(target, "reenterOk()", returns=["bool"]) is False
    inner = l1.view(target, "reenterResult()", returns=["bytes"])
    assert revert_reason(inner) == "OptimismPortal: can only trigger one withdrawal per transaction"
    assert l1.view(portal, "finalizedWithdrawals(bytes32)", second.whash, returns=["bool"]) is False
    l1.transact(ALICE, portal, FINALIZE, second.w)


def test_deleted_outputs(funded: Settlement, l1: Node, target: bytes) -> None:
    s, portal, oracle = funded, funded.portal, funded.oracle
    p = initiate(s, target)
    real_root = l1.view(
        oracle, "getL2Output(uint256)", p.index, returns=["(bytes32,uint128,uint128)"]
    )[0]
    l1.transact(ALICE, portal, PROVE, p.w, p.index, p.root_proof, p.nodes)

    # the challenger deletes the output and the proposer puts another root there
    l1.transact(CHALLENGER, oracle, "deleteL2Outputs(uint256)", p.index)
    l1.transact(PROPOSER, oracle, PROPOSE, b"\x66" * 32, p.block, b"\x00" * 32, 0)
    s.elapse(FINALIZATION_PERIOD + 1)
    assert l1.reverts(ALICE, portal, FINALIZE, p.w) == (
        "OptimismPortal: output root proven is not the same as current output root"
    )
    # the proof can now be redone against a later output that does hold the withdrawal
    index, block, root_proof = s.propose_next()
    l1.transact(ALICE, portal, PROVE, p.w, index, root_proof, s.storage_proof(p.whash, block))
    assert l1.reverts(ALICE, portal, FINALIZE, p.w) == NOT_ELAPSED

    # deleted and re-proposed with the same root: the re-proposal's own window applies
    q = initiate(s, target, data=b"q")
    l1.transact(ALICE, portal, PROVE, q.w, q.index, q.root_proof, q.nodes)
    s.elapse(FINALIZATION_PERIOD // 2)
    l1.transact(CHALLENGER, oracle, "deleteL2Outputs(uint256)", q.index)
    root = keccak(encode(["bytes32"] * 4, list(q.root_proof)))
    l1.transact(PROPOSER, oracle, PROPOSE, root, q.block, b"\x00" * 32, 0)
    s.elapse(FINALIZATION_PERIOD // 2 + 1)
    assert l1.reverts(ALICE, portal, FINALIZE, q.w) == (
        "OptimismPortal: output proposal finalization period has not elapsed"
    )
    s.elapse(FINALIZATION_PERIOD // 2)
    l1.transact(ALICE, portal, FINALIZE, q.w)
    l1.transact(ALICE, portal, FINALIZE, p.w)
    assert real_root != b"\x66" * 32


@pytest.mark.parametrize("entries", [0, 300, 5000])
def test_prove_gas_by_trie_size(
    funded: Settlement, l1: Node, l2: Node, entries: int, record_property: Any
) -> None:
    """Prove/finalize gas (1 ETH to an EOA, no data) as the message passer's storage trie grows.
    OP mainnet's trie is far bigger: each 16x more withdrawals adds a branch node (~532 bytes)."""
    rng = random.Random(entries)
    for _ in range(entries):
        l2.chain.set_storage_at(PASSER, rng.getrandbits(256), 1)
    s, portal = funded, funded.portal
    p = initiate(s, address_of(BOB), data=b"")
    prove = l1.transact(ALICE, portal, PROVE, p.w, p.index, p.root_proof, p.nodes).gas_used
    s.elapse(FINALIZATION_PERIOD + 1)
    finalize = l1.transact(ALICE, portal, FINALIZE, p.w).gas_used
    record_property("gas_prove", prove)
    record_property("gas_finalize", finalize)
    print(
        f"\nGAS trie_entries={entries} proof_nodes={len(p.nodes)} "
        f"proof_bytes={sum(map(len, p.nodes))} prove={prove} finalize={finalize}"
    )
