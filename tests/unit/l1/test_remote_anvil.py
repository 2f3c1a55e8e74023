"""RemoteL1View against the npm anvil: inbox transactions (block receipts), blobs from the
node (anvil_getBlobByHash) and from its beacon route, and polling of mined blocks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator

import pytest

from crossroll.chain.blobtx import sign_blob_transaction
from crossroll.clock import VirtualClock
from crossroll.da.blob import encode_blob
from crossroll.da.kzg import BlobSidecar
from crossroll.errors import DataError
from crossroll.l1.beacon import BeaconBlobs
from crossroll.l1.remote import L1Client, RemoteL1View
from crossroll.rpc.client import HttpClient
from crossroll.testing.tools import DEV_PRIVATE_KEY_0
from crossroll.types import L1BlockInfo

pytestmark = [pytest.mark.anvil, pytest.mark.slow]

Anvil = Callable[..., contextlib.AbstractContextManager[str]]
INBOX = bytes.fromhex("ff" + "00" * 17 + "0385")
KEY = bytes.fromhex(DEV_PRIVATE_KEY_0[2:])
ME = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
A = BlobSidecar.of(encode_blob(b"anvil blob A " * 300))
B = BlobSidecar.of(encode_blob(b"anvil blob B " * 300))


@pytest.fixture(scope="module")
def anvil() -> Iterator[str]:
    from crossroll.testing.tools import require_tool, start_anvil

    require_tool("anvil")
    with start_anvil(None) as (url, _proc):
        yield url


def view_of(url: str, **kwargs: object) -> RemoteL1View:
    return RemoteL1View(L1Client(HttpClient(url, timeout=10), url), VirtualClock(), **kwargs)  # type: ignore[arg-type]


def test_inbox_and_blobs_on_anvil(anvil: str) -> None:
    client = HttpClient(anvil)
    client.evm_setAutomine(False)
    base_fee = int(client.eth_getBlockByNumber("latest", False)["baseFeePerGas"], 16)
    nonce = int(client.eth_getTransactionCount(ME, "latest"), 16)
    raw = sign_blob_transaction(
        KEY,
        chain_id=31337,
        nonce=nonce,
        to=INBOX,
        sidecars=[A, B],
        max_fee_per_gas=10 * base_fee,
        max_priority_fee_per_gas=1,
        max_fee_per_blob_gas=10**9,
        data=b"frames",
        gas=100_000,
    )
    blob_tx = client.eth_sendRawTransaction("0x" + raw.hex())
    call = client.eth_sendTransaction({"from": ME, "to": "0x" + INBOX.hex(), "data": "0x00aa"})
    client.evm_mine()
    client.evm_setAutomine(True)
    number = int(client.eth_blockNumber(), 16)

    view = view_of(anvil)
    txs = view.inbox_transactions(number, INBOX)
    assert [tx.hash.hex() for tx in txs] == [blob_tx[2:], call[2:]]
    assert [tx.index for tx in txs] == [0, 1]
    assert txs[0].blob_hashes == (A.versioned_hash, B.versioned_hash)
    assert (txs[0].data, txs[1].data, txs[1].blob_hashes) == (b"frames", b"\x00\xaa", ())
    assert view.inbox_transactions(number, INBOX, [b"\x33" * 20]) == []

    wanted = [B.versioned_hash, A.versioned_hash]  # in the order asked
    assert view.blobs(number, wanted) == [B.blob, A.blob]
    beacon = view_of(anvil, blobs=BeaconBlobs(anvil))  # anvil's own /eth/v1/beacon/blobs
    assert beacon.blobs(number, wanted) == [B.blob, A.blob]
    with pytest.raises(DataError, match="not available"):
        view.blobs(number, [b"\x01" + b"\x02" * 31])


def test_polling_anvil_reports_mined_blocks(anvil: str) -> None:
    view = view_of(anvil)
    asyncio.run(view.start())
    seen: list[L1BlockInfo] = []
    view.on_block(seen.append)
    start = view.head_number()
    client = HttpClient(anvil)
    client.anvil_mine(hex(5))
    view.scheduler.advance(1)
    assert [i.number for i in seen] == list(range(start + 1, start + 6))
    hashes = [client.eth_getBlockByNumber(hex(i.number), False)["hash"] for i in seen]
    assert ["0x" + i.hash.hex() for i in seen] == hashes
    assert seen[0].parent_hash == view.info(start).hash
    assert 0 <= view.finalized_number() <= view.safe_number() <= view.head_number() == start + 5
