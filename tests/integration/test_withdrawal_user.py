"""A new user's withdrawal on `crossroll up --virtual-time`, with web3.py and the admin RPC
only: the step-by-step blocks of docs/withdrawals.md run as they are (deposit, initiate on
901, wait for an output, prove with eth_getProof, pass the window, finalize, ETH on the L1),
with every wrong move in between rejected by the L1.  Then the same with `crossroll withdraw`.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError

from crossroll.testing.tools import crossroll_command
from tests.support.nodes import crossroll_up

pytestmark = pytest.mark.slow

DOC = Path(__file__).resolve().parents[2] / "docs" / "withdrawals.md"
WINDOW = 120
BAD_NODE_HASH = "0x31b78588"  # BadNodeHash(uint256)


def doc_steps() -> list[str]:
    """The python blocks of the web3.py walk-through, in order."""
    section = DOC.read_text().split("## Step by step with web3.py only", 1)[1]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def challenge_window_flag() -> bool:
    """Whether `crossroll up` has --challenge-window (added by another change)."""
    out = subprocess.run(crossroll_command("up", "--help"), capture_output=True, text=True)
    return "--challenge-window" in out.stdout


@pytest.fixture(scope="module")
def devnet() -> Iterator[dict[str, Any]]:
    short = challenge_window_flag()
    args = ["--virtual-time", *(["--challenge-window", str(WINDOW)] if short else [])]
    with crossroll_up(*args) as config:
        yield {**config, "shortWindow": short}


def connect(devnet: dict[str, Any], account: int) -> dict[str, Any]:
    """A namespace after the doc's first block (connect), acting as dev account ``account``."""
    steps = doc_steps()
    assert len(steps) == 7
    ns: dict[str, Any] = {"__name__": "withdrawal_doc"}
    exec(steps[0].replace("http://127.0.0.1:8420", devnet["adminUrl"]), ns)
    ns["me"] = Account.from_key(devnet["accounts"][account]["privateKey"])
    if not devnet["shortWindow"]:  # a 7-day window: jump the L1's clock, not a week of blocks
        admin_advance = ns["advance"]

        def advance(seconds: float) -> None:
            if seconds > 600:
                ns["l1"].provider.make_request("evm_increaseTime", [int(seconds)])
                seconds = 12
            admin_advance(seconds)

        ns["advance"] = advance
    return ns


def run(ns: dict[str, Any], step: int) -> None:
    exec(doc_steps()[step], ns)


def reverts(call: Any, sender: str) -> str:
    """The L1's revert reason (or custom error data) for an eth_call."""
    with pytest.raises(ContractLogicError) as exc:
        call.call({"from": sender})
    if isinstance(exc.value, ContractCustomError):
        return str(exc.value.data)
    return str(exc.value.message)


def test_new_user_with_web3(devnet: dict[str, Any]) -> None:
    ns = connect(devnet, 1)
    l1: Web3 = ns["l1"]
    me = ns["me"].address
    for step in (1, 2, 3, 4):  # deposit, initiate, wait for an output and build the proof
        run(ns, step)
    portal, withdrawal, index = ns["portal"], ns["withdrawal"], ns["index"]
    root_proof, storage_proof = ns["output_root_proof"], ns["storage_proof"]
    status = ns["admin_call"](
        "crossroll_getWithdrawal", ns["initiated"].transactionHash.to_0x_hex()
    )
    assert status["status"] in ("outputProposed", "inBatch") and status["outputIndex"] == index
    assert status["steps"]["outputProposed"]["l2Block"] == ns["l2_block"]

    # wrong output root proof, tampered storage proof, finalize before proving: all revert
    portal_balance = l1.eth.get_balance(portal.address)
    wrong_root = (root_proof[0], b"\x01" * 32, *root_proof[2:])
    prove = portal.functions.proveWithdrawalTransaction
    assert reverts(prove(withdrawal, index, wrong_root, storage_proof), me) == (
        "execution reverted: OptimismPortal: invalid output root proof"
    )
    tampered = [bytes(node) for node in storage_proof]
    tampered[-1] = tampered[-1][:-1] + bytes([tampered[-1][-1] ^ 1])
    assert reverts(prove(withdrawal, index, root_proof, tampered), me).startswith(BAD_NODE_HASH)
    finalize = portal.functions.finalizeWithdrawalTransaction(withdrawal)
    assert reverts(finalize, me).endswith("withdrawal has not been proven yet")
    # mined anyway (explicit gas, no estimate): status 0, nothing recorded
    mined = ns["send"](l1, prove(withdrawal, index, wrong_root, storage_proof).build_transaction(
        {"from": me, "gas": 500_000}))  # fmt: skip
    assert mined.status == 0
    assert l1.eth.get_balance(portal.address) == portal_balance

    run(ns, 5)  # prove
    assert reverts(finalize, me).endswith("proven withdrawal finalization period has not elapsed")
    status = ns["admin_call"](
        "crossroll_getWithdrawal", ns["initiated"].transactionHash.to_0x_hex()
    )
    assert status["status"] == "proven"
    assert status["steps"]["proven"]["l1Block"] == ns["proven"].blockNumber

    run(ns, 6)  # pass the window, finalize, ETH on the L1 (asserted in the doc's block)
    assert l1.eth.get_balance(portal.address) == portal_balance - ns["amount"]
    assert reverts(finalize, me).endswith("withdrawal has already been finalized")
    before = l1.eth.get_balance(me)
    again = ns["send"](l1, finalize.build_transaction({"from": me, "gas": 300_000}))
    assert again.status == 0
    assert l1.eth.get_balance(me) == before - again.gasUsed * again.effectiveGasPrice
    assert l1.eth.get_balance(portal.address) == portal_balance - ns["amount"]


def cli(devnet: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    argv = crossroll_command("withdraw", *args, "--admin-url", devnet["adminUrl"])
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def test_crossroll_withdraw_cli(devnet: dict[str, Any]) -> None:
    ns = connect(devnet, 2)
    run(ns, 1)  # deposit 3 ETH, so the portal can pay
    run(ns, 2)  # initiate 1 ETH to dev account 2 on the L1
    tx = ns["initiated"].transactionHash.to_0x_hex()
    payer = devnet["accounts"][3]["privateKey"]  # proves and finalizes: pays the gas

    status = json.loads(cli(devnet, "status", tx, "--json").stdout)
    assert status["chainId"] == 901 and status["value"] == hex(ns["amount"])
    if status["steps"]["outputProposed"] is None:
        done = cli(devnet, "prove", tx)
        assert done.returncode == 1
        assert done.stderr.startswith("Error: no output on the L1 covers L2 block")
    while ns["admin_call"]("crossroll_getWithdrawal", tx)["steps"]["outputProposed"] is None:
        ns["advance"](12)

    done = cli(devnet, "prove", tx, "--private-key", payer)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("proven withdrawal 0x") and "finalizable at" in done.stdout
    again = cli(devnet, "prove", tx, "--private-key", payer)
    assert again.returncode == 1 and "is already proven" in again.stderr
    early = cli(devnet, "finalize", tx, "--private-key", payer)
    assert early.returncode == 1
    assert early.stderr.startswith("Error: the challenge window of withdrawal")
    table = cli(devnet, "status", tx)
    assert table.returncode == 0 and "status proven" in table.stdout

    ns["advance"](WINDOW + 12 if devnet["shortWindow"] else 7 * 24 * 3600 + 12)
    l1: Web3 = ns["l1"]
    before = l1.eth.get_balance(ns["me"].address)
    done = cli(devnet, "finalize", tx, "--private-key", payer, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["withdrawal"]["status"] == "finalized" and out["withdrawal"]["success"] is True
    assert l1.eth.get_balance(ns["me"].address) == before + ns["amount"]
    twice = cli(devnet, "finalize", tx, "--private-key", payer)
    assert twice.returncode == 1 and "is already finalized" in twice.stderr
    unknown = cli(devnet, "status", "0x" + "ab" * 32)
    assert unknown.returncode == 1 and "no mined transaction" in unknown.stderr
