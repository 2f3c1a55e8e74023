"""web3.py and foundry's cast work unchanged against crossroll (issue: foundation, "Must show").

Against `crossroll node` (automine) and every endpoint of `crossroll up` (interval mining,
1 s blocks to keep the test short): deploy an ERC-20, transfer, read the events with
eth_getLogs, fetch receipts and blocks, and verify an eth_getProof against the block's
state root with an independent Merkle-Patricia verifier.
"""

from __future__ import annotations

import json
import subprocess

import pytest
import rlp
from eth_utils import keccak, to_checksum_address
from web3 import Web3

from crossroll.contracts import load
from crossroll.testing.tools import require_tool
from tests.support import mpt
from tests.support.nodes import crossroll_node, crossroll_up
from tests.support.txs import ADDRS, KEYS

pytestmark = pytest.mark.slow

ENDPOINTS = ["node", "up-900", "up-901", "up-902"]


@pytest.fixture(scope="module")
def devnet():
    with crossroll_up(
        "--block-time", "900=1", "--block-time", "901=1", "--block-time", "902=1"
    ) as cfg:
        yield {c["chainId"]: c["rpcUrl"] for c in cfg["chains"]}


@pytest.fixture(scope="module")
def node():
    with crossroll_node() as url:
        yield url


@pytest.fixture(params=ENDPOINTS)
def url(request):
    if request.param == "node":
        return request.getfixturevalue("node")
    return request.getfixturevalue("devnet")[int(request.param.split("-")[1])]


def _int(x) -> int:
    """web3.py hands quantities back as int or HexBytes depending on the field."""
    return int.from_bytes(bytes(x), "big") if isinstance(x, bytes) else int(x)


def verify_account_proof(proof: dict, state_root: str) -> None:
    """Check an eth_getProof answer against a state root, account and every slot."""
    value = mpt.verify_proof(
        bytes.fromhex(state_root[2:]),
        bytes.fromhex(proof["address"][2:]),
        [bytes(n) for n in proof["accountProof"]],
    )
    nonce, balance, storage_hash, code_hash = rlp.decode(value)
    assert int.from_bytes(nonce, "big") == int(proof["nonce"])
    assert int.from_bytes(balance, "big") == int(proof["balance"])
    assert storage_hash == bytes(proof["storageHash"]) and code_hash == bytes(proof["codeHash"])
    for sp in proof["storageProof"]:
        key = sp["key"]
        key = int.from_bytes(bytes(key), "big") if isinstance(key, bytes) else int(key)
        got = mpt.verify_proof(
            storage_hash, key.to_bytes(32, "big"), [bytes(n) for n in sp["proof"]]
        )
        assert (int.from_bytes(rlp.decode(got), "big") if got else 0) == _int(sp["value"])


def test_web3py(url):
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 30}))
    assert w3.is_connected()
    chain_id = w3.eth.chain_id
    assert w3.eth.accounts[0] == ADDRS[0]
    art = load("TestToken")
    Token = w3.eth.contract(abi=list(art.abi), bytecode=art.bytecode)
    acct = w3.eth.account.from_key(KEYS[0])

    deploy = Token.constructor("Test", "TST", 18, 10**24).build_transaction(
        {"from": acct.address, "nonce": w3.eth.get_transaction_count(acct.address, "pending")}
    )
    assert deploy["chainId"] == chain_id
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(acct.sign_transaction(deploy).raw_transaction), timeout=30
    )
    assert receipt.status == 1 and receipt.contractAddress
    token = w3.eth.contract(address=receipt.contractAddress, abi=list(art.abi))

    transfer = token.functions.transfer(ADDRS[1], 1234).build_transaction(
        {"from": acct.address, "nonce": w3.eth.get_transaction_count(acct.address, "pending")}
    )
    tx_hash = w3.eth.send_raw_transaction(acct.sign_transaction(transfer).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    assert receipt.status == 1
    assert token.functions.balanceOf(ADDRS[1]).call() == 1234

    # events through eth_getLogs, both via the contract API and a raw filter
    events = token.events.Transfer.get_logs(
        from_block=receipt.blockNumber, to_block=receipt.blockNumber
    )
    assert [(e.args["from"], e.args["to"], e.args["value"]) for e in events] == [
        (acct.address, ADDRS[1], 1234)
    ]
    logs = w3.eth.get_logs(
        {
            "fromBlock": 0,
            "address": token.address,
            "topics": [keccak(text="Transfer(address,address,uint256)")],
        }
    )
    assert len(logs) == 2  # the mint in the constructor and the transfer

    # transactions, receipts, blocks
    tx = w3.eth.get_transaction(tx_hash)
    assert (
        tx["from"] == acct.address and tx["blockNumber"] == receipt.blockNumber and tx["type"] == 2
    )
    block = w3.eth.get_block(receipt.blockNumber, full_transactions=True)
    assert block.hash == receipt.blockHash and tx_hash in [t["hash"] for t in block.transactions]
    assert w3.eth.get_block("latest").number >= receipt.blockNumber

    # a dev account sends without a local key (eth_sendTransaction)
    before = w3.eth.get_balance(ADDRS[2])
    r = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction({"from": w3.eth.accounts[1], "to": ADDRS[2], "value": 10**15}),
        timeout=30,
    )
    assert r.status == 1 and w3.eth.get_balance(ADDRS[2], r.blockNumber) == before + 10**15

    # eth_getProof of the token (its balance slots) verified against the block's state root
    slot = int.from_bytes(
        keccak(bytes(12) + bytes.fromhex(ADDRS[1][2:]) + (0).to_bytes(32, "big")), "big"
    )
    balances_slot = _balances_slot(w3, token, slot)
    proof = w3.eth.get_proof(token.address, [balances_slot, 12345], r.blockNumber)
    verify_account_proof(proof, w3.eth.get_block(r.blockNumber).stateRoot.to_0x_hex())
    assert _int(proof["storageProof"][0]["value"]) == 1234
    assert _int(proof["storageProof"][1]["value"]) == 0  # absent slot: exclusion proof


def _balances_slot(w3: Web3, token, _guess: int) -> int:
    """Find the mapping slot of balanceOf(ADDRS[1]) by probing the first few layout slots."""
    holder = bytes(12) + bytes.fromhex(ADDRS[1][2:])
    for base in range(8):
        key = int.from_bytes(keccak(holder + base.to_bytes(32, "big")), "big")
        if int.from_bytes(w3.eth.get_storage_at(token.address, key), "big") == 1234:
            return key
    raise AssertionError("balances mapping not found")


def cast(url: str, *args: str) -> str:
    exe = require_tool("cast")
    command, *rest = args  # options go before positional arguments (cast send --create ...)
    out = subprocess.run(
        [str(exe), command, "--rpc-url", url, *rest], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_cast(url):
    key = KEYS[2]
    assert int(cast(url, "chain-id")) in (31337, 900, 901, 902)
    assert cast(url, "balance", ADDRS[2]).isdigit()
    art = load("TestToken")
    from eth_abi import encode

    init = (
        "0x"
        + (
            art.bytecode
            + encode(["string", "string", "uint8", "uint256"], ["Cast", "CST", 18, 10**24])
        ).hex()
    )
    deployed = json.loads(cast(url, "send", "--private-key", key, "--json", "--create", init))
    assert deployed["status"] == "0x1"
    token = to_checksum_address(deployed["contractAddress"])
    assert cast(url, "code", token) == "0x" + art.deployed_bytecode.hex()

    sent = json.loads(
        cast(
            url,
            "send",
            "--private-key",
            key,
            "--json",
            token,
            "transfer(address,uint256)",
            ADDRS[1],
            "777",
        )
    )
    assert sent["status"] == "0x1"
    assert cast(url, "call", token, "balanceOf(address)(uint256)", ADDRS[1]).split()[0] == "777"

    receipt = json.loads(cast(url, "receipt", "--json", sent["transactionHash"]))
    assert receipt["blockHash"] == sent["blockHash"] and len(receipt["logs"]) == 1
    block = json.loads(cast(url, "block", str(int(sent["blockNumber"], 16)), "--json"))
    assert block["hash"] == sent["blockHash"]
    assert sent["transactionHash"] in block["transactions"]

    logs = json.loads(
        cast(
            url,
            "logs",
            "--json",
            "--from-block",
            str(int(deployed["blockNumber"], 16)),
            "--address",
            token,
            "Transfer(address,address,uint256)",
        )
    )
    assert len(logs) == 2

    proof = json.loads(cast(url, "proof", token, "0", "--block", str(int(sent["blockNumber"], 16))))
    root = block["stateRoot"]
    value = mpt.verify_proof(
        bytes.fromhex(root[2:]),
        bytes.fromhex(token[2:]),
        [bytes.fromhex(n[2:]) for n in proof["accountProof"]],
    )
    assert rlp.decode(value)[2] == bytes.fromhex(proof["storageHash"][2:])
