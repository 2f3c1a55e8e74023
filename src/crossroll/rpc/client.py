"""A small synchronous JSON-RPC client over HTTP (stdlib ``http.client``, one
kept-alive connection, thread-safe)."""

from __future__ import annotations

import http.client
import json
import threading
from typing import Any
from urllib.parse import urlsplit

from ..errors import INTERNAL_ERROR, CrossrollError
from .base import JsonRpcClient

_RETRYABLE = (
    http.client.RemoteDisconnected,
    ConnectionResetError,
    BrokenPipeError,
    http.client.CannotSendRequest,
)


class HttpClient(JsonRpcClient):
    def __init__(self, url: str, timeout: float = 60.0) -> None:
        super().__init__()
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
        self._lock = threading.Lock()
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -------------------------------------------------------------- transport
    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = cls(self._host, self._port, timeout=self.timeout)
        return self._conn

    def _exchange(self, payload: Any) -> Any:
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
