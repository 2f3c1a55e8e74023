"""A new user's cross-rollup message on `crossroll up --virtual-time`, with web3.py, the
admin RPC and the CLI only: a Greeter compiled and deployed on 902, a message from 901 that
sets its greeting, autorelay executing it in the next 902 blocks, the lifecycle timestamps in
crossroll_getMessage; then `--no-autorelay`, a relay with `crossroll relay`, one by hand as
Supersim's cast tutorial does it, and no message relayed twice."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from web3 import Web3

from crossroll.testing.tools import crossroll_command, require_tool
from tests.support.nodes import crossroll_up

pytestmark = pytest.mark.slow

MESSENGER = "0x4200000000000000000000000000000000000023"
CROSS_L2_INBOX = "0x4200000000000000000000000000000000000022"
GREETER = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

interface IL2ToL2CrossDomainMessenger {
    function crossDomainMessageSender() external view returns (address);
    function crossDomainMessageSource() external view returns (uint256);
}

contract Greeter {
    string public greeting = "hi";
    address public lastSender;
    uint256 public lastSource;
    uint256 public greetings;

    function setGreeting(string calldata _greeting) external {
        greeting = _greeting;
        greetings += 1;
        if (msg.sender == 0x4200000000000000000000000000000000000023) {
            IL2ToL2CrossDomainMessenger m = IL2ToL2CrossDomainMessenger(msg.sender);
            lastSender = m.crossDomainMessageSender();
            lastSource = m.crossDomainMessageSource();
        }
    }
}
"""
MESSENGER_ABI = [
    {
        "type": "function",
        "name": "sendMessage",
        "stateMutability": "nonpayable",
        "inputs": [
            {"name": "_destination", "type": "uint256"},
            {"name": "_target", "type": "address"},
            {"name": "_message", "type": "bytes"},
        ],
        "outputs": [{"name": "", "type": "bytes32"}],
    },
    {
        "type": "function",
        "name": "relayMessage",
        "stateMutability": "payable",
        "inputs": [
            {
                "name": "_id",
                "type": "tuple",
                "components": [
                    {"name": "origin", "type": "address"},
                    {"name": "blockNumber", "type": "uint256"},
                    {"name": "logIndex", "type": "uint256"},
                    {"name": "timestamp", "type": "uint256"},
                    {"name": "chainId", "type": "uint256"},
                ],
            },
            {"name": "_sentMessage", "type": "bytes"},
        ],
        "outputs": [{"name": "", "type": "bytes"}],
    },
    {
        "type": "function",
        "name": "sentMessages",
        "stateMutability": "view",
        "inputs": [{"name": "", "type": "uint256"}],
        "outputs": [{"name": "", "type": "bytes32"}],
    },
]


@pytest.fixture(scope="module")
def greeter_artifact() -> dict[str, Any]:
    solc = require_tool("solc")  # the solc-js shim
    request = {
        "language": "Solidity",
        "sources": {"Greeter.sol": {"content": GREETER}},
        "settings": {"outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}},
    }
    out = subprocess.run(
        [str(solc), "--standard-json"], input=json.dumps(request), capture_output=True, text=True
    )
    compiled = json.loads(out.stdout)["contracts"]["Greeter.sol"]["Greeter"]
    return {"abi": compiled["abi"], "bytecode": "0x" + compiled["evm"]["bytecode"]["object"]}


class User:
    """What a user holds: web3 on both rollups, the admin URL, dev account 0."""

    def __init__(self, devnet: dict[str, Any]) -> None:
        urls = {c["chainId"]: c["rpcUrl"] for c in devnet["chains"]}
        self.w3 = {cid: Web3(Web3.HTTPProvider(urls[cid])) for cid in (901, 902)}
        self.admin_url = devnet["adminUrl"]
        self.me = devnet["accounts"][0]["address"]
        self.relayer = devnet["accounts"][9]["address"]

    def admin(self, method: str, *params: Any) -> Any:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
        answer = requests.post(self.admin_url, json=body, timeout=30).json()
        if "error" in answer:
            raise RpcError(answer["error"])
        return answer["result"]

    def advance(self, seconds: float) -> None:
        self.admin("crossroll_advanceTime", seconds)

    def mined(self, chain: int, tx_hash: Any) -> Any:
        """The receipt, advancing virtual time a block at a time until it is mined."""
        for _ in range(10):
            receipt = (
                self.w3[chain].eth.get_transaction_receipt(tx_hash)
                if self._has(chain, tx_hash)
                else None
            )
            if receipt is not None:
                return receipt
            self.advance(2)
        raise AssertionError(f"tx {tx_hash.hex()} not mined on {chain}")

    def _has(self, chain: int, tx_hash: Any) -> bool:
        try:
            self.w3[chain].eth.get_transaction_receipt(tx_hash)
        except Exception:
            return False
        return True

    def deploy_greeter(self, artifact: dict[str, Any]) -> Any:
        w3 = self.w3[902]
        factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        receipt = self.mined(902, factory.constructor().transact({"from": self.me}))
        return w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])

    def send_greeting(self, greeter: Any, text: str) -> tuple[str, Any]:
        """sendMessage(902, greeter, setGreeting(text)) on 901: the message hash (from the
        messenger's sentMessages) and the SentMessage log."""
        messenger = self.w3[901].eth.contract(address=MESSENGER, abi=MESSENGER_ABI)
        call = greeter.encode_abi("setGreeting", [text])
        tx = messenger.functions.sendMessage(902, greeter.address, call).transact({"from": self.me})
        receipt = self.mined(901, tx)
        [log] = [lg for lg in receipt["logs"] if lg["address"] == MESSENGER]
        nonce = int.from_bytes(log["topics"][3], "big")
        msg_hash = "0x" + messenger.functions.sentMessages(nonce).call().hex()
        return msg_hash, log


class RpcError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error["message"])
        self.code, self.message = error["code"], error["message"]


def cli(*args: str, admin_url: str) -> subprocess.CompletedProcess[str]:
    command = crossroll_command(*args, "--admin-url", admin_url)
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def autorelay() -> Iterator[User]:
    with crossroll_up("--virtual-time") as devnet:
        yield User(devnet)


@pytest.fixture(scope="module")
def manual() -> Iterator[User]:
    with crossroll_up("--virtual-time", "--no-autorelay") as devnet:
        yield User(devnet)


def test_autorelay_calls_the_greeter_and_records_the_lifecycle(
    autorelay: User, greeter_artifact: dict[str, Any]
) -> None:
    user = autorelay
    greeter = user.deploy_greeter(greeter_artifact)
    msg_hash, log = user.send_greeting(greeter, "hello from 901")
    sent_block = user.w3[901].eth.get_block(log["blockNumber"])
    head = user.w3[902].eth.block_number
    for _ in range(3):  # the next few 902 blocks
        if greeter.functions.greeting().call() == "hello from 901":
            break
        user.advance(2)
    assert greeter.functions.greeting().call() == "hello from 901"
    assert greeter.functions.lastSender().call() == user.me
    assert greeter.functions.lastSource().call() == 901

    m = user.admin("crossroll_getMessage", msg_hash)
    assert m["status"] == "relayed" and m["path"] == "fast" and m["attempts"] == 1
    assert (m["source"], m["destination"]) == (901, 902)
    sent, relayed = m["lifecycle"]["sent"], m["lifecycle"]["relayed"]
    assert sent["blockNumber"] == log["blockNumber"]
    assert sent["timestamp"] == sent_block["timestamp"]
    assert head < relayed["blockNumber"] <= head + 3
    relay_block = user.w3[902].eth.get_block(relayed["blockNumber"])
    assert relayed["timestamp"] == relay_block["timestamp"] > sent["timestamp"]
    assert relayed["time"] >= sent["time"]
    relay_tx = user.w3[902].eth.get_transaction(m["relayTransactionHash"])
    assert relay_tx["from"] == user.relayer and relay_tx["to"] == MESSENGER
    assert relay_tx["accessList"][0]["address"] == CROSS_L2_INBOX

    # Supersim's admin view of the same message.
    assert user.admin("admin_getL2ToL2MessageByMsgHash", msg_hash) == {
        "Destination": 902,
        "Source": 901,
        "Nonce": m["nonce"],
        "Sender": user.me.lower(),
        "Target": greeter.address.lower(),
        "Message": greeter.encode_abi("setGreeting", ["hello from 901"]),
    }

    # Never relayed twice: the relay is refused with a clear error, by RPC and by the CLI.
    with pytest.raises(RpcError, match="already relayed on chain 902") as info:
        user.admin("crossroll_relayMessage", msg_hash, {})
    assert info.value.code == -32000
    out = cli("relay", msg_hash, admin_url=user.admin_url)
    assert out.returncode == 1
    assert out.stderr.strip().startswith(f"Error: message {msg_hash} was already relayed")
    assert len(out.stderr.strip().splitlines()) == 1
    user.advance(10)
    assert greeter.functions.greetings().call() == 1

    listed = json.loads(cli("messages", "--json", admin_url=user.admin_url).stdout)
    assert [x["msgHash"] for x in listed] == [msg_hash]
    table = cli("messages", "--chain", "902", "--status", "relayed", admin_url=user.admin_url)
    assert table.returncode == 0 and msg_hash[:10] in table.stdout and "901→902 #0" in table.stdout
    empty = cli("messages", "--status", "failed", admin_url=user.admin_url)
    assert empty.stdout.strip() == "no messages"


def test_rpc_errors(autorelay: User) -> None:
    for params, code in (
        (["0x1234"], -32602),
        ([], -32602),
        (["0x" + "00" * 32], -32602),
        (["0x" + "ab" * 32], -32001),
    ):
        with pytest.raises(RpcError) as info:
            autorelay.admin("crossroll_getMessage", *params)
        assert info.value.code == code
    with pytest.raises(RpcError, match="unknown status") as info:
        autorelay.admin("crossroll_getMessages", {"status": "done"})
    assert info.value.code == -32602
    with pytest.raises(RpcError, match="not found") as info:
        autorelay.admin("admin_getAccessListByMsgHash", "0x" + "ab" * 32)
    assert info.value.code == -32001


def test_no_autorelay_then_relay_by_hand(manual: User, greeter_artifact: dict[str, Any]) -> None:
    user = manual
    greeter = user.deploy_greeter(greeter_artifact)
    first, _ = user.send_greeting(greeter, "first")
    user.advance(20)
    assert greeter.functions.greeting().call() == "hi"
    waiting = user.admin("crossroll_getMessage", first)
    assert waiting["lifecycle"]["relayed"] is None and waiting["relayTransactionHash"] is None
    assert waiting["status"] in ("sent", "batched")  # 20 s: its batch may be on the L1

    # 1. With the CLI.
    out = cli("relay", first, admin_url=user.admin_url)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"relayed {first} to chain 902 (fast path) in tx 0x")
    user.advance(2)
    assert greeter.functions.greeting().call() == "first"
    assert user.admin("crossroll_getMessage", first)["status"] == "relayed"

    # 2. As Supersim's cast tutorial: identifier from the log, access list from the admin
    # RPC (decimal strings, as the tutorial sends them), relayMessage signed by the user.
    second, log = user.send_greeting(greeter, "second")
    block = user.w3[901].eth.get_block(log["blockNumber"])
    payload = b"".join(bytes(t) for t in log["topics"]) + bytes(log["data"])
    identifier = {
        "origin": MESSENGER,
        "blockNumber": str(log["blockNumber"]),
        "logIndex": str(log["logIndex"]),
        "timestamp": str(block["timestamp"]),
        "chainId": "901",
    }
    by_id = user.admin(
        "admin_getAccessListForIdentifier", {**identifier, "payload": "0x" + payload.hex()}
    )
    assert by_id == user.admin("admin_getAccessListByMsgHash", second)
    [entry] = by_id["accessList"]
    assert entry["address"] == CROSS_L2_INBOX and len(entry["storageKeys"]) == 2
    messenger = user.w3[902].eth.contract(address=MESSENGER, abi=MESSENGER_ABI)
    ident = (MESSENGER, log["blockNumber"], log["logIndex"], block["timestamp"], 901)
    tx = messenger.functions.relayMessage(ident, payload).transact(
        {"from": user.me, "accessList": by_id["accessList"], "gas": 500_000}
    )
    assert user.mined(902, tx)["status"] == 1
    assert greeter.functions.greeting().call() == "second"
    m = user.admin("crossroll_getMessage", second)
    assert m["status"] == "relayed" and m["relayTransactionHash"] == "0x" + bytes(tx).hex()

    # 3. Neither is relayed again, whoever asks.
    for msg_hash in (first, second):
        out = cli("relay", msg_hash, admin_url=user.admin_url)
        assert out.returncode == 1 and "already relayed" in out.stderr
    assert greeter.functions.greetings().call() == 2
