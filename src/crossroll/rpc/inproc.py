"""A ClientAPI that calls a dispatcher directly: same JSON-shaped params and
results as over HTTP, without sockets."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from ..abc import ClientAPI
from ..errors import INTERNAL_ERROR, CrossrollError
from .dispatch import Dispatcher
from .remote_errors import error_from_rpc


class InProcessClient(ClientAPI):
    def __init__(
        self,
        dispatcher: Dispatcher,
        lock: threading.RLock | AbstractContextManager[Any] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.lock: AbstractContextManager[Any] = lock if lock is not None else nullcontext()
        self._ids = itertools.count(1)

    def _handle(self, payload: Any) -> Any:
        # Round-trip through JSON so tuples, bytes etc. behave exactly as over HTTP.
        request = json.loads(json.dumps(payload))
        with self.lock:
            return self.dispatcher.handle(request)

    def request(self, method: str, params: Sequence[Any] | None = None) -> Any:
        reply = self._handle(
            {
                "jsonrpc": "2.0",
                "id": next(self._ids),
                "method": method,
                "params": list(params or []),
            }
        )
        if "error" in reply:
            raise error_from_rpc(reply["error"])
        return reply["result"]

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        if not calls:
            return []
        ids = [next(self._ids) for _ in calls]
        reply = self._handle(
            [
                {"jsonrpc": "2.0", "id": i, "method": m, "params": list(p or [])}
                for i, (m, p) in zip(ids, calls, strict=True)
            ]
        )
        if isinstance(reply, dict):
            raise error_from_rpc(reply.get("error"))
        by_id = {r["id"]: r for r in reply}
        out: list[Any] = []
        for i in ids:
            r = by_id.get(i)
            if r is None:
                out.append(CrossrollError(f"no response for batch item {i}", code=INTERNAL_ERROR))
            elif "error" in r:
                out.append(error_from_rpc(r["error"]))
            else:
                out.append(r["result"])
        return out
