"""Blobs of an external L1: from a beacon API, or from the node itself (anvil).

Every blob is checked against the versioned hash it was asked for (its KZG commitment is
recomputed), so a wrong answer is a :class:`~crossroll.errors.DataError`, never a wrong
batch.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from ..abc import ClientAPI
from ..errors import CrossrollError, DataError, L1Unavailable, MethodNotFound
from ..types import Hash32, L1BlockInfo
from .jsonrpc import TRANSPORT_ERRORS, data, describe, hexstr


class BlobSource(Protocol):
    def blobs(self, block: L1BlockInfo, hashes: Sequence[Hash32]) -> list[bytes]:
        """The blobs with ``hashes`` of ``block``, in that order; DataError if one is missing."""
        ...


def _pick(block: L1BlockInfo, hashes: Sequence[Hash32], found: Iterable[bytes]) -> list[bytes]:
    """``found`` blobs matched to ``hashes`` by recomputed versioned hash, in ``hashes`` order."""
    from ..da.kzg import commitment, versioned_hash

    wanted = set(hashes)
    held: dict[bytes, bytes] = {}
    for blob in found:
        try:
            vh = versioned_hash(commitment(blob))
        except DataError:
            continue  # not a blob at all: it cannot be one of ours
        if vh in wanted:
            held[vh] = blob
            if len(held) == len(wanted):
                break
    missing = [h for h in hashes if h not in held]
    if missing:
        raise DataError(f"blob {hexstr(missing[0])} of L1 block {block.number} is not available")
    return [held[h] for h in hashes]


def _message(body: Any) -> str | None:
    return str(body["message"]) if isinstance(body, dict) and body.get("message") else None


class NodeBlobs:
    """Blobs from the L1 node's own JSON-RPC: anvil's ``anvil_getBlobByHash``."""

    def __init__(self, client: ClientAPI) -> None:
        self.client = client

    def blobs(self, block: L1BlockInfo, hashes: Sequence[Hash32]) -> list[bytes]:
        results = self.client.batch([("anvil_getBlobByHash", [hexstr(h)]) for h in hashes])
        found = []
        for result in results:
            if isinstance(result, MethodNotFound):
                raise DataError(
                    "the L1 node serves no blobs (no anvil_getBlobByHash); "
                    "give a beacon API with --l1-beacon URL"
                )
            if isinstance(result, CrossrollError):
                raise DataError(f"the L1 node did not give a blob: {result.message}")
            if result:
                found.append(data(result))
        return _pick(block, hashes, found)


class BeaconBlobs:
    """Blobs from a beacon node's REST API.

    A block is named by its slot, computed from its timestamp as op-node does, when the
    node serves ``/eth/v1/beacon/genesis`` and ``/eth/v1/config/spec`` (any real beacon
    node); otherwise by the execution block hash, which the dev beacon routes of anvil and
    crossroll take as the block root.  ``blob_sidecars`` first, then the newer ``blobs``."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._slots: tuple[int, int] | None = None  # (genesis time, seconds per slot)
        self._probed = False

    def blobs(self, block: L1BlockInfo, hashes: Sequence[Hash32]) -> list[bytes]:
        block_id = self._block_id(block)
        status, body = self._get(f"/eth/v1/beacon/blob_sidecars/{block_id}")
        if status == 200:
            return _pick(block, hashes, [data(s["blob"]) for s in body.get("data", [])])
        # Unfiltered: servers differ on repeated versioned_hashes parameters (anvil keeps
        # the last), and every blob is checked against its hash anyway.
        status2, body2 = self._get(f"/eth/v1/beacon/blobs/{block_id}")
        if status2 == 200:
            return _pick(block, hashes, [data(b) for b in body2.get("data", [])])
        if status == 410 or not _message(body):  # 410: anvil's deprecated blob_sidecars
            status, body = status2, body2
        message = _message(body)
        raise DataError(
            f"beacon API {self.url} has no blobs of L1 block {block.number} "
            f"(HTTP {status}{': ' + message if message else ''})"
        )

    def _block_id(self, block: L1BlockInfo) -> str:
        if not self._probed:
            self._slots = self._probe()
            self._probed = True
        if self._slots is None:
            return hexstr(block.hash)
        genesis, seconds = self._slots
        return str((block.timestamp - genesis) // seconds)

    def _probe(self) -> tuple[int, int] | None:
        status, genesis = self._get("/eth/v1/beacon/genesis")
        status2, spec = self._get("/eth/v1/config/spec")
        if status != 200 or status2 != 200:
            return None
        try:
            return int(genesis["data"]["genesis_time"]), int(spec["data"]["SECONDS_PER_SLOT"])
        except (KeyError, TypeError, ValueError):
            return None

    def _get(self, path: str) -> tuple[int, Any]:
        request = urllib.request.Request(self.url + path, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                return exc.code, json.loads(exc.read())
            except ValueError:
                return exc.code, {}
        except (urllib.error.URLError, *TRANSPORT_ERRORS) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            text = describe(reason) if isinstance(reason, BaseException) else str(reason)
            raise L1Unavailable(f"beacon API {self.url} did not answer: {text}") from None
        except ValueError:
            raise L1Unavailable(f"beacon API {self.url} answered something not JSON") from None
