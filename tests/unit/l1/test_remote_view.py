"""RemoteL1View against a real crossroll L1 over HTTP: the same answers as LocalL1View on the
same chain (block info, logs, inbox transactions, safe/finalized, blobs through the beacon
route), and polling that reports every new block once and in order, across reorgs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from crossroll.chain.blobtx import sign_blob_transaction
from crossroll.clock import VirtualClock
from crossroll.da.blob import encode_blob
from crossroll.da.kzg import BlobSidecar
from crossroll.errors import DataError, L1Unavailable, UnknownBlock
from crossroll.l1 import remote
from crossroll.l1.beacon import BeaconBlobs
from crossroll.l1.remote import L1Client, RemoteL1View
from crossroll.l1.view import LocalL1View
from crossroll.network import Network
from crossroll.rpc.client import HttpClient
from crossroll.testing.tools import free_port
from crossroll.types import L1BlockInfo, LogFilter
from tests.support.evm import INITCODE

FREE = {"l1__port": 0, "rollups__port": 0, "admin_port": 0}
INBOX = bytes.fromhex("ff" + "00" * 17 + "0385")
# Inbox code: revert when the calldata is exactly one byte, succeed otherwise.
REVERT_ON_ONE_BYTE = "0x3660011460085700" + "5b600080fd"
SIDECAR = BlobSidecar.of(encode_blob(b"remote view blob " * 300))
LOG_TOPIC = (1).to_bytes(32, "big")
CONTENT: dict[str, int] = {}  # what the module's network holds where


def hexed(value: bytes) -> str:
    return "0x" + value.hex()


def client_of(url: str) -> L1Client:
    return L1Client(HttpClient(url, timeout=10), url)


def view_of(net: Network, **kwargs: Any) -> RemoteL1View:
    # Its own clock: polling must not run under the network's lock, whose loop thread
    # answers the view's HTTP requests.
    return RemoteL1View(client_of(net.l1.url), VirtualClock(), **kwargs)


@pytest.fixture(scope="module")
def net() -> Iterator[Network]:
    """L1 content: a log-emitting contract; in one block, inbox transactions from two
    senders (one reverted), a blob transaction to the inbox and a log; then ~70 empty
    blocks so safe and finalized are past genesis."""
    with Network.start(virtual_time=True, rollups=1, block_time={901: 0}, **FREE) as network:
        client = network.l1.client()
        accounts = network.accounts
        a0, a1 = (hexed(a.address) for a in accounts[:2])
        client.anvil_setCode(hexed(INBOX), REVERT_ON_ONE_BYTE)
        deploy = client.eth_sendTransaction({"from": a0, "data": INITCODE, "gas": hex(200_000)})
        network.advance(12)
        emitter = client.eth_getTransactionReceipt(deploy)["contractAddress"]
        to_inbox = {"to": hexed(INBOX), "gas": hex(100_000)}
        client.eth_sendTransaction({**to_inbox, "from": a0, "data": "0x0102"})
        client.eth_sendTransaction({**to_inbox, "from": a0, "data": "0x01"})  # reverts
        client.eth_sendTransaction({**to_inbox, "from": a1, "data": "0xabcdef"})
        client.eth_sendTransaction({"from": a1, "to": emitter, "gas": hex(100_000)})
        head = network.l1.chain.head().header
        raw = sign_blob_transaction(
            accounts[2].private_key,
            chain_id=network.l1.chain_id,
            nonce=0,
            to=INBOX,
            sidecars=[SIDECAR],
            max_fee_per_gas=10 * (head.base_fee_per_gas or 1),
            max_priority_fee_per_gas=1,
            max_fee_per_blob_gas=10**9,
            gas=100_000,
            data=b"\x07",  # one byte: this one reverts too
        )
        raw_ok = sign_blob_transaction(
            accounts[2].private_key,
            chain_id=network.l1.chain_id,
            nonce=1,
            to=INBOX,
            sidecars=[SIDECAR],
            max_fee_per_gas=10 * (head.base_fee_per_gas or 1),
            max_priority_fee_per_gas=1,
            max_fee_per_blob_gas=10**9,
            gas=100_000,
        )
        client.eth_sendRawTransaction(hexed(raw))
        client.eth_sendRawTransaction(hexed(raw_ok))
        network.advance(12)
        CONTENT["inbox_block"] = int(client.eth_blockNumber(), 16)
        network.advance(12 * 70)
        yield network


def test_info_logs_and_heads_equal_the_local_view(net: Network) -> None:
    view = view_of(net)
    local = LocalL1View(net.l1.chain)
    head = view.head_number()
    infos = [view.info(n) for n in range(head + 1)]
    filters = [
        LogFilter(0, head),
        LogFilter(0, head, topics=((LOG_TOPIC,),)),
        LogFilter(CONTENT["inbox_block"], CONTENT["inbox_block"]),
        LogFilter(0, head, addresses=(b"\x11" * 20,)),
        LogFilter(0, 0, block_hash=infos[CONTENT["inbox_block"]].hash),
    ]
    logs = [view.logs(f) for f in filters]
    safe, finalized = view.safe_number(), view.finalized_number()
    with net.lock:  # the local view reads the chain directly
        assert head == local.head_number()
        assert infos == [local.info(n) for n in range(head + 1)]
        assert logs == [local.logs(f) for f in filters]
        assert (safe, finalized) == (local.safe_number(), local.finalized_number())
    assert 0 < finalized < safe < head
    assert len(logs[0]) >= 2 and len(logs[1]) == 1 and logs[3] == []
    assert logs[4] == logs[2] != []
    assert infos[-1].blob_base_fee >= 1 and infos[-1].base_fee > 0
    with pytest.raises(UnknownBlock):
        view.info(head + 1000)


def test_inbox_transactions_equal_the_local_view(net: Network) -> None:
    view = view_of(net)
    local = LocalL1View(net.l1.chain)
    number = CONTENT["inbox_block"]
    a0, a1, a2 = (a.address for a in net.accounts[:3])
    every = view.inbox_transactions(number, INBOX)
    only = view.inbox_transactions(number, INBOX, [a1, a2])
    none = view.inbox_transactions(number, b"\x22" * 20)
    with net.lock:
        assert every == local.inbox_transactions(number, INBOX)
        assert only == local.inbox_transactions(number, INBOX, [a1, a2])
    # the reverted ones (one-byte calldata) are left out; the blob one carries its hash
    assert [(tx.sender, tx.data) for tx in every] == [
        (a0, b"\x01\x02"),
        (a1, b"\xab\xcd\xef"),
        (a2, b""),
    ]
    assert every[2].blob_hashes == (SIDECAR.versioned_hash,)
    assert [tx.sender for tx in only] == [a1, a2]
    assert none == []


def test_blobs_through_the_beacon_route_equal_the_local_view(net: Network) -> None:
    number = CONTENT["inbox_block"]
    view = view_of(net, blobs=BeaconBlobs(net.admin_url))
    got = view.blobs(number, [SIDECAR.versioned_hash])
    with net.lock:
        assert got == LocalL1View(net.l1.chain, net.blobs).blobs(number, [SIDECAR.versioned_hash])
    assert got == [SIDECAR.blob]
    with pytest.raises(DataError, match="not available"):
        view.blobs(number, [b"\x01" * 32])


def test_a_node_without_blobs_is_a_clear_data_error(net: Network) -> None:
    view = view_of(net)  # blobs from the node: crossroll has no anvil_getBlobByHash
    with pytest.raises(DataError, match="--l1-beacon"):
        view.blobs(CONTENT["inbox_block"], [SIDECAR.versioned_hash])


def started(view: RemoteL1View) -> list[L1BlockInfo]:
    asyncio.run(view.start())
    seen: list[L1BlockInfo] = []
    view.on_block(seen.append)
    return seen


def chain_hashes(net: Network, numbers: range) -> list[bytes]:
    with net.lock:
        return [net.l1.chain.block(n).hash for n in numbers]


def test_polling_reports_every_block_once_in_order(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote, "BATCH_BLOCKS", 2)
    monkeypatch.setattr(remote, "MAX_BATCHES_PER_POLL", 2)  # at most 4 blocks per poll
    view = view_of(net)
    seen = started(view)
    start = view.head_number()
    view.scheduler.advance(1)
    assert seen == []  # nothing new yet
    net.advance(12 * 7)
    view.scheduler.advance(1)
    assert [i.number for i in seen] == list(range(start + 1, start + 5))
    view.scheduler.advance(1)
    view.scheduler.advance(1)
    assert [i.number for i in seen] == list(range(start + 1, start + 8))
    assert [i.hash for i in seen] == chain_hashes(net, range(start + 1, start + 8))
    assert view.head_number() == start + 7
    asyncio.run(view.stop())
    net.advance(12)
    view.scheduler.advance(5)
    assert len(seen) == 7  # stopped: no more polls


def test_a_reorg_is_logged_and_the_new_blocks_reported(
    net: Network, caplog: pytest.LogCaptureFixture
) -> None:
    view = view_of(net)
    seen = started(view)
    client = net.l1.client()
    start = view.head_number()
    snapshot = client.evm_snapshot()
    net.advance(12 * 3)
    view.sync()
    old = [i.hash for i in seen]
    assert [i.number for i in seen] == [start + 1, start + 2, start + 3]

    # back and two new blocks: the node is now below the view's head
    assert client.evm_revert(snapshot) is True
    client.eth_sendTransaction({"from": hexed(net.accounts[5].address), "to": hexed(INBOX)})
    net.advance(12 * 2)
    with caplog.at_level(logging.WARNING, logger="crossroll.l1.remote"):
        view.sync()
    assert "reorg" in caplog.text
    assert [i.number for i in seen[3:]] == [start + 1, start + 2]
    assert [i.hash for i in seen[3:]] != old[:2]
    assert [i.hash for i in seen[3:]] == chain_hashes(net, range(start + 1, start + 3))

    # again, now past the view's head: the fork is found from the first new block's parent
    snapshot = client.evm_snapshot()
    net.advance(12)
    view.sync()
    assert client.evm_revert(snapshot) is True
    client.eth_sendTransaction({"from": hexed(net.accounts[5].address), "to": hexed(INBOX)})
    net.advance(12 * 3)
    view.sync()
    numbers = [i.number for i in seen[5:]]
    assert numbers == [start + 3, start + 3, start + 4, start + 5]
    assert [i.hash for i in seen[6:]] == chain_hashes(net, range(start + 3, start + 6))
    assert view.head_number() == start + 5


def test_an_unreachable_node_fails_the_poll_with_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    view = RemoteL1View(client_of(url), VirtualClock())
    seen: list[L1BlockInfo] = []
    view.on_block(seen.append)
    view.poll()
    assert isinstance(view.last_error, L1Unavailable)
    assert view.last_error.message == f"L1 node {url} did not answer: Connection refused"
    with pytest.raises(L1Unavailable):
        view.head_number()
    assert seen == []
