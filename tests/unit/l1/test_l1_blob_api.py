"""Blob sidecars over the admin server of a real Network: ``crossroll_getBlobSidecars``
and the beacon API's ``GET /eth/v1/beacon/blob_sidecars/{block_id}``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from crossroll.da.blob import encode_blob
from crossroll.da.kzg import BlobSidecar
from crossroll.network import Network

FREE = {"l1__port": 0, "rollups__port": 0, "admin_port": 0}
A = BlobSidecar.of(encode_blob(b"blob api A " * 400))
B = BlobSidecar.of(encode_blob(b"blob api B " * 400))
RETENTION = 4096 * 32 * 12
WINDOW = 600


@pytest.fixture(scope="module")
def net() -> Iterator[Network]:
    # calldata DA: the only blobs on this L1 are the test's own
    with Network.start(virtual_time=True, rollups=1, rollups__da="calldata", **FREE) as network:
        network.advance(12 * 3)  # L1 blocks 1..3
        with network.lock:
            assert network.blobs.retention_seconds == RETENTION
            # 18.2 days of interval mining is ~900k blocks: shorten the window to 10 minutes.
            network.blobs.retention_seconds = WINDOW
            block = network.l1.chain.block(2)
            network.blobs.add(2, block.header.timestamp, [A, B])
        yield network


def rpc(net: Network, method: str, *params: Any) -> dict[str, Any]:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    reply: dict[str, Any] = requests.post(net.admin_url, json=body, timeout=10).json()
    return reply


def beacon(net: Network, block_id: str, **query: str) -> requests.Response:
    url = f"{net.admin_url}/eth/v1/beacon/blob_sidecars/{block_id}"
    return requests.get(url, params=query, timeout=10)


def hexed(b: bytes) -> str:
    return "0x" + b.hex()


def test_network_owns_an_l1_blob_store(net: Network) -> None:
    assert net.blobs.block_numbers() == [2]


def test_get_blob_sidecars_over_json_rpc(net: Network) -> None:
    result = rpc(net, "crossroll_getBlobSidecars", "0x2")["result"]
    assert result == [
        {
            "index": hex(i),
            "blob": hexed(s.blob),
            "kzgCommitment": hexed(s.commitment),
            "kzgProof": hexed(s.proof),
            "versionedHash": hexed(s.versioned_hash),
        }
        for i, s in enumerate([A, B])
    ]
    assert rpc(net, "crossroll_getBlobSidecars", 2)["result"] == result
    # a block of the chain without blobs has none; one the chain lacks is an error
    assert rpc(net, "crossroll_getBlobSidecars", "0x1")["result"] == []
    assert rpc(net, "crossroll_getBlobSidecars", "latest")["result"] == []
    error = rpc(net, "crossroll_getBlobSidecars", "0x99")["error"]
    assert error["code"] == -32000
    assert "unknown block 153" in error["message"]
    assert error["data"] == {"blockNumber": 153, "status": "unknown"}
    assert rpc(net, "crossroll_getBlobSidecars")["error"]["code"] == -32602


def test_beacon_blob_sidecars(net: Network) -> None:
    reply = beacon(net, "2")
    assert reply.status_code == 200
    body = reply.json()
    assert body["finalized"] is False and body["execution_optimistic"] is False
    assert body["data"] == [
        {
            "index": str(i),
            "blob": hexed(s.blob),
            "kzg_commitment": hexed(s.commitment),
            "kzg_proof": hexed(s.proof),
        }
        for i, s in enumerate([A, B])
    ]
    assert [d["index"] for d in beacon(net, "2", indices="1").json()["data"]] == ["1"]
    with net.lock:
        root = hexed(net.l1.chain.block(2).hash)
    assert beacon(net, root).json()["data"] == body["data"]
    assert beacon(net, "head").json()["data"] == []
    assert beacon(net, "genesis").json()["finalized"] is True
    missing = beacon(net, "999")
    assert missing.status_code == 404
    assert missing.json()["code"] == 404 and "unknown block 999" in missing.json()["message"]
    assert beacon(net, "nope").status_code == 400
    assert beacon(net, "2", indices="x").status_code == 400


def test_pruned_after_the_retention_window(net: Network) -> None:
    # Runs last in this module: moves the module's network past the window.
    net.advance(WINDOW + net.blobs.prune_interval)
    assert net.blobs.block_numbers() == []  # the periodic prune ran
    error = rpc(net, "crossroll_getBlobSidecars", "0x2")["error"]
    assert "were pruned" in error["message"]
    assert error["data"] == {"blockNumber": 2, "status": "pruned"}
    # blockless old blocks are outside the window too; unknown ones stay unknown
    assert rpc(net, "crossroll_getBlobSidecars", "0x1")["error"]["data"]["status"] == "pruned"
    far = rpc(net, "crossroll_getBlobSidecars", hex(10**7))["error"]
    assert far["data"]["status"] == "unknown"
    reply = beacon(net, "2")
    assert reply.status_code == 404 and "were pruned" in reply.json()["message"]
    assert beacon(net, "head").json()["data"] == []  # a recent block is in the window
