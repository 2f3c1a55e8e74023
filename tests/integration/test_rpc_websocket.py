"""eth_subscribe over a WebSocket on the same port as HTTP, over a real Chain."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

try:
    import crossroll  # noqa: F401
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

import websockets
from eth_account import Account

from crossroll.chain import Chain, ChainConfig
from crossroll.clock import VirtualClock
from crossroll.rpc.server import RpcServer
from crossroll.rpc.thread import BackgroundServer
from tests.support.evm import KEY0

ADDR1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.fixture
def node() -> Iterator[BackgroundServer]:
    lock = threading.RLock()
    clock = VirtualClock(lock=lock)
    server = BackgroundServer(RpcServer(Chain(ChainConfig(), clock), "127.0.0.1", 0, clock, lock))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_new_heads_and_requests_over_websocket(node: BackgroundServer) -> None:
    signed = Account.sign_transaction(
        {
            "type": 2,
            "chainId": 31337,
            "nonce": 0,
            "to": ADDR1,
            "value": 1,
            "gas": 21000,
            "maxFeePerGas": 3 * 10**9,
            "maxPriorityFeePerGas": 10**9,
        },
        KEY0,
    )

    async def scenario() -> None:
        async with websockets.connect(node.ws_url) as ws:
            inbox: list[dict[str, Any]] = []

            async def call(id: int, method: str, *params: Any) -> Any:
                await ws.send(
                    json.dumps(
                        {"jsonrpc": "2.0", "id": id, "method": method, "params": list(params)}
                    )
                )
                while True:
                    msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if msg.get("id") == id:
                        return msg
                    inbox.append(msg)

            assert (await call(1, "eth_chainId"))["result"] == "0x7a69"
            sub = (await call(2, "eth_subscribe", "newHeads"))["result"]
            tx_hash = (
                await call(3, "eth_sendRawTransaction", "0x" + signed.raw_transaction.hex())
            )["result"]
            await call(4, "evm_mine")
            while len(inbox) < 2:
                inbox.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
            heads = [m["params"]["result"] for m in inbox if m["params"]["subscription"] == sub]
            assert [h["number"] for h in heads] == ["0x1", "0x2"]
            block = (await call(5, "eth_getBlockByNumber", "0x1", False))["result"]
            assert block["transactions"] == [tx_hash]
            assert heads[0]["hash"] == block["hash"]
            # a batch over the socket
            await ws.send(json.dumps([{"jsonrpc": "2.0", "id": 6, "method": "net_version"}]))
            assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == [
                {"jsonrpc": "2.0", "id": 6, "result": "31337"}
            ]

    asyncio.run(scenario())
