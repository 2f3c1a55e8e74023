"""Withdrawals through the Python API of a running devnet (virtual time) and through the
admin RPC's crossroll_getWithdrawal: status, prove, finalize, and the errors each answers."""

from __future__ import annotations

from typing import Any

import pytest

from crossroll.chain.rules import L2_TO_L1_MESSAGE_PASSER as PASSER
from crossroll.errors import ChallengeWindowNotPassed, WithdrawalNotFound
from crossroll.network import Network
from crossroll.rollup.abi import calldata
from crossroll.rollup.config import DEFAULT_CHALLENGE_WINDOW
from crossroll.rollup.withdrawals import Stage, WithdrawalStatus
from crossroll.types import CallRequest

ETHER = 10**18
INITIATE = "initiateWithdrawal(address,uint256,bytes)"


def admin(net: Network, method: str, *params: Any) -> dict[str, Any]:
    answer: dict[str, Any] = net.admin.dispatcher.handle(
        {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    )
    return answer


def until(net: Network, tx: bytes, stage: Stage, step: float = 6) -> WithdrawalStatus:
    for _ in range(100):
        status = net.withdrawal(tx)
        if status.reached(stage):
            return status
        net.advance(step)
    raise AssertionError(f"{stage} not reached")


@pytest.mark.slow
def test_python_api_and_admin_rpc(net: Network) -> None:
    sender, target = net.accounts[0], net.accounts[7].address
    portal = net.l1_addresses.rollup(901).optimism_portal
    with net.lock:  # the portal pays out only what was deposited through it
        net.l1.chain.send_transaction(
            CallRequest(sender=net.accounts[1].address, to=portal, value=ETHER)
        )
        tx = net.chain(901).chain.send_transaction(
            CallRequest(
                sender=sender.address,
                to=PASSER,
                value=2 * ETHER,
                data=calldata(INITIATE, target, 100_000, b""),
            )
        )
    net.advance(2)
    status = net.withdrawal(tx)
    assert status.withdrawal.chain_id == 901 and status.withdrawal.value == 2 * ETHER
    assert net.withdrawal("0x" + tx.hex(), chain_id=901) == status
    with pytest.raises(WithdrawalNotFound):
        net.withdrawal(tx, chain_id=902)

    until(net, tx, Stage.OUTPUT_PROPOSED)
    receipt = net.prove_withdrawal(tx)  # signed by dev account 0
    status = net.withdrawal(tx)
    assert status.stage == Stage.PROVEN
    assert status.step(Stage.PROVEN).l1_block == receipt.block_number  # type: ignore[union-attr]
    with pytest.raises(ChallengeWindowNotPassed):
        net.finalize_withdrawal(tx)

    # A real week of virtual time (idle slots are elided, so it takes a moment).
    net.advance(DEFAULT_CHALLENGE_WINDOW)
    until(net, tx, Stage.FINALIZABLE, step=12)
    # the rollup's genesis ETH is backed by its portal's L1 genesis balance
    assert net.l1.chain.account(portal).balance >= 10 * 10_000 * ETHER
    before = net.l1.chain.account(target).balance
    net.finalize_withdrawal(tx, account=net.accounts[3])
    assert net.l1.chain.account(target).balance == before + 2 * ETHER
    status = until(net, tx, Stage.IN_BATCH)  # the batch reaches the L1 by now
    assert [s for s, _ in status.steps] == list(Stage) and status.success is True

    answer = admin(net, "crossroll_getWithdrawal", "0x" + tx.hex())
    result = answer["result"]
    assert result == net.withdrawal(tx).to_json()
    assert result["status"] == "finalized" and result["chainId"] == 901
    assert result["value"] == hex(2 * ETHER) and result["target"].lower() == "0x" + target.hex()
    assert admin(net, "crossroll_getWithdrawal", "0x" + tx.hex(), 901, "0x0")["result"] == result
    assert admin(net, "crossroll_getWithdrawal", "0x12")["error"]["code"] == -32602
    unknown = admin(net, "crossroll_getWithdrawal", "0x" + "ab" * 32)["error"]
    assert unknown["code"] == -32001 and "no mined transaction" in unknown["message"]
    extra = admin(net, "crossroll_getWithdrawal", "0x" + tx.hex(), 901, 1)["error"]
    assert extra["code"] == -32001 and "no index 1" in extra["message"]
    assert admin(net, "crossroll_getWithdrawal", "0x" + tx.hex())["result"] == result
