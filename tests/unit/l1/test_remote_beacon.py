"""BeaconBlobs against a stand-in beacon node: blocks named by slot (from the block's
timestamp, genesis time and SECONDS_PER_SLOT) when the node serves them, wrong blobs
rejected, failures as one-line errors."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from crossroll.da.blob import encode_blob
from crossroll.da.kzg import BlobSidecar
from crossroll.errors import DataError, L1Unavailable
from crossroll.l1.beacon import BeaconBlobs
from crossroll.testing.tools import free_port
from crossroll.types import L1BlockInfo

GENESIS = 1_606_824_023
A = BlobSidecar.of(encode_blob(b"beacon A " * 200))
B = BlobSidecar.of(encode_blob(b"beacon B " * 200))
C = BlobSidecar.of(encode_blob(b"beacon C " * 200))


def block(number: int, timestamp: int) -> L1BlockInfo:
    return L1BlockInfo(number, b"\x0b" * 32, b"\x0a" * 32, timestamp, 7, 1)


class Beacon(ThreadingHTTPServer):
    routes: dict[str, tuple[int, Any]]
    asked: list[str]


class Handler(BaseHTTPRequestHandler):
    server: Beacon

    def do_GET(self) -> None:
        self.server.asked.append(self.path)
        status, body = self.server.routes.get(self.path, (404, {"code": 404, "message": "nope"}))
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def beacon() -> Iterator[Beacon]:
    server = Beacon(("127.0.0.1", 0), Handler)
    server.routes, server.asked = {}, []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def url(server: Beacon) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def sidecars(*items: BlobSidecar) -> dict[str, Any]:
    return {"data": [{"index": str(i), "blob": "0x" + s.blob.hex()} for i, s in enumerate(items)]}


def test_blocks_are_named_by_slot_on_a_real_beacon_api(beacon: Beacon) -> None:
    beacon.routes["/eth/v1/beacon/genesis"] = (200, {"data": {"genesis_time": str(GENESIS)}})
    beacon.routes["/eth/v1/config/spec"] = (200, {"data": {"SECONDS_PER_SLOT": "12"}})
    beacon.routes["/eth/v1/beacon/blob_sidecars/1000"] = (200, sidecars(A, B, C))
    source = BeaconBlobs(url(beacon))
    got = source.blobs(block(5, GENESIS + 12 * 1000 + 5), [C.versioned_hash, A.versioned_hash])
    assert got == [C.blob, A.blob]
    source.blobs(block(5, GENESIS + 12 * 1000), [B.versioned_hash])
    assert beacon.asked.count("/eth/v1/beacon/genesis") == 1  # probed once


def test_dev_nodes_are_asked_by_block_hash_and_the_newer_route(beacon: Beacon) -> None:
    by_hash = "0x" + "0b" * 32
    beacon.routes[f"/eth/v1/beacon/blob_sidecars/{by_hash}"] = (410, {"message": "deprecated"})
    beacon.routes[f"/eth/v1/beacon/blobs/{by_hash}"] = (200, {"data": ["0x" + B.blob.hex()]})
    assert BeaconBlobs(url(beacon)).blobs(block(3, 99), [B.versioned_hash]) == [B.blob]


def test_a_blob_that_does_not_match_its_hash_is_refused(beacon: Beacon) -> None:
    by_hash = "0x" + "0b" * 32
    # the server answers B's blob under A's commitment: the blob itself is what counts
    lying = {"data": [{"blob": "0x" + B.blob.hex(), "kzg_commitment": "0x" + A.commitment.hex()}]}
    beacon.routes[f"/eth/v1/beacon/blob_sidecars/{by_hash}"] = (200, lying)
    with pytest.raises(DataError, match="not available"):
        BeaconBlobs(url(beacon)).blobs(block(3, 99), [A.versioned_hash])


def test_failures_are_one_line(beacon: Beacon) -> None:
    with pytest.raises(DataError, match=r"no blobs of L1 block 3 \(HTTP 404: nope\)"):
        BeaconBlobs(url(beacon)).blobs(block(3, 99), [A.versioned_hash])
    dead = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(L1Unavailable, match=f"beacon API {dead} did not answer: "):
        BeaconBlobs(dead).blobs(block(3, 99), [A.versioned_hash])
