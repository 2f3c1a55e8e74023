"""A deliberately tiny JSON-RPC client for tests, independent of crossroll's own."""

from __future__ import annotations

import itertools
from typing import Any

import requests

_ids = itertools.count(1)


class RpcFailure(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.error = error
        self.code = error.get("code")
        self.message = error.get("message")
        self.data = error.get("data")


class Rpc:
    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()

    def raw(self, payload: Any) -> Any:
        return self.session.post(self.url, json=payload, timeout=30).json()

    def __call__(self, method: str, *params: Any) -> Any:
        reply = self.raw(
            {"jsonrpc": "2.0", "id": next(_ids), "method": method, "params": list(params)}
        )
        if "error" in reply:
            raise RpcFailure(reply["error"])
        return reply["result"]

    def send_raw(self, raw: bytes) -> str:
        return self("eth_sendRawTransaction", "0x" + raw.hex())

    def receipt(self, tx_hash: str) -> dict[str, Any]:
        receipt = self("eth_getTransactionReceipt", tx_hash)
        if receipt is None:  # anvil's automine is asynchronous: poll briefly
            for _ in range(200):
                receipt = self("eth_getTransactionReceipt", tx_hash)
                if receipt is not None:
                    break
                import time

                time.sleep(0.01)
        assert receipt is not None, f"no receipt for {tx_hash}"
        return receipt
