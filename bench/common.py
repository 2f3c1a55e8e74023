"""Shared pieces of the benchmarks: one JSON-RPC client for every target, pre-signed
ERC-20 transfers, node start-up, and result files.

Every benchmark runs crossroll and its comparison (anvil) in the same process, with the
same client and the same transactions, one after the other, and reports both.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from eth_abi import encode
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from crossroll.contracts import load  # noqa: E402
from crossroll.testing.tools import start_anvil, start_node  # noqa: E402

KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
TRANSFER = function_signature_to_4byte_selector("transfer(address,uint256)")
RESULTS = ROOT / "bench" / "results"


class Client:
    """Keep-alive JSON-RPC over http.client: the same client for anvil and crossroll."""

    def __init__(self, url: str) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=60)
        self.ids = 0

    def __call__(self, method: str, *params: Any) -> Any:
        self.ids += 1
        body = json.dumps(
            {"jsonrpc": "2.0", "id": self.ids, "method": method, "params": list(params)}
        )
        self.conn.request("POST", "/", body, {"Content-Type": "application/json"})
        reply = json.loads(self.conn.getresponse().read())
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def wait_receipt(self, tx_hash: str) -> dict[str, Any]:
        while (receipt := self("eth_getTransactionReceipt", tx_hash)) is None:
            time.sleep(0.0005)
        return receipt


def sign(tx: dict[str, Any], key: str = KEY0) -> str:
    return "0x" + bytes(Account.sign_transaction(tx, key).raw_transaction).hex()


def token_deploy_tx(chain_id: int, nonce: int = 0) -> dict[str, Any]:
    art = load("TestToken")
    data = art.bytecode + encode(
        ["string", "string", "uint8", "uint256"], ["Bench", "BNC", 18, 10**30]
    )
    return {
        "type": 2,
        "chainId": chain_id,
        "nonce": nonce,
        "gas": 3_000_000,
        "value": 0,
        "data": data,
        "maxFeePerGas": 50 * 10**9,
        "maxPriorityFeePerGas": 10**9,
    }


def token_address(sender: str, nonce: int = 0) -> str:
    import rlp

    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


def erc20_transfers(
    chain_id: int, token: str, count: int, first_nonce: int = 1, recipients: int = 1000
) -> list[str]:
    """``count`` signed type-2 ERC-20 transfers from dev account 0 to ``recipients``
    distinct addresses (so the state keeps growing at first, as real traffic does)."""
    out = []
    for i in range(count):
        to = (0x1000 + i % recipients).to_bytes(20, "big")
        data = TRANSFER + encode(["address", "uint256"], ["0x" + to.hex(), 1 + i])
        out.append(
            sign(
                {
                    "type": 2,
                    "chainId": chain_id,
                    "nonce": first_nonce + i,
                    "to": token,
                    "gas": 80_000,
                    "value": 0,
                    "data": data,
                    "maxFeePerGas": 50 * 10**9,
                    "maxPriorityFeePerGas": 10**9,
                }
            )
        )
    return out


@contextlib.contextmanager
def crossroll_node(*args: str) -> Iterator[str]:
    with start_node(*args) as (url, _proc):
        yield url


@contextlib.contextmanager
def anvil_node(*args: str) -> Iterator[str]:
    with start_anvil(None, *args) as (url, _proc):
        yield url


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def save(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    result = {
        "benchmark": name,
        "machine": machine(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        **result,
    }
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path
