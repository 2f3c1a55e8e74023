"""Withdrawals through crossroll.rollup.withdrawals on two in-process chains and a real
proposer (L1 every 12 s, L2 every 2 s, a 120 s challenge window): every lifecycle stage in
order with its blocks and times, ETH moving on the L1, and each misuse refused by our checks
and, with them skipped, by the L1 portal itself, with no balance changed."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from crossroll.abc import ClientAPI
from crossroll.chain import Chain
from crossroll.chain.rules import L2_TO_L1_MESSAGE_PASSER as PASSER
from crossroll.clock import VirtualClock
from crossroll.errors import (
    AlreadyFinalized,
    AlreadyProven,
    ChallengeWindowNotPassed,
    OutputNotProposed,
    WithdrawalNotFound,
    WithdrawalNotProven,
    WithdrawalRejected,
)
from crossroll.rollup import Proposer, RollupConfig
from crossroll.rollup.abi import calldata
from crossroll.rollup.transact import send
from crossroll.rollup.withdrawals import Stage, Withdrawals, WithdrawalStatus, withdrawal_hash
from crossroll.types import Hash32
from tests.unit.rollup.conftest import ETHER, L1_ID, L2_ID, ChainFactory, client_of, deploy

WINDOW = 120
INTERVAL = 4
INITIATE = "initiateWithdrawal(address,uint256,bytes)"
TARGET = b"\x77" * 20  # an L1 account without code


class Rollup:
    """L1 + L2 on one virtual clock, the contracts deployed, a proposer running."""

    def __init__(self, make_chain: ChainFactory, clock: VirtualClock) -> None:
        self.clock = clock
        self.l1: Chain = make_chain(L1_ID, block_time=12)
        self.l2: Chain = make_chain(L2_ID, l2=True, block_time=2)
        config = RollupConfig.for_rollup(
            L2_ID, 0, block_time=2, submission_interval=INTERVAL, challenge_window=WINDOW
        )
        self.addresses = deploy(self.l1, clock, [config], [self.l2]).rollup(L2_ID)
        self.l1c: ClientAPI = client_of(self.l1, clock)
        self.l2c: ClientAPI = client_of(self.l2, clock)
        self.proposer = Proposer(config, self.addresses.l2_output_oracle, self.l1c, self.l2, clock)
        asyncio.run(self.proposer.start())
        self.lib = Withdrawals(self.l1c, self.l2c, self.addresses)
        self.user = self.l1.dev_accounts[2]
        # ETH locked in the portal by a deposit, so withdrawals can be paid out.
        send(self.l1c, self.l1.dev_accounts[1], self.addresses.optimism_portal, value=50 * ETHER)
        clock.advance(12)

    def initiate(self, value: int = ETHER, data: bytes = b"hi", to: bytes = PASSER) -> Hash32:
        """initiateWithdrawal on the L2 from dev account 3, mined at the next L2 block."""
        account = self.l2.dev_accounts[3]
        tx = send(self.l2c, account, to, calldata(INITIATE, TARGET, 100_000, data), value=value)
        self.clock.advance(2)
        assert self.l2.receipt(tx) is not None
        return tx

    def balances(self) -> tuple[int, int]:
        """L1 balances of the target and of the portal."""
        portal = self.addresses.optimism_portal
        return self.l1.account(TARGET).balance, self.l1.account(portal).balance

    def advance_until(self, tx: Hash32, stage: Stage, seen: list[Stage]) -> WithdrawalStatus:
        for _ in range(200):
            status = self.lib.status(tx)
            if not seen or seen[-1] != status.stage:
                seen.append(status.stage)
            if status.reached(stage):
                return status
            self.clock.advance(2)
        raise AssertionError(f"{stage} not reached")


@pytest.fixture
def rollup(make_chain: ChainFactory, clock: VirtualClock) -> Rollup:
    return Rollup(make_chain, clock)


def test_lifecycle_in_order_and_eth_on_l1(rollup: Rollup) -> None:
    r, lib = rollup, rollup.lib
    tx = r.initiate(value=3 * ETHER)
    [w] = lib.find(tx)
    sender = r.l2.dev_accounts[3].address
    assert (w.sender, w.target, w.value, w.gas_limit, w.data) == (
        sender,
        TARGET,
        3 * ETHER,
        100_000,
        b"hi",
    )
    assert w.hash == withdrawal_hash(w.nonce, sender, TARGET, 3 * ETHER, 100_000, b"hi")
    assert w.nonce == 1 << 240  # version 1, first message
    block = r.l2.receipt(tx).block_number  # type: ignore[union-attr]

    seen: list[Stage] = []
    status = r.advance_until(tx, Stage.INITIATED, seen)
    initiated = status.step(Stage.INITIATED)
    assert initiated is not None
    assert (initiated.l2_block, initiated.timestamp) == (block, r.l2.block(block).header.timestamp)
    assert initiated.transaction_hash == tx
    assert status.reached(Stage.IN_BATCH)  # safe = latest until batches land on the L1
    with pytest.raises(OutputNotProposed, match=f"L2 block {block} of chain 901"):
        lib.prove(tx, r.user)
    with pytest.raises(WithdrawalNotProven):
        lib.finalize(tx, r.user)

    status = r.advance_until(tx, Stage.OUTPUT_PROPOSED, seen)
    proposal = status.step(Stage.OUTPUT_PROPOSED)
    assert status.output is not None and proposal is not None
    assert status.output.l2_block == proposal.l2_block == -(-block // INTERVAL) * INTERVAL
    assert proposal.l1_block is not None
    assert proposal.timestamp == r.l1.block(proposal.l1_block).header.timestamp
    assert r.l1.receipt(proposal.transaction_hash).status == 1  # type: ignore[arg-type,union-attr]

    receipt = lib.prove(tx, r.user)
    status = r.advance_until(tx, Stage.PROVEN, seen)
    proven = status.step(Stage.PROVEN)
    assert proven is not None
    assert (proven.l1_block, proven.transaction_hash) == (
        receipt.block_number,
        receipt.transaction_hash,
    )
    proof_time = r.l1.block(receipt.block_number).header.timestamp
    assert proven.timestamp == proof_time
    assert status.finalizable_at == proof_time + WINDOW + 1
    with pytest.raises(AlreadyProven):
        lib.prove(tx, r.user)

    with pytest.raises(
        ChallengeWindowNotPassed, match=f"at L1 time {proof_time + WINDOW + 1}"
    ) as exc:
        lib.finalize(tx, r.user)
    assert exc.value.data["finalizableAt"] == proof_time + WINDOW + 1
    status = r.advance_until(tx, Stage.FINALIZABLE, seen)
    # reached exactly when the next L1 block may finalize: latest + 1 >= proof + window + 1
    assert proof_time + WINDOW <= status.l1_time < proof_time + WINDOW + 12

    before = r.balances()
    receipt = lib.finalize(tx, r.user)
    assert r.balances() == (before[0] + 3 * ETHER, before[1] - 3 * ETHER)
    status = r.advance_until(tx, Stage.FINALIZED, seen)
    assert status.success is True
    done = status.step(Stage.FINALIZED)
    assert done is not None and done.l1_block == receipt.block_number
    assert done.timestamp == r.l1.block(receipt.block_number).header.timestamp
    assert seen == [Stage.IN_BATCH, *list(Stage)[2:]]  # initiated and inBatch at once today
    assert [s for s, _ in status.steps] == list(Stage)
    js = status.to_json()
    assert js["status"] == "finalized" and js["value"] == hex(3 * ETHER)
    assert js["steps"]["proven"] == {
        "l1Block": proven.l1_block,
        "timestamp": proof_time,
        "transactionHash": "0x" + proven.transaction_hash.hex(),  # type: ignore[union-attr]
    }
    assert set(js["steps"]) == {s.value for s in Stage}


def test_finalize_twice_and_early_are_rejected_by_the_portal(rollup: Rollup) -> None:
    r, lib = rollup, rollup.lib
    tx = r.initiate()
    r.advance_until(tx, Stage.OUTPUT_PROPOSED, [])
    lib.prove(tx, r.user)
    before = r.balances()
    # before the window: our check says when; skipped, the portal reverts
    with pytest.raises(ChallengeWindowNotPassed):
        lib.finalize(tx, r.user)
    with pytest.raises(WithdrawalRejected, match="finalization period has not elapsed"):
        lib.finalize(tx, r.user, check=False)
    assert r.balances() == before
    r.advance_until(tx, Stage.FINALIZABLE, [])
    lib.finalize(tx, r.user)
    after = r.balances()
    assert after == (before[0] + ETHER, before[1] - ETHER)
    # twice
    with pytest.raises(AlreadyFinalized):
        lib.finalize(tx, r.user)
    with pytest.raises(AlreadyFinalized):
        lib.prove(tx, r.user)
    with pytest.raises(WithdrawalRejected, match="withdrawal has already been finalized"):
        lib.finalize(tx, r.user, check=False)
    assert r.balances() == after


def test_wrong_proofs_are_rejected_by_the_portal(rollup: Rollup) -> None:
    r, lib = rollup, rollup.lib
    other = r.initiate(data=b"other")
    tx = r.initiate()
    status = r.advance_until(tx, Stage.OUTPUT_PROPOSED, [])
    w, output = status.withdrawal, status.output
    assert output is not None
    good = lib.proof(w, output)
    before = r.balances()

    wrong_root = replace(
        good,
        output_root_proof=(good.output_root_proof[0], b"\x01" * 32, *good.output_root_proof[2:]),
    )
    with pytest.raises(WithdrawalRejected, match="invalid output root proof"):
        lib.send_proof(w, wrong_root, r.user)
    nodes = list(good.storage_proof)
    tampered = bytearray(nodes[-1])
    tampered[len(tampered) // 2] ^= 1
    nodes[-1] = bytes(tampered)
    with pytest.raises(
        WithdrawalRejected, match=r"invalid storage proof \(BadNodeHash at node \d+\)"
    ):
        lib.send_proof(w, replace(good, storage_proof=tuple(nodes)), r.user)
    # a valid proof of another withdrawal's slot proves nothing about this one
    other_w = lib.status(other).withdrawal
    other_proof = lib.proof(other_w, output)
    with pytest.raises(WithdrawalRejected, match=r"invalid (withdrawal inclusion|storage) proof"):
        lib.send_proof(w, replace(good, storage_proof=other_proof.storage_proof), r.user)
    assert lib.status(tx).stage == Stage.OUTPUT_PROPOSED  # nothing recorded
    assert r.balances() == before
    lib.send_proof(w, good, r.user)  # the real proof still works
    assert lib.status(tx).stage == Stage.PROVEN


def test_lookups(rollup: Rollup) -> None:
    r, lib = rollup, rollup.lib
    with pytest.raises(WithdrawalNotFound, match="no mined transaction") as exc:
        lib.status(b"\x12" * 32)
    assert exc.value.code == -32001
    plain = send(r.l2c, r.l2.dev_accounts[3], TARGET, value=1)
    r.clock.advance(2)
    with pytest.raises(WithdrawalNotFound, match="initiated no withdrawal"):
        lib.status(plain)

    # a contract that forwards its calldata to the passer twice: two withdrawals, one tx
    # CALLDATACOPY(0, 0, size); twice CALL(gas, passer, 0, 0, size, 0, 0) and POP; STOP
    call = bytes.fromhex("60006000366000600073") + PASSER + bytes.fromhex("5af150")
    code = bytes.fromhex("366000600037") + call * 2 + b"\x00"
    forwarder = b"\x55" * 20
    r.l2.set_code(forwarder, code)
    tx = r.initiate(value=0, data=b"x", to=forwarder)
    first, second = lib.find(tx)
    assert (first.index, second.index) == (0, 1)
    assert first.sender == second.sender == forwarder
    assert second.nonce == first.nonce + 1 and first.hash != second.hash
    with pytest.raises(WithdrawalNotFound, match="initiated 2 withdrawal"):
        lib.get(tx, 2)
    r.advance_until(tx, Stage.OUTPUT_PROPOSED, [])
    lib.prove(tx, r.user, index=1)
    assert lib.status(tx, 1).stage == Stage.PROVEN
    assert lib.status(tx, 0).stage == Stage.OUTPUT_PROPOSED
