"""Talking to the L1 through JSON-RPC only (a :class:`ClientAPI`), so the same code drives
the in-process L1 and an external node (anvil): read calls, locally signed transactions
sent with ``eth_sendRawTransaction``, and receipts.

Quantities and data arrive as JSON hex strings; they are turned into ints and bytes here.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coincurve import PrivateKey
from eth_hash.auto import keccak
from rlp import encode as rlp_encode

from ..abc import ClientAPI
from ..errors import L1TransactionFailed, TransactionRejected
from ..types import AccessListEntry, Address, DevAccount, Hash32

#: Head room over eth_estimateGas (constructors and SSTOREs near the 63/64 rule).
GAS_MARGIN = 1.25


def hexstr(data: bytes) -> str:
    return "0x" + data.hex()


def unhex(value: str | None) -> bytes:
    return bytes.fromhex(value[2:]) if value else b""


def quantity(value: str | int) -> int:
    return value if isinstance(value, int) else int(value, 16)


@dataclass(frozen=True, slots=True)
class L1Receipt:
    """The parts of an L1 receipt the rollup services need."""

    transaction_hash: Hash32
    block_number: int
    block_hash: Hash32
    status: int
    contract_address: Address | None
    gas_used: int
    blob_gas_used: int = 0

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> L1Receipt:
        contract = obj.get("contractAddress")
        return cls(
            transaction_hash=unhex(obj["transactionHash"]),
            block_number=quantity(obj["blockNumber"]),
            block_hash=unhex(obj["blockHash"]),
            status=quantity(obj["status"]),
            contract_address=unhex(contract) if contract else None,
            gas_used=quantity(obj["gasUsed"]),
            blob_gas_used=quantity(obj.get("blobGasUsed") or 0),
        )


def call(client: ClientAPI, to: Address, data: bytes, block: str | int = "latest") -> bytes:
    """eth_call; a revert raises ExecutionReverted (from the client)."""
    tag = block if isinstance(block, str) else hex(block)
    return unhex(client.request("eth_call", [{"to": hexstr(to), "data": hexstr(data)}, tag]))


def nonce(client: ClientAPI, address: Address, block: str = "latest") -> int:
    return quantity(client.request("eth_getTransactionCount", [hexstr(address), block]))


def estimate(
    client: ClientAPI, sender: Address, to: Address | None, data: bytes = b"", *, value: int = 0
) -> int:
    """eth_estimateGas against ``pending``, with :data:`GAS_MARGIN` head room."""
    request: dict[str, Any] = {"from": hexstr(sender), "data": hexstr(data), "value": hex(value)}
    if to is not None:
        request["to"] = hexstr(to)
    return int(quantity(client.request("eth_estimateGas", [request, "pending"])) * GAS_MARGIN)


def sign_1559(
    private_key: bytes,
    *,
    chain_id: int,
    nonce: int,
    tip: int,
    max_fee: int,
    gas: int,
    to: Address | None,
    value: int,
    data: bytes,
    access_list: Sequence[AccessListEntry] = (),
) -> bytes:
    """A signed EIP-1559 transaction (``0x02 ‖ rlp([...])``), as eth_account signs it, but
    with coincurve alone: importing eth_account costs more than a devnet's whole deploy."""
    entries: list[Any] = [[e.address, list(e.storage_keys)] for e in access_list]
    fields: list[Any] = [chain_id, nonce, tip, max_fee, gas, to or b"", value, data, entries]
    digest = keccak(b"\x02" + rlp_encode(fields))
    signature = PrivateKey(private_key).sign_recoverable(digest, hasher=None)
    r, s, y_parity = signature[:32], signature[32:64], signature[64]
    signed = [*fields, y_parity, int.from_bytes(r, "big"), int.from_bytes(s, "big")]
    return b"\x02" + rlp_encode(signed)


def send(
    client: ClientAPI,
    account: DevAccount,
    to: Address | None,
    data: bytes = b"",
    *,
    value: int = 0,
    nonce_: int | None = None,
    gas: int | None = None,
    chain_id: int | None = None,
) -> Hash32:
    """Sign an EIP-1559 transaction with ``account``'s key and send it raw. Gas is estimated
    (with :data:`GAS_MARGIN`) and the nonce read from ``latest`` unless given."""
    sender = account.address
    if gas is None:
        gas = estimate(client, sender, to, data, value=value)
    head = client.request("eth_getBlockByNumber", ["latest", False])
    tip = quantity(client.request("eth_maxPriorityFeePerGas"))
    raw = sign_1559(
        account.private_key,
        chain_id=quantity(client.request("eth_chainId")) if chain_id is None else chain_id,
        nonce=nonce(client, sender) if nonce_ is None else nonce_,
        tip=tip,
        max_fee=2 * quantity(head.get("baseFeePerGas") or 0) + tip,
        gas=gas,
        to=to,
        value=value,
        data=data,
    )
    try:
        return unhex(client.request("eth_sendRawTransaction", [hexstr(raw)]))
    except TransactionRejected as exc:
        if "already" not in exc.message.lower():  # geth "already known", ours "already imported"
            raise
        return keccak(raw)  # these very bytes are in the pool (a restart re-sent them)


def receipt(client: ClientAPI, tx_hash: Hash32) -> L1Receipt | None:
    obj = client.request("eth_getTransactionReceipt", [hexstr(tx_hash)])
    return None if obj is None else L1Receipt.from_json(obj)


def wait(
    client: ClientAPI,
    tx_hashes: Sequence[Hash32],
    *,
    mine: bool = True,
    timeout: float = 60.0,
    poll: float = 0.25,
    max_blocks: int = 64,
) -> list[L1Receipt]:
    """Receipts of ``tx_hashes`` in order, each with status 1.

    ``mine``: ask the L1 for up to ``max_blocks`` blocks (``evm_mine``) until every
    transaction is in one: a development L1, whose time may be virtual.  Otherwise poll
    until ``timeout`` seconds of wall time pass.  Raises :class:`L1TransactionFailed` for a
    reverted or unmined transaction."""
    deadline = time.monotonic() + timeout
    found: dict[Hash32, L1Receipt] = {}
    mined = 0
    while True:
        for tx_hash in tx_hashes:
            if tx_hash not in found and (r := receipt(client, tx_hash)) is not None:
                found[tx_hash] = r
        if len(found) == len(tx_hashes) or mined >= max_blocks or time.monotonic() > deadline:
            break
        if mine:
            client.request("evm_mine")
            mined += 1
        else:
            time.sleep(poll)
    for tx_hash in tx_hashes:
        r = found.get(tx_hash)
        if r is None or r.status != 1:
            state = "was not mined" if r is None else "reverted"
            raise L1TransactionFailed(
                f"L1 transaction {hexstr(tx_hash)} {state}", data=hexstr(tx_hash)
            )
    return [found[h] for h in tx_hashes]
