"""A new user's deposit flow on `crossroll up`, with cast only: find the portal and bridge with
admin_getL1Addresses, deposit on the L1, see the ETH arrive on rollup 901 as type 0x7e
deposit transactions (and not on 902), after the L1-attributes deposit that starts every L2
block."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from crossroll.chain.deposits import user_deposit_source_hash
from crossroll.testing.tools import require_tool
from tests.support.nodes import crossroll_up

pytestmark = pytest.mark.cast

DEPOSITOR = "0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001"
L1_BLOCK = "0x4200000000000000000000000000000000000015"
KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ME = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
DEPOSITED = 10**17 * 3  # 0.3 ether through the portal
BRIDGED = 10**17  # 0.1 ether through the bridge


@pytest.fixture(scope="module")
def cast() -> str:
    return str(require_tool("cast"))


@pytest.fixture(scope="module")
def devnet() -> Iterator[dict[str, Any]]:
    with crossroll_up("--block-time", "900=1", "--block-time", "901=1") as config:
        yield config


def run(cast: str, *args: str) -> str:
    proc = subprocess.run(
        [cast, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def rpc(cast: str, url: str, method: str, *params: str) -> Any:
    return json.loads(run(cast, "rpc", "--rpc-url", url, method, *params))


def url_of(config: dict[str, Any], chain_id: int) -> str:
    return next(c["rpcUrl"] for c in config["chains"] if c["chainId"] == chain_id)


def balance(cast: str, url: str) -> int:
    return int(run(cast, "balance", "--rpc-url", url, ME))


def deposit_txs(cast: str, url: str) -> list[dict[str, Any]]:
    """The user deposits of every block, checking that each block (but the genesis) starts
    with exactly one L1-attributes deposit."""
    head = int(run(cast, "block-number", "--rpc-url", url))
    txs = []
    for n in range(1, head + 1):
        block = rpc(cast, url, "eth_getBlockByNumber", hex(n), "true")
        first, *rest = block["transactions"]
        assert (first["type"], first["from"], first["to"]) == ("0x7e", DEPOSITOR, L1_BLOCK)
        assert first["transactionIndex"] == "0x0"
        assert all(tx["from"] != DEPOSITOR for tx in rest)
        txs += [tx for tx in rest if tx["type"] == "0x7e"]
    return txs


def test_deposit_and_bridge_into_901(cast: str, devnet: dict[str, Any]) -> None:
    admin = devnet["adminUrl"]
    addresses = rpc(cast, admin, "admin_getL1Addresses")
    assert addresses == devnet["l1Addresses"]
    rollup = addresses["rollups"]["901"]
    l1, l2, other = url_of(devnet, 900), url_of(devnet, 901), url_of(devnet, 902)
    before, before_other = balance(cast, l2), balance(cast, other)

    send = ["send", "--rpc-url", l1, "--private-key", KEY0, "--json"]
    signature = "depositTransaction(address,uint256,uint64,bool,bytes)"
    receipts = [
        json.loads(
            run(
                cast,
                *send,
                rollup["OptimismPortal"],
                signature,
                ME,
                str(DEPOSITED),
                "100000",
                "false",
                "0x",
                "--value",
                str(DEPOSITED),
            )
        ),
        json.loads(
            run(
                cast,
                *send,
                rollup["L1StandardBridge"],
                "bridgeETH(uint32,bytes)",
                "50000",
                "0x",
                "--value",
                "0.1ether",
            )
        ),
    ]
    assert [r["status"] for r in receipts] == ["0x1", "0x1"]

    deadline = time.monotonic() + 20
    while balance(cast, l2) < before + DEPOSITED + BRIDGED and time.monotonic() < deadline:
        time.sleep(0.2)
    assert balance(cast, l2) == before + DEPOSITED + BRIDGED

    portal = rollup["OptimismPortal"].lower()
    expected = []
    for r in receipts:
        for entry in r["logs"]:
            if entry["address"].lower() == portal:
                block_hash = bytes.fromhex(entry["blockHash"][2:])
                source = user_deposit_source_hash(block_hash, int(entry["logIndex"], 16))
                expected.append("0x" + source.hex())
    found = deposit_txs(cast, l2)
    assert [tx["sourceHash"] for tx in found] == expected
    assert [int(tx["mint"], 16) for tx in found] == [DEPOSITED, BRIDGED]

    time.sleep(2.5)  # 902 mines a block or more: nothing of 901's arrives there
    assert deposit_txs(cast, other) == []
    assert balance(cast, other) == before_other
    assert len(deposit_txs(cast, l2)) == 2  # and nothing twice on 901
