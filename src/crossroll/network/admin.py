"""The admin server (:8420): ``GET /ready`` and the ``admin_*`` JSON-RPC namespace.

It knows nothing about chains: the network hands it its methods and a
readiness check.  Errors are JSON-RPC ``{code, message}`` objects.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from aiohttp import web

from ..abc import ServiceAPI
from ..errors import (
    INTERNAL_ERROR,
    CrossrollError,
    InvalidParams,
    InvalidRequest,
    MethodNotFound,
    ParseError,
)

log = logging.getLogger("crossroll.admin")

Method = Callable[..., Any]


class AdminServer(ServiceAPI):
    name = "admin"

    def __init__(
        self,
        methods: Mapping[str, Method],
        ready: Callable[[], bool],
        *,
        host: str = "127.0.0.1",
        port: int = 8420,
        lock: threading.RLock | None = None,
    ) -> None:
        self.methods = dict(methods)
        self.ready = ready
        self.host = host
        self.port = port
        self._lock: AbstractContextManager[Any] = lock if lock is not None else nullcontext()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/ready", self._ready)
        app.router.add_post("/", self._rpc)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except OSError as exc:
            await self.stop()
            raise CrossrollError(
                f"admin server cannot listen on {self.host}:{self.port}: {exc.strerror or exc}"
            ) from None
        if self.port == 0:
            self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # -- handlers
    async def _ready(self, request: web.Request) -> web.Response:
        if self.ready():
            return web.Response(text="OK")
        return web.Response(status=503, text="starting")

    async def _rpc(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read())
        except ValueError:
            return _json(_error(None, ParseError("parse error")))
        if isinstance(body, list):
            if not body:
                return _json(_error(None, InvalidRequest("empty batch")))
            return _json([self.handle(item) for item in body])
        return _json(self.handle(body))

    def handle(self, message: Any) -> dict[str, Any]:
        """Answer one JSON-RPC request object."""
        if not isinstance(message, dict) or not isinstance(message.get("method"), str):
            return _error(None, InvalidRequest("invalid request"))
        ident = message.get("id")
        method = self.methods.get(message["method"])
        try:
            if method is None:
                raise MethodNotFound(
                    f"the method {message['method']} does not exist/is not available"
                )
            params = message.get("params") or []
            if not isinstance(params, list):
                raise InvalidParams("params must be an array")
            with self._lock:
                try:
                    result = method(*params)
                except TypeError as exc:
                    raise InvalidParams(f"invalid params for {message['method']}: {exc}") from None
        except CrossrollError as exc:
            return _error(ident, exc)
        except Exception as exc:
            log.exception("admin method %s failed", message["method"])
            return {
                "jsonrpc": "2.0",
                "id": ident,
                "error": {"code": INTERNAL_ERROR, "message": str(exc)},
            }
        return {"jsonrpc": "2.0", "id": ident, "result": result}


def _error(ident: Any, exc: CrossrollError) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": ident, "error": exc.to_rpc()}


def _json(payload: Any) -> web.Response:
    return web.Response(text=json.dumps(payload), content_type="application/json")
