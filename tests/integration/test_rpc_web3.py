"""web3.py (HTTPProvider) against a real RpcServer over a real Chain."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from web3 import Web3
from web3.exceptions import ContractLogicError

from crossroll.chain import Chain, ChainConfig
from crossroll.clock import VirtualClock
from crossroll.errors import ExecutionReverted, InvalidParams, MethodNotFound, NonceTooLow
from crossroll.rpc.client import HttpClient
from crossroll.rpc.server import RpcServer
from crossroll.rpc.thread import BackgroundServer
from tests.support.evm import ADDR0, ADDR1, INITCODE, KEY0

TOPIC1 = "0x" + "00" * 31 + "01"
ERROR_NOPE = "0x08c379a0" + "20".rjust(64, "0") + "4".rjust(64, "0") + b"nope".hex().ljust(64, "0")


@pytest.fixture(scope="module")
def node() -> Iterator[BackgroundServer]:
    lock = threading.RLock()
    clock = VirtualClock(lock=lock)
    chain = Chain(ChainConfig(), clock)
    server = BackgroundServer(RpcServer(chain, "127.0.0.1", 0, clock, lock))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def w3(node: BackgroundServer) -> Web3:
    return Web3(Web3.HTTPProvider(node.url))


@pytest.fixture
def fresh(w3: Web3) -> Iterator[Web3]:
    """Each test runs inside an evm_snapshot / evm_revert pair."""
    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        yield w3
    finally:
        assert w3.provider.make_request("evm_revert", [snap])["result"] is True


def raw(node: BackgroundServer, payload: Any) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    req = urllib.request.Request(node.url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def transfer(w3: Web3, value: int = 10**15, nonce: int | None = None) -> bytes:
    tx = {
        "type": 2,
        "chainId": w3.eth.chain_id,
        "nonce": w3.eth.get_transaction_count(ADDR0) if nonce is None else nonce,
        "to": ADDR1,
        "value": value,
        "gas": 21000,
        "maxFeePerGas": 3 * 10**9,
        "maxPriorityFeePerGas": 10**9,
    }
    signed = w3.eth.account.sign_transaction(tx, KEY0)
    return bytes(w3.eth.send_raw_transaction(signed.raw_transaction))


def deploy(w3: Web3) -> str:
    tx_hash = w3.eth.send_transaction({"from": ADDR0, "data": INITCODE, "gas": 200_000})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)
    assert receipt["status"] == 1
    assert receipt["contractAddress"] is not None
    return str(receipt["contractAddress"])


def test_chain_basics(w3: Web3) -> None:
    assert w3.is_connected()
    assert w3.eth.chain_id == 31337
    assert w3.net.version == "31337"
    assert w3.eth.accounts[0] == ADDR0
    assert len(w3.eth.accounts) == 10
    assert w3.eth.get_balance(ADDR0, "earliest") == 10_000 * 10**18
    assert w3.eth.gas_price > 0
    assert w3.eth.max_priority_fee >= 0
    assert w3.client_version.startswith("crossroll/v")


def test_signed_transfer_receipt_and_block(fresh: Web3) -> None:
    w3 = fresh
    before = w3.eth.get_balance(ADDR1)
    start = w3.eth.block_number
    tx_hash = transfer(w3)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)
    assert receipt["status"] == 1 and receipt["gasUsed"] == 21000
    assert receipt["from"] == ADDR0 and receipt["to"] == ADDR1
    assert receipt["type"] == 2 and receipt["effectiveGasPrice"] > 0
    assert w3.eth.get_balance(ADDR1) == before + 10**15
    assert w3.eth.block_number == start + 1
    tx = w3.eth.get_transaction(tx_hash)
    assert tx["blockNumber"] == start + 1 and tx["transactionIndex"] == 0
    assert tx["from"] == ADDR0 and tx["value"] == 10**15 and tx["chainId"] == 31337
    block = w3.eth.get_block(start + 1, full_transactions=True)
    assert block["transactions"][0]["hash"] == tx_hash
    assert block["baseFeePerGas"] > 0 and block["withdrawals"] == []
    assert w3.eth.get_block(block["hash"])["transactions"] == [tx_hash]
    assert w3.eth.get_block_transaction_count(start + 1) == 1
    assert w3.eth.get_transaction_by_block(start + 1, 0)["hash"] == tx_hash
    assert w3.eth.get_transaction_count(ADDR0) == tx["nonce"] + 1


def test_rejected_transaction_code(node: BackgroundServer, fresh: Web3) -> None:
    transfer(fresh)
    with HttpClient(node.url) as client:
        tx = {
            "type": 2, "chainId": 31337, "nonce": 0, "to": ADDR1, "value": 1, "gas": 21000,
            "maxFeePerGas": 3 * 10**9, "maxPriorityFeePerGas": 10**9,
        }  # fmt: skip
        signed = fresh.eth.account.sign_transaction(tx, KEY0)
        with pytest.raises(NonceTooLow) as info:
            client.eth_sendRawTransaction("0x" + signed.raw_transaction.hex())
        assert info.value.code == -32003


def test_unknown_things_are_null(w3: Web3, node: BackgroundServer) -> None:
    missing = "0x" + "00" * 31 + "01"
    for method, params in [
        ("eth_getBlockByNumber", ["0xffffff", False]),
        ("eth_getBlockByHash", [missing, False]),
        ("eth_getTransactionByHash", [missing]),
        ("eth_getTransactionReceipt", [missing]),
    ]:
        assert (
            raw(node, {"jsonrpc": "2.0", "id": 1, "method": method, "params": params})["result"]
            is None
        )
    err = raw(
        node, {"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": [ADDR0, "0xffffff"]}
    )
    assert "error" in err


def test_logs_and_filters(fresh: Web3) -> None:
    w3 = fresh
    address = deploy(w3)
    log_filter = w3.eth.filter({"address": address})
    block_filter = w3.eth.filter("latest")
    tx_hash = w3.eth.send_transaction({"from": ADDR0, "to": address, "gas": 100_000})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)
    assert len(receipt["logs"]) == 1
    logs = w3.eth.get_logs({"fromBlock": receipt["blockNumber"], "address": address})
    assert len(logs) == 1
    assert logs[0]["topics"][0] == bytes.fromhex(TOPIC1[2:])
    assert logs[0]["data"] == bytes.fromhex("00" * 31 + "aa")
    assert logs[0]["transactionHash"] == tx_hash
    assert w3.eth.get_logs({"fromBlock": 0, "topics": [TOPIC1]})[0]["address"] == address
    assert w3.eth.get_logs({"blockHash": receipt["blockHash"]})[0]["logIndex"] == 0
    changes = log_filter.get_new_entries()
    assert len(changes) == 1 and changes[0]["transactionHash"] == tx_hash
    assert log_filter.get_new_entries() == []
    assert len(log_filter.get_all_entries()) == 1
    assert block_filter.get_new_entries() == [receipt["blockHash"]]
    assert w3.eth.uninstall_filter(log_filter.filter_id) is True


def test_revert_is_code_3_with_data(fresh: Web3, node: BackgroundServer) -> None:
    address = deploy(fresh)
    reply = raw(
        node,
        {
            "jsonrpc": "2.0",
            "id": 5,
            "method": "eth_call",
            "params": [{"to": address, "data": ERROR_NOPE}, "latest"],
        },
    )
    assert reply["error"]["code"] == 3
    assert reply["error"]["data"] == ERROR_NOPE
    with pytest.raises(ContractLogicError, match="nope"):
        fresh.eth.call({"to": address, "data": ERROR_NOPE})
    with HttpClient(node.url) as client, pytest.raises(ExecutionReverted) as info:
        client.eth_estimateGas({"from": ADDR0, "to": address, "data": ERROR_NOPE})
    assert info.value.data == ERROR_NOPE


def test_batch_requests(w3: Web3, node: BackgroundServer) -> None:
    with w3.batch_requests() as batch:
        batch.add(w3.eth.get_block(0))
        batch.add(w3.eth.get_balance(ADDR0, 0))
        block, balance = batch.execute()
    assert block["number"] == 0 and balance == 10_000 * 10**18
    reply = raw(
        node,
        [
            {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"},
            {"jsonrpc": "2.0", "id": 2, "method": "eth_nope"},
            {"jsonrpc": "2.0", "id": 3, "method": "eth_getBalance", "params": ["0x12", "latest"]},
        ],
    )
    assert [r["id"] for r in reply] == [1, 2, 3]
    assert reply[0]["result"] == "0x7a69"
    assert reply[1]["error"]["code"] == -32601
    assert reply[2]["error"]["code"] == -32602


def test_bad_requests_keep_the_server_serving(node: BackgroundServer) -> None:
    assert raw(node, b"{oops")["error"]["code"] == -32700
    assert raw(node, b"[]")["error"]["code"] == -32600
    with HttpClient(node.url) as client:
        with pytest.raises(MethodNotFound):
            client.eth_bogus()
        with pytest.raises(InvalidParams, match="invalid argument 1"):
            client.eth_getBalance(ADDR0, "0x01")
        with pytest.raises(InvalidParams):
            client.eth_getBlockByNumber()
        assert client.eth_chainId() == "0x7a69"


def test_dev_controls(fresh: Web3, node: BackgroundServer) -> None:
    w3 = fresh
    with HttpClient(node.url) as client:
        client.anvil_setBalance(ADDR1, hex(12345))
        assert w3.eth.get_balance(ADDR1) == 12345
        client.hardhat_setCode(ADDR1, "0x6000")
        assert w3.eth.get_code(ADDR1) == b"\x60\x00"
        client.anvil_setStorageAt(ADDR1, "0x0", "0x" + "00" * 31 + "07")
        assert w3.eth.get_storage_at(ADDR1, 0) == b"\x00" * 31 + b"\x07"
        client.anvil_setNonce(ADDR1, "0x9")
        assert w3.eth.get_transaction_count(ADDR1) == 9
        start = w3.eth.block_number
        head_ts = w3.eth.get_block("latest")["timestamp"]
        client.anvil_mine("0x3", "0x64")
        assert w3.eth.block_number == start + 3
        assert w3.eth.get_block("latest")["timestamp"] == head_ts + 300
        client.evm_setNextBlockTimestamp(hex(head_ts + 1000))
        client.evm_mine()
        assert w3.eth.get_block("latest")["timestamp"] == head_ts + 1000
        client.anvil_setCode(ADDR1, "0x")  # a plain 21000-gas transfer target again
        client.evm_setAutomine(False)
        try:
            tx_hash = transfer(w3)
            assert w3.eth.get_transaction(tx_hash)["blockHash"] is None
            assert client.eth_getTransactionReceipt("0x" + tx_hash.hex()) is None
            assert client.eth_getBlockByNumber("pending", False)["transactions"] == [
                "0x" + tx_hash.hex()
            ]
            client.evm_mine()
            assert w3.eth.get_transaction_receipt(tx_hash)["status"] == 1
        finally:
            client.evm_setAutomine(True)
        fh = w3.eth.fee_history(2, "latest", [50])
        assert len(fh["baseFeePerGas"]) == 3 and len(fh["reward"]) == 2
        proof = client.eth_getProof(ADDR0, ["0x0"], "latest")
        assert proof["accountProof"] and proof["balance"] == hex(w3.eth.get_balance(ADDR0))
