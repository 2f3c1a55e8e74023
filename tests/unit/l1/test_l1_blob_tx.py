"""Blob transactions over JSON-RPC on a real Network's L1: the sidecars of a mined
blob transaction land in ``Network.blobs`` and ``crossroll_getBlobSidecars``; the
transaction, receipt and block JSON carry the blob fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from crossroll.chain.blobtx import sign_blob_transaction
from crossroll.da.blob import encode_blob
from crossroll.da.kzg import BlobSidecar
from crossroll.network import Network

FREE = {"l1__port": 0, "rollups__port": 0, "admin_port": 0}
GWEI = 10**9
TO = bytes.fromhex("000000000000000000000000000000000000beef")
SIDECARS = [BlobSidecar.of(encode_blob(b"l1 blob tx %d " % i * 300)) for i in range(2)]


def rpc(url: str, method: str, *params: Any) -> dict[str, Any]:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    reply: dict[str, Any] = requests.post(url, json=body, timeout=10).json()
    return reply


def hexed(b: bytes) -> str:
    return "0x" + b.hex()


@pytest.fixture(scope="module")
def mined() -> Iterator[tuple[Network, str, int]]:
    with Network.start(virtual_time=True, rollups=1, **FREE) as net:
        account = net.accounts[0]
        raw = sign_blob_transaction(
            account.private_key,
            chain_id=net.l1.chain_id,
            nonce=0,
            to=TO,
            sidecars=SIDECARS,
            max_fee_per_gas=30 * GWEI,
            max_priority_fee_per_gas=GWEI,
            max_fee_per_blob_gas=7,
            value=5,
        )
        reply = rpc(net.l1.url, "eth_sendRawTransaction", hexed(raw))
        tx_hash = reply["result"]
        pending = rpc(net.l1.url, "eth_getTransactionByHash", tx_hash)["result"]
        assert pending["blockNumber"] is None and pending["type"] == "0x3"
        net.advance(12)
        number = int(
            rpc(net.l1.url, "eth_getTransactionReceipt", tx_hash)["result"]["blockNumber"], 16
        )
        yield net, tx_hash, number


def test_sidecars_reach_the_blob_store(mined: tuple[Network, str, int]) -> None:
    net, _, number = mined
    with net.lock:
        assert net.blobs.sidecars(number) == tuple(SIDECARS)
        assert net.blobs.by_versioned_hash(SIDECARS[1].versioned_hash) == SIDECARS[1]


def test_get_blob_sidecars_answers_them(mined: tuple[Network, str, int]) -> None:
    net, _, number = mined
    result = rpc(net.admin_url, "crossroll_getBlobSidecars", hex(number))["result"]
    assert result == [
        {
            "index": hex(i),
            "blob": hexed(s.blob),
            "kzgCommitment": hexed(s.commitment),
            "kzgProof": hexed(s.proof),
            "versionedHash": hexed(s.versioned_hash),
        }
        for i, s in enumerate(SIDECARS)
    ]


def test_transaction_receipt_and_block_json(mined: tuple[Network, str, int]) -> None:
    net, tx_hash, number = mined
    url = net.l1.url
    tx = rpc(url, "eth_getTransactionByHash", tx_hash)["result"]
    assert tx["type"] == "0x3"
    assert tx["maxFeePerBlobGas"] == "0x7"
    assert tx["blobVersionedHashes"] == [hexed(s.versioned_hash) for s in SIDECARS]
    assert tx["accessList"] == [] and tx["yParity"] in ("0x0", "0x1")
    assert tx["maxFeePerGas"] == hex(30 * GWEI) and tx["value"] == "0x5"
    assert int(tx["gasPrice"], 16) > 0 and "blobs" not in tx
    receipt = rpc(url, "eth_getTransactionReceipt", tx_hash)["result"]
    assert receipt["status"] == "0x1" and receipt["type"] == "0x3"
    assert receipt["blobGasUsed"] == hex(2 * 131_072)
    assert receipt["blobGasPrice"] == "0x1"
    block = rpc(url, "eth_getBlockByNumber", hex(number), False)["result"]
    assert block["blobGasUsed"] == hex(2 * 131_072) and block["excessBlobGas"] == "0x0"
    (from_block,) = rpc(url, "eth_getBlockReceipts", hex(number))["result"]
    assert from_block == receipt
    assert rpc(url, "eth_blobBaseFee")["result"] == "0x1"


def test_rollups_refuse_blob_transactions(mined: tuple[Network, str, int]) -> None:
    net, _, _ = mined
    rollup = net.rollups[0]
    raw = sign_blob_transaction(
        net.accounts[1].private_key,
        chain_id=rollup.chain_id,
        nonce=0,
        to=TO,
        sidecars=SIDECARS[:1],
        max_fee_per_gas=30 * GWEI,
        max_priority_fee_per_gas=GWEI,
        max_fee_per_blob_gas=7,
    )
    error = rpc(rollup.url, "eth_sendRawTransaction", hexed(raw))["error"]
    assert error == {"code": -32602, "message": "transaction type not supported"}


def test_blob_kzg_mismatch_is_rejected_over_rpc(mined: tuple[Network, str, int]) -> None:
    """A blob transaction whose commitment does not match its blob is rejected by the L1."""
    net, _, _ = mined
    other = BlobSidecar.of(encode_blob(b"not the committed blob " * 100))
    forged = BlobSidecar(
        other.blob, SIDECARS[0].commitment, SIDECARS[0].proof, SIDECARS[0].versioned_hash
    )
    raw = sign_blob_transaction(
        net.accounts[2].private_key,
        chain_id=net.l1.chain_id,
        nonce=0,
        to=TO,
        sidecars=[forged],
        max_fee_per_gas=30 * GWEI,
        max_priority_fee_per_gas=GWEI,
        max_fee_per_blob_gas=7,
    )
    head = rpc(net.l1.url, "eth_blockNumber")["result"]
    error = rpc(net.l1.url, "eth_sendRawTransaction", hexed(raw))["error"]
    assert error == {"code": -32003, "message": "invalid blob 0: can't verify opening proof"}
    net.advance(12)
    assert (
        rpc(net.l1.url, "eth_getTransactionCount", hexed(net.accounts[2].address), "latest")[
            "result"
        ]
        == "0x0"
    )
    assert int(rpc(net.l1.url, "eth_blockNumber")["result"], 16) == int(head, 16) + 1
