"""``crossroll up --data-dir`` as a real process, driven with web3.py: stopped with SIGTERM it
restarts with the same heads, balances, nonces, receipts and pending transactions; killed with
SIGKILL in the middle of traffic it restarts with every block it reported mined, and every
portal deposit is credited on the rollup exactly once across the restart."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3 import Web3

from crossroll.rollup.abi import calldata
from crossroll.testing.tools import stop_gracefully
from tests.support.nodes import crossroll_up
from tests.support.rpc import Rpc

pytestmark = pytest.mark.slow

GWEI = 10**9
DEPOSIT = "depositTransaction(address,uint256,uint64,bool,bytes)"
ME = "0x00000000000000000000000000000000000c0ffe"
SINK = "0x000000000000000000000000000000000000bEEF"


class Devnet:
    """One run of ``crossroll up``: web3 per chain and the dev keys."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.process = config["process"]
        self.admin = Rpc(config["adminUrl"])
        urls = {c["chainId"]: c["rpcUrl"] for c in config["chains"]}
        self.w3 = {
            i: Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 30}))
            for i, url in urls.items()
        }
        self.keys = [a["privateKey"] for a in config["accounts"]]
        self.portal = config["l1Addresses"]["rollups"]["901"]["OptimismPortal"]

    def send(self, chain_id: int, key: int, to: str, value: int, data: bytes = b"") -> str:
        """Sign and send; return the hash (mined or not)."""
        w3 = self.w3[chain_id]
        sender = Account.from_key(self.keys[key]).address
        tx = {
            "chainId": chain_id, "to": to, "value": value, "data": data, "gas": 200_000,
            "nonce": w3.eth.get_transaction_count(sender, "pending"),
            "maxFeePerGas": 100 * GWEI, "maxPriorityFeePerGas": GWEI,
        }  # fmt: skip
        signed = Account.sign_transaction(tx, self.keys[key])
        return w3.eth.send_raw_transaction(signed.raw_transaction).to_0x_hex()

    def deposit(self, key: int, value: int) -> str:
        data = calldata(DEPOSIT, bytes.fromhex(ME[2:]), value, 100_000, False, b"")
        return self.send(900, key, self.portal, value, data)

    def advance(self, seconds: int) -> None:
        self.admin("admin_advanceTime", seconds)

    def head(self, chain_id: int) -> tuple[int, str, str]:
        block = self.w3[chain_id].eth.get_block("latest")
        return block["number"], block["hash"].to_0x_hex(), block["stateRoot"].to_0x_hex()

    def receipt(self, chain_id: int, tx_hash: str) -> dict[str, Any] | None:
        found = self.w3[chain_id].provider.make_request("eth_getTransactionReceipt", [tx_hash])
        return found.get("result")

    def snapshot(self, receipts: dict[str, int]) -> dict[str, Any]:
        accounts = [Account.from_key(k).address for k in self.keys[:4]] + [ME, SINK]
        return {
            "heads": {i: self.head(i) for i in (900, 901)},
            "balances": {
                (i, a): self.w3[i].eth.get_balance(a) for i in (900, 901) for a in accounts
            },
            "nonces": {
                (i, a): self.w3[i].eth.get_transaction_count(a)
                for i in (900, 901)
                for a in accounts
            },
            "receipts": {h: self.receipt(i, h) for h, i in receipts.items()},
        }


@contextmanager
def devnet(data_dir: Path, *args: str) -> Iterator[Devnet]:
    with crossroll_up("--rollups", "1", "--data-dir", str(data_dir), *args) as config:
        yield Devnet(config)


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_sigterm_and_restart_keep_everything(tmp_path: Path) -> None:
    with devnet(tmp_path, "--virtual-time") as net:
        sent = {
            net.send(900, 0, SINK, 10**15): 900,
            net.send(901, 1, SINK, 2 * 10**15): 901,
            net.deposit(2, 10**17): 900,
        }
        net.advance(12)  # the L1 block with the transfer and the deposit
        net.advance(4)  # rollup blocks, the deposit first
        assert net.w3[901].eth.get_balance(ME) == 10**17
        waiting = net.send(900, 3, SINK, 1)  # left in the L1 pool
        before = net.snapshot(sent)
        assert all(r is not None and r["status"] == "0x1" for r in before["receipts"].values())
        stop_gracefully(net.process, signal.SIGTERM)
        assert net.process.returncode == 0

    with devnet(tmp_path, "--virtual-time") as net:
        assert net.snapshot(sent) == before
        assert net.w3[900].eth.get_transaction(waiting)["blockNumber"] is None
        again = net.send(900, 0, SINK, 10**15)  # a new transaction works
        net.advance(12)
        assert net.receipt(900, again)["status"] == "0x1"  # type: ignore[index]
        assert net.receipt(900, waiting)["status"] == "0x1"  # type: ignore[index]
        net.advance(30)
        assert net.w3[901].eth.get_balance(ME) == 10**17  # the deposit, once


def test_sigkill_mid_traffic_loses_nothing_reported(tmp_path: Path) -> None:
    mined: dict[str, tuple[int, str]] = {}  # tx hash -> (chain, block hash) seen mined
    deposits: dict[str, int] = {}  # L1 deposit tx hash -> value
    stop = threading.Event()

    def traffic(net: Devnet) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                if n % 5 == 0:
                    value = n * GWEI
                    tx = net.deposit(2, value)
                    deposits[tx] = value
                    chain = 900
                else:
                    chain = 900 if n % 2 else 901
                    tx = net.send(chain, n % 2, SINK, n)
                receipt = net.receipt(chain, tx)
                if receipt is not None:  # automine: mined before the answer
                    mined[tx] = (chain, receipt["blockHash"])
            except Exception:  # the kill: connection refused or reset
                return

    with devnet(tmp_path, "--automine") as net:
        worker = threading.Thread(target=traffic, args=(net,), daemon=True)
        worker.start()
        wait_for(lambda: len(mined) >= 60, "traffic")
        net.process.send_signal(signal.SIGKILL)
        net.process.wait(timeout=10)
        stop.set()
        worker.join(timeout=30)
    assert len(deposits) >= 10

    with devnet(tmp_path, "--automine") as net:
        for tx, (chain, block_hash) in mined.items():
            receipt = net.receipt(chain, tx)
            assert receipt is not None and receipt["blockHash"] == block_hash, tx
        on_l1 = {tx: v for tx, v in deposits.items() if net.receipt(900, tx) is not None}
        assert set(on_l1) >= {tx for tx in deposits if tx in mined}
        net.send(900, 0, SINK, 1)  # a new L1 block: the rollup takes what is waiting
        expected = sum(on_l1.values())
        wait_for(lambda: net.w3[901].eth.get_balance(ME) == expected, "deposits on the rollup")
        time.sleep(2)
        net.send(900, 0, SINK, 1)
        time.sleep(1)
        assert net.w3[901].eth.get_balance(ME) == expected  # none twice
        credited = _deposits_to(net, ME)
        assert sorted(credited) == sorted(on_l1.values())


def _deposits_to(net: Devnet, to: str) -> list[int]:
    """The mint of every deposit transaction to ``to`` on rollup 901."""
    w3 = net.w3[901]
    mints = []
    for number in range(w3.eth.block_number + 1):
        block = w3.provider.make_request("eth_getBlockByNumber", [hex(number), True])["result"]
        for tx in block["transactions"]:
            if tx["type"] == "0x7e" and (tx.get("to") or "").lower() == to.lower():
                mints.append(int(tx["mint"], 16))
    return mints
