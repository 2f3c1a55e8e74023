"""The aiohttp server over a real Chain: HTTP, WebSocket, envelopes."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from crossroll.chain import Chain
from crossroll.clock import VirtualClock
from crossroll.errors import InvalidParams, MethodNotFound
from crossroll.rpc.client import HttpClient
from crossroll.rpc.server import RpcServer
from crossroll.rpc.thread import BackgroundServer
from tests.support.txs import calldata
from tests.unit.rpc.helpers import BALANCE, KEY_A, A, B, deploy, logged_bytes, send, sign


@pytest.fixture
def server(chain: Chain, clock: VirtualClock, lock: threading.RLock) -> Iterator[BackgroundServer]:
    srv = BackgroundServer(RpcServer(chain, "127.0.0.1", 0, clock, lock, max_body=64 * 1024))
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any, Any]:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None, resp.headers
    except urllib.error.HTTPError as err:
        raw = err.read()
        return err.code, json.loads(raw) if raw else None, err.headers


def test_binds_loopback_on_a_free_port(server: BackgroundServer) -> None:
    assert server.port > 0
    assert server.url == f"http://127.0.0.1:{server.port}"


def test_http_client_round_trip(server: BackgroundServer) -> None:
    with HttpClient(server.url) as client:
        assert client.eth_chainId() == "0x7a69"
        assert client.request("eth_blockNumber") == "0x0"
        with pytest.raises(MethodNotFound):
            client.eth_nothing()
        with pytest.raises(InvalidParams):
            client.eth_getBalance("0x1")
        assert client.batch([("eth_chainId", []), ("net_version", [])]) == ["0x7a69", "31337"]
        tx_hash = send(client, value=5)
        assert client.eth_blockNumber() == "0x1"
        assert client.eth_getTransactionReceipt(tx_hash)["status"] == "0x1"
        assert client.eth_getBalance(B, "latest") == hex(BALANCE + 5)
        for _ in range(50):  # keep-alive connection reused
            assert client.net_listening() is True


def test_envelope_errors_keep_the_server_alive(
    server: BackgroundServer, chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:  # fault injection: the real chain, with a bug in it
        raise RuntimeError("boom\nsecond line of a traceback")

    monkeypatch.setattr(chain, "call", broken)
    url = server.url
    status, body, _ = post(url, b"{not json", {"Content-Type": "application/json"})
    assert status == 200 and body["error"]["code"] == -32700
    _, body, _ = post(url, b"[]")  # content type is optional
    assert body["error"]["code"] == -32600
    _, body, _ = post(url, json.dumps({"jsonrpc": "2.0", "id": 1, "method": "x_y"}).encode())
    assert body == {
        "jsonrpc": "2.0",
        "id": 1,
        "error": {"code": -32601, "message": "Method not found"},
    }
    _, body, _ = post(
        url,
        json.dumps(
            {"jsonrpc": "2.0", "id": 2, "method": "eth_call", "params": [{"data": "0xff"}]}
        ).encode(),
    )
    assert body["error"] == {"code": -32603, "message": "internal error: RuntimeError: boom"}
    status, body, _ = post(url, b"[" + b" " * 70_000 + b"]")
    assert status == 413 and body["error"]["code"] == -32600
    _, body, _ = post(url, json.dumps({"jsonrpc": "2.0", "method": "eth_chainId"}).encode())
    assert body is None  # notification: no reply
    _, body, _ = post(
        url,
        json.dumps(
            [
                {"jsonrpc": "2.0", "id": 7, "method": "eth_chainId"},
                {"jsonrpc": "2.0", "id": 8, "method": "nope"},
            ]
        ).encode(),
    )
    assert body[0] == {"jsonrpc": "2.0", "id": 7, "result": "0x7a69"}
    assert body[1]["error"]["code"] == -32601
    _, body, _ = post(
        url, json.dumps({"jsonrpc": "2.0", "id": 9, "method": "eth_chainId"}).encode()
    )
    assert body["result"] == "0x7a69"


def test_get_and_cors(server: BackgroundServer) -> None:
    with urllib.request.urlopen(server.url, timeout=10) as resp:  # health checks
        assert resp.status == 200 and b"JSON-RPC" in resp.read()
    put = urllib.request.Request(server.url, data=b"{}", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(put, timeout=10)
    assert err.value.code == 405
    request = urllib.request.Request(
        server.url,
        method="OPTIONS",
        headers={"Origin": "http://dapp.local", "Access-Control-Request-Method": "POST"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
    _, _, headers = post(
        server.url, json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}).encode()
    )
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_web3_http_provider(server: BackgroundServer) -> None:
    from web3 import Web3

    w3 = Web3(Web3.HTTPProvider(server.url))
    assert w3.is_connected()
    assert w3.eth.chain_id == 31337
    assert w3.eth.block_number == 0
    assert len(w3.eth.accounts) == 10 and w3.eth.accounts[0].lower() == A
    to = w3.to_checksum_address(B)
    tx_hash = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": to, "value": 7})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)
    assert receipt["status"] == 1 and receipt["blockNumber"] == 1
    block = w3.eth.get_block("latest", full_transactions=True)
    assert block["number"] == 1 and block["withdrawals"] == []
    assert block["transactions"][0]["hash"] == tx_hash
    with w3.batch_requests() as batch:
        batch.add(w3.eth.get_block(0))
        batch.add(w3.eth.get_balance(to))
        block0, balance = batch.execute()
    assert block0["number"] == 0 and balance == BALANCE + 7


def test_websocket_requests_and_subscriptions(
    server: BackgroundServer, chain: Chain, lock: threading.RLock
) -> None:
    import websockets

    with HttpClient(server.url) as http:
        probe = deploy(http)  # block 1
    payload = calldata("emitLog(bytes32,bytes)", b"\xab" * 32, b"\x01\x02")
    raw = sign(KEY_A, nonce=1, to=probe, value=0, gas=100_000, data=payload)

    async def scenario() -> None:
        async with websockets.connect(server.ws_url) as ws:

            async def call(method: str, params: list[Any], id: int) -> Any:
                await ws.send(
                    json.dumps({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
                )
                while True:
                    msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if msg.get("id") == id:
                        return msg
                    notes.append(msg)

            notes: list[dict[str, Any]] = []
            assert (await call("eth_chainId", [], 1))["result"] == "0x7a69"
            heads = (await call("eth_subscribe", ["newHeads"], 2))["result"]
            logs = (await call("eth_subscribe", ["logs", {"address": probe}], 3))["result"]
            pending = (await call("eth_subscribe", ["newPendingTransactions"], 4))["result"]
            bad = await call("eth_subscribe", ["nope"], 5)
            assert bad["error"]["code"] == -32602
            tx_hash = (await call("eth_sendRawTransaction", [raw], 6))["result"]
            while len(notes) < 3:
                notes.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
            by_sub = {n["params"]["subscription"]: n["params"]["result"] for n in notes}
            assert by_sub[heads]["number"] == "0x2"
            assert (
                by_sub[heads]["hash"]
                == (await call("eth_getBlockByNumber", ["0x2", False], 9))["result"]["hash"]
            )
            assert logged_bytes(by_sub[logs]) == b"\x01\x02"
            assert by_sub[logs]["transactionHash"] == tx_hash
            assert by_sub[pending] == tx_hash
            assert (await call("eth_unsubscribe", [heads], 7))["result"] is True
            assert (await call("eth_unsubscribe", [heads], 8))["result"] is False
            await ws.send("{garbage")
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["error"]["code"] == -32700

    asyncio.run(scenario())
    # Closing the socket dropped the remaining subscriptions: only the filter
    # registry still listens to the chain, and nobody to pending transactions.
    pending_listeners = server.dispatcher.context.pending_listeners
    for _ in range(100):
        with lock:
            if len(chain._listeners) == 1 and not pending_listeners:
                break
        threading.Event().wait(0.02)
    with lock:
        assert len(chain._listeners) == 1 and pending_listeners == []


def test_stop_is_idempotent(chain: Chain, clock: VirtualClock) -> None:
    srv = BackgroundServer(RpcServer(chain, scheduler=clock))
    srv.stop()  # never started
    srv.start()
    port = srv.port
    srv.stop()
    srv.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}", timeout=2)
