"""What every crossroll JSON-RPC client shares: request ids, envelopes, batch
matching and errors turned back into :mod:`crossroll.errors` exceptions.
A transport only moves one JSON payload and its decoded reply."""

from __future__ import annotations

import itertools
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, Self

from ..abc import ClientAPI
from ..errors import INTERNAL_ERROR, CrossrollError
from .remote_errors import error_from_rpc


class JsonRpcClient(ClientAPI):
    def __init__(self) -> None:
        self._ids = itertools.count(1)

    @abstractmethod
    def _exchange(self, payload: Any) -> Any:
        """Send a JSON-shaped request (object or batch); return the decoded reply."""

    @staticmethod
    def _envelope(req_id: int, method: str, params: Sequence[Any] | None) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": req_id, "method": method, "params": list(params or [])}

    def request(self, method: str, params: Sequence[Any] | None = None) -> Any:
        reply = self._exchange(self._envelope(next(self._ids), method, params))
        if not isinstance(reply, dict):
            raise CrossrollError(f"unexpected response: {reply!r:.200}", code=INTERNAL_ERROR)
        if "error" in reply:
            raise error_from_rpc(reply["error"])
        return reply.get("result")

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        if not calls:
            return []
        ids = [next(self._ids) for _ in calls]
        reply = self._exchange(
            [self._envelope(i, m, p) for i, (m, p) in zip(ids, calls, strict=True)]
        )
        if isinstance(reply, dict) and "error" in reply:
            raise error_from_rpc(reply["error"])
        if not isinstance(reply, list):
            raise CrossrollError(f"unexpected batch response: {reply!r:.200}", code=INTERNAL_ERROR)
        by_id = {r.get("id"): r for r in reply if isinstance(r, dict)}
        out: list[Any] = []
        for i in ids:
            r = by_id.get(i)
            if r is None:
                out.append(CrossrollError(f"no response for batch item {i}", code=INTERNAL_ERROR))
            elif "error" in r:
                out.append(error_from_rpc(r["error"]))
            else:
                out.append(r.get("result"))
        return out

    def close(self) -> None:
        """Release the transport (nothing by default)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
