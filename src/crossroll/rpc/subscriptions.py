"""eth_subscribe / eth_unsubscribe for one WebSocket connection.

Notifications are built inside the chain's block listener (under the chain
lock) and handed to ``send`` (thread-safe; the server queues them for the socket).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from typing import Any

from ..errors import CrossrollError, InvalidParams
from ..types import Block, Hash32
from . import codec
from .context import RpcContext
from .dispatch import MAX_BATCH, Dispatcher, error_response
from .filters import block_logs, log_matches

SUBSCRIPTION_KINDS = ("newHeads", "logs", "newPendingTransactions")


class SubscriptionSession:
    def __init__(self, dispatcher: Dispatcher, send: Callable[[dict[str, Any]], None]) -> None:
        self.dispatcher = dispatcher
        self.send = send
        self._subs: dict[str, Callable[[], None]] = {}

    @property
    def context(self) -> RpcContext:
        ctx = self.dispatcher.context
        assert isinstance(ctx, RpcContext)
        return ctx

    def __len__(self) -> int:
        return len(self._subs)

    # ------------------------------------------------------------- envelopes
    def handle(self, payload: Any) -> Any:
        """Like Dispatcher.handle, with eth_subscribe/eth_unsubscribe served here."""
        if isinstance(payload, list) and 0 < len(payload) <= MAX_BATCH:
            responses = [r for r in (self.handle_one(item) for item in payload) if r is not None]
            return responses or None
        return self.handle_one(payload)

    def handle_one(self, request: Any) -> dict[str, Any] | None:
        if not (
            isinstance(request, dict)
            and request.get("method") in ("eth_subscribe", "eth_unsubscribe")
            and request.get("jsonrpc") == "2.0"
        ):
            return self.dispatcher.handle(request)
        req_id = request.get("id")
        params = request.get("params") or []
        try:
            if not isinstance(params, list) or not params:
                raise InvalidParams("missing value for required argument 0")
            with self.dispatcher.lock:
                if request["method"] == "eth_subscribe":
                    result: Any = self.subscribe(params[0], params[1] if len(params) > 1 else None)
                else:
                    result = self.unsubscribe(params[0])
        except CrossrollError as exc:
            return error_response(req_id, exc)
        return {"jsonrpc": "2.0", "id": req_id, "result": result}

    # ----------------------------------------------------------- subscriptions
    def subscribe(self, kind: Any, arg: Any) -> str:
        sub_id = "0x" + secrets.token_hex(16)
        chain = self.context.chain
        if kind == "newHeads":

            def on_head(block: Block) -> None:
                self._notify(sub_id, codec.header_json(block.header))

            self._subs[sub_id] = chain.on_block(on_head)
        elif kind == "logs":
            spec = codec.decode_filter(arg)

            def on_logs(block: Block) -> None:
                for log in block_logs(block):
                    if log_matches(log, spec.addresses, spec.topics):
                        self._notify(sub_id, codec.log_json(log, block.header.timestamp))

            self._subs[sub_id] = chain.on_block(on_logs)
        elif kind == "newPendingTransactions":
            listeners = self.context.pending_listeners

            def on_pending(tx_hash: Hash32) -> None:
                self._notify(sub_id, codec.data(tx_hash))

            listeners.append(on_pending)
            self._subs[sub_id] = lambda: listeners.remove(on_pending)
        else:
            raise InvalidParams(f"unsupported subscription type {kind!r}")
        return sub_id

    def unsubscribe(self, sub_id: Any) -> bool:
        if not isinstance(sub_id, str):
            raise InvalidParams("invalid argument 0: subscription id must be a string")
        cancel = self._subs.pop(sub_id.lower(), None)
        if cancel is None:
            return False
        cancel()
        return True

    def close(self) -> None:
        """Drop every subscription (the caller holds the chain lock)."""
        for cancel in self._subs.values():
            with contextlib.suppress(ValueError):
                cancel()
        self._subs.clear()

    def _notify(self, sub_id: str, result: Any) -> None:
        self.send(
            {
                "jsonrpc": "2.0",
                "method": "eth_subscription",
                "params": {"subscription": sub_id, "result": result},
            }
        )
