"""Every namespace through the in-process client over the FakeChain double."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crossroll.errors import (
    CrossrollError,
    ExecutionReverted,
    FilterNotFound,
    InvalidParams,
    MethodNotFound,
    NonceTooLow,
)
from crossroll.rpc import CLIENT_VERSION

A = "0x" + "aa" * 20
B = "0x" + "bb" * 20
EMITTER = "0x" + "11" * 20


def test_web3_net(client: Any) -> None:
    assert client.web3_clientVersion() == CLIENT_VERSION
    assert CLIENT_VERSION.startswith("crossroll/v")
    assert (
        client.web3_sha3("0x")
        == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert client.net_version() == "31337"
    assert client.net_listening() is True
    assert client.net_peerCount() == "0x0"


def test_eth_basics(client: Any) -> None:
    assert client.eth_chainId() == "0x7a69"
    assert client.eth_blockNumber() == "0x0"
    assert client.eth_accounts() == [A, B]
    assert client.eth_syncing() is False
    assert client.eth_gasPrice() == hex(2 * 10**9)
    assert client.eth_maxPriorityFeePerGas() == hex(10**9)
    assert client.eth_coinbase() == "0x" + "00" * 20
    assert client.eth_getBalance(A, "latest") == hex(10**22)
    assert client.eth_getBalance(A) == hex(10**22)
    assert client.eth_getBalance(A, {"blockNumber": "0x0"}) == hex(10**22)
    assert client.eth_getTransactionCount(B, "pending") == "0x0"
    assert client.eth_getCode(A, "latest") == "0x"
    assert client.eth_getStorageAt(A, "0x0", "latest") == "0x" + "00" * 32


def test_state_read_of_unknown_block_is_an_error_like_anvils(client: Any) -> None:
    with pytest.raises(
        InvalidParams, match=r"^BlockOutOfRangeError: block height is 0 but requested was 153$"
    ):
        client.eth_getBalance(A, "0x99")
    for method, params in [
        ("eth_getCode", [A, "0x99"]),
        ("eth_getStorageAt", [A, "0x0", "0x99"]),
        ("eth_getTransactionCount", [A, "0x99"]),
        ("eth_call", [{"to": A}, "0x99"]),
        ("eth_estimateGas", [{"to": A}, "0x99"]),
        ("eth_getProof", [A, [], "0x99"]),
    ]:
        with pytest.raises(InvalidParams, match="BlockOutOfRangeError"):
            client.request(method, params)
    with pytest.raises(CrossrollError, match="Resource not found") as info:
        client.eth_getBalance(A, {"blockHash": "0x" + "00" * 31 + "01"})
    assert info.value.code == -32001


def test_bad_params(client: Any) -> None:
    with pytest.raises(InvalidParams, match="invalid argument 0: hex string has length 2"):
        client.eth_getBalance("0x12", "latest")
    with pytest.raises(InvalidParams, match="leading zero"):
        client.eth_getBalance(A, "0x01")
    with pytest.raises(MethodNotFound):
        client.eth_doesNotExist()


def test_transactions_blocks_receipts(client: Any) -> None:
    tx_hash = client.eth_sendRawTransaction("0x0102")
    assert client.eth_blockNumber() == "0x1"
    tx = client.eth_getTransactionByHash(tx_hash)
    assert tx["blockNumber"] == "0x1" and tx["from"] == A and tx["input"] == "0x0102"
    receipt = client.eth_getTransactionReceipt(tx_hash)
    assert receipt["status"] == "0x1" and receipt["logs"][0]["address"] == EMITTER
    block = client.eth_getBlockByNumber("0x1", False)
    assert block["transactions"] == [tx_hash]
    assert client.eth_getBlockByHash(block["hash"], True)["transactions"][0] == tx
    assert client.eth_getBlockTransactionCountByNumber("latest") == "0x1"
    assert client.eth_getBlockTransactionCountByHash(block["hash"]) == "0x1"
    assert client.eth_getTransactionByBlockNumberAndIndex("0x1", "0x0") == tx
    assert client.eth_getTransactionByBlockHashAndIndex(block["hash"], "0x0") == tx
    assert client.eth_getTransactionByBlockNumberAndIndex("0x1", "0x5") is None
    # unknowns are null, not errors
    missing = "0x" + "00" * 31 + "01"
    assert client.eth_getBlockByNumber("0x99", False) is None
    assert client.eth_getBlockByHash(missing, False) is None
    assert client.eth_getTransactionByHash(missing) is None
    assert client.eth_getTransactionReceipt(missing) is None
    assert client.eth_getBlockTransactionCountByNumber("0x99") is None


def test_pending_transaction(client: Any) -> None:
    client.evm_setAutomine(False)
    tx_hash = client.eth_sendRawTransaction("0x0a")
    assert client.eth_getTransactionReceipt(tx_hash) is None
    tx = client.eth_getTransactionByHash(tx_hash)
    assert tx["blockHash"] is None and tx["transactionIndex"] is None
    assert client.eth_getBlockByNumber("pending", False)["transactions"] == [tx_hash]
    assert client.evm_mine() == "0x0"
    assert client.eth_getTransactionReceipt(tx_hash)["blockNumber"] == "0x1"


def test_send_transaction(client: Any) -> None:
    tx_hash = client.eth_sendTransaction({"from": A, "to": B, "value": "0x1"})
    assert client.eth_getTransactionReceipt(tx_hash) is not None


def test_rejection_keeps_its_class_and_code(client: Any) -> None:
    with pytest.raises(NonceTooLow) as info:
        client.eth_sendRawTransaction("0xdead")
    assert info.value.code == -32003


def test_call_and_revert(client: Any) -> None:
    assert client.eth_call({"to": B, "data": "0x1234"}, "latest") == "0x1234"
    assert client.eth_call({"to": B, "input": "0x12"}) == "0x12"
    assert client.eth_estimateGas({"to": B}) == hex(21000)
    with pytest.raises(ExecutionReverted) as info:
        client.eth_call({"to": B, "data": "0xfe"}, "latest")
    assert info.value.code == 3 and info.value.data.startswith("0x08c379a0")
    with pytest.raises(CrossrollError) as bug:
        client.eth_call({"to": B, "data": "0xff"}, "latest")
    assert bug.value.code == -32603
    assert client.eth_chainId() == "0x7a69"  # still serving


def test_fee_history_and_proof(client: Any) -> None:
    client.anvil_mine("0x3")
    fh = client.eth_feeHistory("0x2", "latest", [25, 75])
    assert fh["oldestBlock"] == "0x2"
    assert len(fh["baseFeePerGas"]) == 3 and len(fh["reward"]) == 2
    assert "reward" not in client.eth_feeHistory(2, "latest")
    proof = client.eth_getProof(A, ["0x0"], "latest")
    assert proof["balance"] == hex(10**22)
    assert proof["storageProof"][0]["key"] == "0x" + "00" * 32


def test_logs(client: Any) -> None:
    h1 = client.eth_sendRawTransaction("0x01")
    client.eth_sendRawTransaction("0x02")
    logs = client.eth_getLogs({"fromBlock": "0x0", "toBlock": "latest"})
    assert [lg["data"] for lg in logs] == ["0x01", "0x02"]
    assert logs[0]["transactionHash"] == h1 and "blockTimestamp" in logs[0]
    assert client.eth_getLogs({"fromBlock": "0x2"})[0]["data"] == "0x02"
    assert client.eth_getLogs({"address": B, "fromBlock": "earliest"}) == []
    one = client.eth_getLogs({"blockHash": logs[0]["blockHash"]})
    assert [lg["data"] for lg in one] == ["0x01"]
    with pytest.raises(
        InvalidParams, match="BlockOutOfRangeError: block height is 2 but requested was 80"
    ):
        client.eth_getLogs({"fromBlock": "0x50"})
    with pytest.raises(CrossrollError, match="invalid block range"):
        client.eth_getLogs({"fromBlock": "0x2", "toBlock": "0x1"})
    with pytest.raises(CrossrollError, match="unknown block"):
        client.eth_getLogs({"blockHash": "0x" + "00" * 32})


def test_filters(client: Any, dispatcher: Any) -> None:
    log_filter = client.eth_newFilter({"fromBlock": "latest", "address": EMITTER})
    block_filter = client.eth_newBlockFilter()
    pending_filter = client.eth_newPendingTransactionFilter()
    tx_hash = client.eth_sendRawTransaction("0x05")
    changes = client.eth_getFilterChanges(log_filter)
    assert [c["data"] for c in changes] == ["0x05"]
    assert client.eth_getFilterChanges(log_filter) == []
    assert client.eth_getFilterChanges(block_filter) == [
        client.eth_getBlockByNumber("latest", False)["hash"]
    ]
    assert client.eth_getFilterChanges(pending_filter) == [tx_hash]
    assert [lg["data"] for lg in client.eth_getFilterLogs(log_filter)] == ["0x05"]
    assert client.eth_uninstallFilter(block_filter) is True
    assert client.eth_uninstallFilter(block_filter) is False
    with pytest.raises(FilterNotFound, match="filter not found"):
        client.eth_getFilterChanges(block_filter)
    # expiry: five minutes of scheduler time without a poll
    dispatcher.context.scheduler.advance(301)
    with pytest.raises(FilterNotFound):
        client.eth_getFilterChanges(log_filter)
    assert len(dispatcher.context.filters) == 0


def test_subscribe_over_plain_rpc_is_refused(client: Any) -> None:
    with pytest.raises(MethodNotFound, match="notifications not supported"):
        client.eth_subscribe("newHeads")


def test_dev_controls(client: Any, chain: Any) -> None:
    snap = client.evm_snapshot()
    assert client.anvil_setBalance(B, "0x10") is None
    assert client.eth_getBalance(B, "latest") == "0x10"
    client.hardhat_setBalance(B, "0x11")
    assert client.eth_getBalance(B, "latest") == "0x11"
    client.anvil_setCode(B, "0x6000")
    assert client.eth_getCode(B, "latest") == "0x6000"
    assert client.anvil_setStorageAt(B, "0x1", "0x" + "00" * 31 + "2a") is True
    assert client.eth_getStorageAt(B, "0x1", "latest") == "0x" + "00" * 31 + "2a"
    client.anvil_setNonce(B, "0x5")
    assert client.eth_getTransactionCount(B, "latest") == "0x5"
    assert client.evm_revert(snap) is True
    assert client.eth_getBalance(B, "latest") == hex(10**22)
    assert client.evm_revert(snap) is False
    assert client.evm_increaseTime(60) == 60
    assert client.evm_increaseTime("0x10") == 76
    client.evm_setNextBlockTimestamp("0x7b000000")
    client.evm_mine()
    assert client.eth_getBlockByNumber("latest", False)["timestamp"] == "0x7b000000"
    client.evm_mine("0x7c000000")
    assert client.eth_getBlockByNumber("latest", False)["timestamp"] == "0x7c000000"
    client.anvil_mine("0x2", "0x10")
    assert client.eth_getBlockByNumber("latest", False)["timestamp"] == hex(0x7C000000 + 32)
    client.hardhat_mine()
    client.evm_setIntervalMining(5)
    assert chain.interval == 5.0
    client.anvil_setAutomine(False)
    assert chain.automine is False
    info = client.anvil_nodeInfo()
    assert info["environment"]["chainId"] == 31337


def test_batch_through_client(client: Any) -> None:
    out = client.batch([("eth_chainId", []), ("eth_nope", []), ("eth_blockNumber", [])])
    assert out[0] == "0x7a69" and isinstance(out[1], MethodNotFound) and out[2] == "0x0"


def test_signing_with_dev_keys(client: Any) -> None:
    from eth_account import Account
    from eth_account.messages import encode_defunct

    signer = Account.from_key(b"\x01" * 32).address
    sig = client.eth_sign(A, "0x68656c6c6f")
    assert Account.recover_message(encode_defunct(b"hello"), signature=sig) == signer
    assert client.personal_sign("0x68656c6c6f", A) == sig
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "chainId", "type": "uint256"},
            ],
            "Mail": [{"name": "contents", "type": "string"}],
        },
        "primaryType": "Mail",
        "domain": {"name": "crossroll", "chainId": 31337},
        "message": {"contents": "hi"},
    }
    sig712 = client.eth_signTypedData_v4(A, typed)
    assert client.eth_signTypedData_v4(A, json.dumps(typed)) == sig712
    with pytest.raises(CrossrollError, match="No Signer available"):
        client.eth_sign("0x" + "cc" * 20, "0x00")
    with pytest.raises(InvalidParams):
        client.eth_signTypedData_v4(A, {"message": {}})


def test_block_receipts_and_blob_fee(client: Any) -> None:
    tx_hash = client.eth_sendRawTransaction("0x01")
    receipts = client.eth_getBlockReceipts("latest")
    assert [r["transactionHash"] for r in receipts] == [tx_hash]
    assert client.eth_getBlockReceipts("0x99") is None
    assert client.eth_blobBaseFee() == "0x1"
