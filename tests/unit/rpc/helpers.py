"""Real transactions for the RPC tests: signed with eth_account by the dev keys of
the test mnemonic, sent through any :class:`~crossroll.abc.ClientAPI`."""

from __future__ import annotations

from typing import Any

from eth_abi import decode
from eth_account import Account
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from crossroll.abc import ClientAPI
from crossroll.contracts import load
from tests.support.txs import KEYS, calldata

START = 1_700_000_000  # the virtual clock's start: genesis timestamp
GWEI = 10**9
BALANCE = 10**22  # 10,000 ETH per dev account
A, B = (Account.from_key(k).address.lower() for k in KEYS[:2])
KEY_A, KEY_B = KEYS[:2]
LOGGED = "0x" + keccak(b"Logged(bytes32,bytes)").hex()
TOPIC = "0x" + "ab" * 32


def sign(key: str = KEY_A, *, nonce: int, to: str | None = None, **fields: Any) -> str:
    """A signed EIP-1559 transaction (a 1 wei transfer to B unless told otherwise)."""
    tx: dict[str, Any] = {
        "type": 2,
        "chainId": 31337,
        "nonce": nonce,
        "to": to or B,
        "value": 1,
        "gas": 21_000,
        "maxFeePerGas": 10 * GWEI,
        "maxPriorityFeePerGas": GWEI,
        **fields,
    }
    if tx["to"] == "create":
        del tx["to"]
    else:
        tx["to"] = to_checksum_address(tx["to"])
    return "0x" + bytes(Account.sign_transaction(tx, key).raw_transaction).hex()


def send(client: ClientAPI, key: str = KEY_A, **fields: Any) -> str:
    """Sign with the sender's next nonce and send; the transaction's hash."""
    sender = Account.from_key(key).address
    nonce = int(client.eth_getTransactionCount(sender, "pending"), 16)
    return str(client.eth_sendRawTransaction(sign(key, nonce=nonce, **fields)))


def deploy(client: ClientAPI, name: str = "Probe", ctor: bytes = b"") -> str:
    """Deploy a packaged contract from A (``ctor``: its encoded arguments); its address."""
    tx_hash = send(client, to="create", value=0, gas=3_000_000, data=load(name).bytecode + ctor)
    receipt = client.eth_getTransactionReceipt(tx_hash)
    assert receipt["status"] == "0x1"
    return str(receipt["contractAddress"])


def emit(client: ClientAPI, probe: str, payload: bytes, topic: str = TOPIC) -> str:
    """Probe.emitLog(topic, payload): a transaction whose one log carries ``payload``."""
    data = calldata("emitLog(bytes32,bytes)", bytes.fromhex(topic[2:]), payload)
    return send(client, to=probe, value=0, gas=100_000, data=data)


def logged_bytes(log: dict[str, Any]) -> bytes:
    """The ``bytes data`` argument of a Probe ``Logged`` event."""
    assert log["topics"][0] == LOGGED
    return bytes(decode(["bytes"], bytes.fromhex(log["data"][2:]))[0])
