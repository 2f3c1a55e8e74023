"""A small synchronous JSON-RPC client over HTTP (stdlib ``http.client``, one
kept-alive connection, thread-safe)."""

from __future__ import annotations

import http.client
import itertools
import json
import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from ..abc import ClientAPI
from ..errors import INTERNAL_ERROR, CrossrollError
from .remote_errors import error_from_rpc

_RETRYABLE = (
    http.client.RemoteDisconnected,
    ConnectionResetError,
    BrokenPipeError,
    http.client.CannotSendRequest,
)


class HttpClient(ClientAPI):
    def __init__(self, url: str, timeout: float = 60.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) url: {url}")
        self.url = url
        self.timeout = timeout
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port
        self._path = parts.path or "/"
        if parts.query:
            self._path += "?" + parts.query
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._conn: http.client.HTTPConnection | None = None

    # ---------------------------------------------------------------- ClientAPI
    def request(self, method: str, params: Sequence[Any] | None = None) -> Any:
        req_id = next(self._ids)
        reply = self._post(
            {"jsonrpc": "2.0", "id": req_id, "method": method, "params": list(params or [])}
        )
        if not isinstance(reply, dict):
            raise CrossrollError(f"unexpected response: {reply!r:.200}", code=INTERNAL_ERROR)
        if "error" in reply:
            raise error_from_rpc(reply["error"])
        return reply.get("result")

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        if not calls:
            return []
        first = next(self._ids)
        ids = [first + i for i in range(len(calls))]
        self._ids = itertools.count(first + len(calls))
        body = [
            {"jsonrpc": "2.0", "id": i, "method": m, "params": list(p or [])}
            for i, (m, p) in zip(ids, calls, strict=True)
        ]
        reply = self._post(body)
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
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -------------------------------------------------------------- transport
    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = cls(self._host, self._port, timeout=self.timeout)
        return self._conn

    def _post(self, payload: Any) -> Any:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
        with self._lock:
            for attempt in (0, 1):
                conn = self._connection()
                try:
                    conn.request("POST", self._path, body, headers)
                    response = conn.getresponse()
                    raw = response.read()
                    status = response.status
                    break
                except _RETRYABLE:
                    conn.close()
                    self._conn = None
                    if attempt:
                        raise
                except OSError:
                    conn.close()
                    self._conn = None
                    raise
        if not raw:
            if status == 200:
                return None
            raise CrossrollError(f"HTTP {status} from {self.url}", code=INTERNAL_ERROR)
        try:
            return json.loads(raw)
        except ValueError:
            raise CrossrollError(
                f"HTTP {status}: not JSON: {raw[:200]!r}", code=INTERNAL_ERROR
            ) from None
