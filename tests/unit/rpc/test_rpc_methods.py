"""Every namespace through the in-process client over a real Chain."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_abi import decode, encode
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data

from crossroll.chain import Chain
from crossroll.clock import VirtualClock
from crossroll.errors import (
    CrossrollError,
    ExecutionReverted,
    FilterNotFound,
    InvalidParams,
    MethodNotFound,
    NonceTooLow,
)
from crossroll.rpc import CLIENT_VERSION
from tests.support.txs import calldata
from tests.unit.rpc.helpers import (
    BALANCE,
    GWEI,
    KEY_A,
    START,
    A,
    B,
    deploy,
    emit,
    logged_bytes,
    send,
    sign,
)

MISSING = "0x" + "00" * 31 + "01"
ZERO_WORD = "0x" + "00" * 32


def word(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


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
    accounts = client.eth_accounts()
    assert len(accounts) == 10 and accounts[:2] == [A, B]
    assert client.eth_syncing() is False
    # block 1 keeps the genesis base fee (1 gwei, as anvil), plus the default 1 gwei tip
    assert client.eth_gasPrice() == hex(2 * GWEI)
    assert client.eth_maxPriorityFeePerGas() == hex(GWEI)
    assert client.eth_coinbase() == "0x" + "00" * 20
    assert client.eth_getBalance(A, "latest") == hex(BALANCE)
    assert client.eth_getBalance(A) == hex(BALANCE)
    assert client.eth_getBalance(A, {"blockNumber": "0x0"}) == hex(BALANCE)
    assert client.eth_getTransactionCount(B, "pending") == "0x0"
    assert client.eth_getCode(A, "latest") == "0x"
    assert client.eth_getStorageAt(A, "0x0", "latest") == ZERO_WORD
    genesis = client.eth_getBlockByNumber("earliest", False)
    assert genesis["number"] == "0x0" and genesis["timestamp"] == hex(START)
    assert genesis["baseFeePerGas"] == hex(GWEI) and genesis["transactions"] == []


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
        client.eth_getBalance(A, {"blockHash": MISSING})
    assert info.value.code == -32001


def test_bad_params(client: Any) -> None:
    with pytest.raises(InvalidParams, match="invalid argument 0: hex string has length 2"):
        client.eth_getBalance("0x12", "latest")
    with pytest.raises(InvalidParams, match="leading zero"):
        client.eth_getBalance(A, "0x01")
    with pytest.raises(MethodNotFound):
        client.eth_doesNotExist()


def test_transactions_blocks_receipts(client: Any) -> None:
    tx_hash = send(client, value=1000)
    assert client.eth_blockNumber() == "0x1"
    tx = client.eth_getTransactionByHash(tx_hash)
    assert tx["hash"] == tx_hash and tx["blockNumber"] == "0x1"
    assert (tx["from"], tx["to"], tx["value"], tx["nonce"]) == (A, B, hex(1000), "0x0")
    assert tx["input"] == "0x" and tx["type"] == "0x2" and tx["chainId"] == "0x7a69"
    receipt = client.eth_getTransactionReceipt(tx_hash)
    assert receipt["status"] == "0x1" and receipt["logs"] == []
    assert receipt["gasUsed"] == hex(21_000) and receipt["contractAddress"] is None
    # the block's base fee (1 gwei) plus the full 1 gwei tip
    price = 2 * GWEI
    assert receipt["effectiveGasPrice"] == hex(price)
    assert client.eth_getBalance(A, "latest") == hex(BALANCE - 1000 - 21_000 * price)
    assert client.eth_getBalance(B, "latest") == hex(BALANCE + 1000)
    assert client.eth_getBalance(B, "0x0") == hex(BALANCE)  # history stays readable
    assert client.eth_getTransactionCount(A, "latest") == "0x1"
    block = client.eth_getBlockByNumber("0x1", False)
    assert block["transactions"] == [tx_hash] and block["gasUsed"] == hex(21_000)
    assert block["parentHash"] == client.eth_getBlockByNumber("0x0", False)["hash"]
    assert receipt["blockHash"] == block["hash"]
    assert client.eth_getBlockByHash(block["hash"], True)["transactions"][0] == tx
    assert client.eth_getBlockTransactionCountByNumber("latest") == "0x1"
    assert client.eth_getBlockTransactionCountByHash(block["hash"]) == "0x1"
    assert client.eth_getTransactionByBlockNumberAndIndex("0x1", "0x0") == tx
    assert client.eth_getTransactionByBlockHashAndIndex(block["hash"], "0x0") == tx
    assert client.eth_getTransactionByBlockNumberAndIndex("0x1", "0x5") is None
    # unknowns are null, not errors
    assert client.eth_getBlockByNumber("0x99", False) is None
    assert client.eth_getBlockByHash(MISSING, False) is None
    assert client.eth_getTransactionByHash(MISSING) is None
    assert client.eth_getTransactionReceipt(MISSING) is None
    assert client.eth_getBlockTransactionCountByNumber("0x99") is None


def test_pending_transaction(client: Any) -> None:
    client.evm_setAutomine(False)
    tx_hash = send(client)
    assert client.eth_getTransactionReceipt(tx_hash) is None
    tx = client.eth_getTransactionByHash(tx_hash)
    assert tx["blockHash"] is None and tx["transactionIndex"] is None
    assert client.eth_getBlockByNumber("pending", False)["transactions"] == [tx_hash]
    assert client.eth_getTransactionCount(A, "latest") == "0x0"
    assert client.eth_getTransactionCount(A, "pending") == "0x1"
    assert client.eth_blockNumber() == "0x0"
    assert client.evm_mine() == "0x0"
    assert client.eth_getTransactionReceipt(tx_hash)["blockNumber"] == "0x1"
    assert client.eth_getBalance(B, "latest") == hex(BALANCE + 1)


def test_send_transaction(client: Any) -> None:
    tx_hash = client.eth_sendTransaction({"from": A, "to": B, "value": "0x1"})
    receipt = client.eth_getTransactionReceipt(tx_hash)
    assert receipt["status"] == "0x1" and receipt["from"] == A and receipt["to"] == B
    assert client.eth_getBalance(B, "latest") == hex(BALANCE + 1)


def test_rejection_keeps_its_class_and_code(client: Any) -> None:
    send(client)  # nonce 0 is used up
    with pytest.raises(NonceTooLow) as info:
        client.eth_sendRawTransaction(sign(KEY_A, nonce=0, value=2))
    assert info.value.code == -32003
    assert client.eth_blockNumber() == "0x1"  # nothing mined for the rejected one


def test_call_and_revert(client: Any) -> None:
    probe = deploy(client)
    send(client, to=probe, value=0, gas=100_000, data=calldata("set(uint256,uint256)", 7, 42))
    get7 = "0x" + calldata("get(uint256)", 7).hex()
    assert client.eth_call({"to": probe, "data": get7}, "latest") == word(42)
    assert client.eth_call({"to": probe, "input": get7}) == word(42)
    assert client.eth_call({"to": probe, "data": get7}, "0x1") == word(0)  # before the set
    assert client.eth_getStorageAt(probe, "0x7", "latest") == word(42)
    assert client.eth_estimateGas({"from": A, "to": B}) == hex(21_000)
    fail = "0x" + calldata("fail(string)", "nope").hex()
    with pytest.raises(ExecutionReverted, match="nope") as info:
        client.eth_call({"to": probe, "data": fail}, "latest")
    assert info.value.code == 3
    assert info.value.data == "0x08c379a0" + encode(["string"], ["nope"]).hex()
    custom = "0x" + calldata("failCustom(uint256)", 5).hex()
    with pytest.raises(ExecutionReverted) as info:
        client.eth_estimateGas({"from": A, "to": probe, "data": custom})
    assert info.value.data == "0x" + calldata("CustomFailure(uint256)", 5).hex()
    # a halt is not a revert: anvil answers -32603 "EVM error <Halt>"
    for method in ("eth_call", "eth_estimateGas"):
        with pytest.raises(CrossrollError, match=r"^EVM error StackUnderflow$") as halt:
            client.request(method, [{"data": "0x01"}])  # init code: ADD on an empty stack
        assert halt.value.code == -32603
    assert client.eth_chainId() == "0x7a69"  # still serving


def test_a_bug_in_the_chain_is_an_internal_error(
    client: Any, chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:  # fault injection: the real chain, with a bug in it
        raise RuntimeError("boom\nsecond line of a traceback")

    monkeypatch.setattr(chain, "call", broken)
    with pytest.raises(CrossrollError) as bug:
        client.eth_call({"to": B, "data": "0x00"}, "latest")
    assert bug.value.code == -32603
    assert bug.value.message == "internal error: RuntimeError: boom"
    assert client.eth_chainId() == "0x7a69"  # still serving


def test_fee_history_and_proof(client: Any) -> None:
    client.anvil_mine("0x3")
    assert client.eth_blockNumber() == "0x3"
    fh = client.eth_feeHistory("0x2", "latest", [25, 75])
    assert fh["oldestBlock"] == "0x2"
    base_fees = [client.eth_getBlockByNumber(hex(n), False)["baseFeePerGas"] for n in (2, 3)]
    # empty blocks after block 1: each base fee 7/8 of its parent's; the last is block 4's
    assert base_fees == [hex(875_000_000), hex(765_625_000)]
    assert fh["baseFeePerGas"] == [*base_fees, hex(669_921_875)]
    assert fh["gasUsedRatio"] == [0, 0] and fh["reward"] == [["0x0", "0x0"], ["0x0", "0x0"]]
    assert "reward" not in client.eth_feeHistory(2, "latest")
    proof = client.eth_getProof(A, ["0x0"], "latest")
    assert proof["balance"] == hex(BALANCE) and proof["nonce"] == "0x0"
    assert proof["storageProof"][0]["key"] == ZERO_WORD
    assert proof["storageProof"][0]["value"] == "0x0" and proof["accountProof"]


def test_logs(client: Any) -> None:
    probe = deploy(client)  # block 1
    h1 = emit(client, probe, b"\x01")  # block 2
    emit(client, probe, b"\x02", topic="0x" + "cd" * 32)  # block 3
    logs = client.eth_getLogs({"fromBlock": "0x0", "toBlock": "latest"})
    assert [logged_bytes(lg) for lg in logs] == [b"\x01", b"\x02"]
    assert [lg["blockNumber"] for lg in logs] == ["0x2", "0x3"]
    assert {lg["address"] for lg in logs} == {probe}
    assert logs[0]["transactionHash"] == h1 and "blockTimestamp" in logs[0]
    assert logged_bytes(client.eth_getLogs({"fromBlock": "0x3"})[0]) == b"\x02"
    by_topic = client.eth_getLogs({"fromBlock": "earliest", "topics": [None, "0x" + "cd" * 32]})
    assert [logged_bytes(lg) for lg in by_topic] == [b"\x02"]
    assert client.eth_getLogs({"address": B, "fromBlock": "earliest"}) == []
    one = client.eth_getLogs({"blockHash": logs[0]["blockHash"]})
    assert [logged_bytes(lg) for lg in one] == [b"\x01"]
    with pytest.raises(
        InvalidParams, match="BlockOutOfRangeError: block height is 3 but requested was 80"
    ):
        client.eth_getLogs({"fromBlock": "0x50"})
    with pytest.raises(CrossrollError, match="invalid block range"):
        client.eth_getLogs({"fromBlock": "0x2", "toBlock": "0x1"})
    with pytest.raises(CrossrollError, match="unknown block"):
        client.eth_getLogs({"blockHash": "0x" + "00" * 32})


def test_filters(client: Any, dispatcher: Any) -> None:
    probe = deploy(client)
    log_filter = client.eth_newFilter({"fromBlock": "latest", "address": probe})
    block_filter = client.eth_newBlockFilter()
    pending_filter = client.eth_newPendingTransactionFilter()
    tx_hash = emit(client, probe, b"\x05")
    changes = client.eth_getFilterChanges(log_filter)
    assert [logged_bytes(c) for c in changes] == [b"\x05"]
    assert changes[0]["transactionHash"] == tx_hash
    assert client.eth_getFilterChanges(log_filter) == []
    assert client.eth_getFilterChanges(block_filter) == [
        client.eth_getBlockByNumber("latest", False)["hash"]
    ]
    assert client.eth_getFilterChanges(pending_filter) == [tx_hash]
    assert [logged_bytes(lg) for lg in client.eth_getFilterLogs(log_filter)] == [b"\x05"]
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


def test_dev_controls(client: Any, clock: VirtualClock) -> None:
    snap = client.evm_snapshot()
    assert client.anvil_setBalance(B, "0x10") is None
    assert client.eth_getBalance(B, "latest") == "0x10"
    client.hardhat_setBalance(B, "0x11")
    assert client.eth_getBalance(B, "latest") == "0x11"
    client.anvil_setCode(B, "0x6000")
    assert client.eth_getCode(B, "latest") == "0x6000"
    assert client.anvil_setStorageAt(B, "0x1", word(42)) is True
    assert client.eth_getStorageAt(B, "0x1", "latest") == word(42)
    client.anvil_setNonce(B, "0x5")
    assert client.eth_getTransactionCount(B, "latest") == "0x5"
    assert client.evm_revert(snap) is True
    assert client.eth_getBalance(B, "latest") == hex(BALANCE)
    assert client.eth_getCode(B, "latest") == "0x"
    assert client.eth_getTransactionCount(B, "latest") == "0x0"
    assert client.evm_revert(snap) is False
    assert client.evm_increaseTime(60) == 60
    assert client.evm_increaseTime("0x10") == 76
    client.evm_mine()
    assert client.eth_getBlockByNumber("latest", False)["timestamp"] == hex(START + 76)
    client.evm_setNextBlockTimestamp("0x7b000000")
    client.evm_mine()
    assert client.eth_getBlockByNumber("latest", False)["timestamp"] == "0x7b000000"
    client.evm_mine("0x7c000000")
    assert client.eth_getBlockByNumber("latest", False)["timestamp"] == "0x7c000000"
    client.anvil_mine("0x2", "0x10")
    assert client.eth_getBlockByNumber("latest", False)["timestamp"] == hex(0x7C000000 + 32)
    client.hardhat_mine()
    assert client.eth_blockNumber() == "0x6"
    # interval mining: a block every 5 s of (virtual) time
    client.evm_setIntervalMining(5)
    clock.advance(10)
    assert client.eth_blockNumber() == "0x8"
    client.evm_setIntervalMining(0)
    clock.advance(10)
    assert client.eth_blockNumber() == "0x8"
    # no automine: transactions wait for a block
    client.anvil_setAutomine(False)
    tx_hash = send(client)
    assert client.eth_getTransactionReceipt(tx_hash) is None
    client.anvil_setAutomine(True)  # mines what is ready
    assert client.eth_getTransactionReceipt(tx_hash)["blockNumber"] == "0x9"
    info = client.anvil_nodeInfo()
    assert info["environment"]["chainId"] == 31337
    assert info["currentBlockNumber"] == "0x9"


def test_batch_through_client(client: Any) -> None:
    out = client.batch([("eth_chainId", []), ("eth_nope", []), ("eth_blockNumber", [])])
    assert out[0] == "0x7a69" and isinstance(out[1], MethodNotFound) and out[2] == "0x0"


def test_signing_with_dev_keys(client: Any) -> None:
    signer = Account.from_key(KEY_A).address
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
    assert Account.recover_message(encode_typed_data(full_message=typed), signature=sig712) == (
        signer
    )
    assert client.eth_signTypedData_v4(A, json.dumps(typed)) == sig712
    with pytest.raises(CrossrollError, match="No Signer available"):
        client.eth_sign("0x" + "cc" * 20, "0x00")
    with pytest.raises(InvalidParams):
        client.eth_signTypedData_v4(A, {"message": {}})


def test_block_receipts_and_blob_fee(client: Any) -> None:
    probe = deploy(client)
    tx_hash = emit(client, probe, b"\x01")
    receipts = client.eth_getBlockReceipts("latest")
    assert [r["transactionHash"] for r in receipts] == [tx_hash]
    assert [logged_bytes(lg) for lg in receipts[0]["logs"]] == [b"\x01"]
    assert client.eth_getBlockReceipts("0x99") is None
    assert client.eth_blobBaseFee() == "0x1"


def test_token_balances_move(client: Any) -> None:
    ctor = encode(["string", "string", "uint8", "uint256"], ["Test", "TST", 18, 10**24])
    token = deploy(client, "TestToken", ctor)
    transfer = calldata("transfer(address,uint256)", B, 250)
    receipt = client.eth_getTransactionReceipt(
        send(client, to=token, value=0, gas=100_000, data=transfer)
    )
    assert receipt["status"] == "0x1" and len(receipt["logs"]) == 1  # Transfer(A, B, 250)

    def balance(who: str) -> int:
        out = client.eth_call(
            {"to": token, "data": "0x" + calldata("balanceOf(address)", who).hex()}
        )
        return int(decode(["uint256"], bytes.fromhex(out[2:]))[0])

    assert (balance(A), balance(B)) == (10**24 - 250, 250)
