"""Graduating to an external L1: the test starts the npm anvil, then `crossroll up --l1-rpc
<anvil> --l1-key <anvil key 0>` as a process.  The contracts land on anvil, a deposit made on
anvil is credited on rollup 901, and the rollup's batches (calldata) and an output root
reach anvil's inbox and oracle."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from crossroll.errors import CrossrollError
from crossroll.rollup.abi import calldata, decode
from crossroll.rollup.transact import call, hexstr, send, unhex, wait
from crossroll.rpc.client import HttpClient
from crossroll.testing.tools import DEV_PRIVATE_KEY_0, require_tool, start_anvil, start_devnet
from crossroll.types import DevAccount

pytestmark = [pytest.mark.anvil, pytest.mark.slow]

KEY0 = bytes.fromhex(DEV_PRIVATE_KEY_0[2:])
ME = DevAccount(bytes.fromhex("f39fd6e51aad88f6f4ce6ab8827279cfffb92266"), KEY0)
DEPOSIT = "depositTransaction(address,uint256,uint64,bool,bytes)"
AMOUNT = 3 * 10**17


@pytest.fixture(scope="module")
def devnet() -> Iterator[tuple[str, dict[str, Any]]]:
    require_tool("anvil")
    with start_anvil(None, "--block-time", "1") as (anvil, _proc):
        args = ["--rollups", "1", "--block-time", "901=0.5", "--l1-rpc", anvil]
        env = {**os.environ, "CROSSROLL_L1_KEY": DEV_PRIVATE_KEY_0}  # the key stays off argv
        with start_devnet(*args, env=env) as (admin_url, _up):
            config = admin({"adminUrl": admin_url}, "admin_getConfig")["result"]
            yield anvil, {**config, "adminUrl": admin_url}


def admin(config: dict[str, Any], method: str, *params: Any) -> dict[str, Any]:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    reply: dict[str, Any] = requests.post(config["adminUrl"], json=body, timeout=10).json()
    return reply


def eventually(check: Callable[[], bool], seconds: float) -> bool:
    """Poll ``check``; a transient node error counts as "not yet" (anvil answers
    "block height is N but requested was N-1" for ``latest`` while it mines)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return True
        except CrossrollError:
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)


def test_the_devnet_lists_the_external_l1(devnet: tuple[str, dict[str, Any]]) -> None:
    anvil, config = devnet
    l1 = config["chains"][0]
    assert l1 == {**l1, "chainId": 31337, "kind": "l1", "rpcUrl": anvil, "external": True}
    assert config["l1Addresses"]["l1ChainId"] == 31337
    registry = unhex(config["l1Addresses"]["RollupRegistry"])
    ids = decode(["uint256[]"], call(HttpClient(anvil), registry, calldata("chainIds()")))
    assert list(ids[0]) == [901]  # deployed and registered on anvil
    error = admin(config, "crossroll_getBlobSidecars", "0x1")["error"]
    assert "the L1 is external" in error["message"]


def test_deposit_on_anvil_is_credited_and_outputs_are_proposed(
    devnet: tuple[str, dict[str, Any]],
) -> None:
    anvil, config = devnet
    rollup = config["l1Addresses"]["rollups"]["901"]
    l1, l2 = HttpClient(anvil), HttpClient(config["chains"][1]["rpcUrl"])
    recipient = os.urandom(20)
    data = calldata(DEPOSIT, recipient, AMOUNT, 100_000, False, b"")
    tx = send(l1, ME, unhex(rollup["OptimismPortal"]), data, value=AMOUNT, gas=200_000)
    assert wait(l1, [tx], mine=False)[0].status == 1

    def balance() -> int:
        return int(l2.eth_getBalance(hexstr(recipient), "latest"), 16)

    assert eventually(lambda: balance() == AMOUNT, 10), balance()

    oracle = unhex(rollup["L2OutputOracle"])

    def outputs() -> int:
        return int(decode(["uint256"], call(l1, oracle, calldata("nextOutputIndex()")))[0])

    # batches (calldata) -> derivation moves the safe head -> the proposer posts its output
    assert eventually(lambda: outputs() >= 1, 30), admin(config, "crossroll_getRollup", 901)
    view = admin(config, "crossroll_getRollup", 901)["result"]
    # derivation read the batcher's calldata transactions back from anvil's blocks
    assert view["da"] == "calldata" and view["derivation"]["batcherTransactions"] >= 1
    assert view["heads"]["safe"] >= 10 and view["derivation"]["error"] is None
    first = decode(
        ["(bytes32,uint128,uint128)"], call(l1, oracle, calldata("getL2Output(uint256)", 0))
    )[0]
    assert first[2] == 10  # the oracle's first output is for L2 block 10 (interval 10)
    block10 = l2.eth_getBlockByNumber(hex(10), False)
    proof = l2.eth_getProof("0x4200000000000000000000000000000000000016", [], hex(10))
    root = _v0_root(
        unhex(block10["stateRoot"]), unhex(proof["storageHash"]), unhex(block10["hash"])
    )
    assert first[0] == root


def _v0_root(state_root: bytes, passer_storage: bytes, block_hash: bytes) -> bytes:
    from eth_hash.auto import keccak

    return keccak(b"\x00" * 32 + state_root + passer_storage + block_hash)
