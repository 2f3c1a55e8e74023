"""The aiohttp JSON-RPC server: HTTP POST and WebSocket on the same port.

Every chain call runs on the event loop's thread while holding the chain
lock (timers and in-process clients take the same lock).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSMsgType, web

from ..abc import ChainAPI, SchedulerAPI, ServiceAPI
from ..errors import InvalidRequest, ParseError
from .context import make_dispatcher
from .dispatch import Dispatcher, error_response
from .subscriptions import SubscriptionSession

log = logging.getLogger(__name__)

MAX_BODY = 5 * 1024 * 1024
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Max-Age": "600",
}
GET_TEXT = (
    "crossroll JSON-RPC endpoint: POST JSON-RPC 2.0 requests here (WebSocket on the same URL)\n"
)


def _json_response(body: bytes | None, status: int = 200) -> web.Response:
    return web.Response(body=body or b"", status=status, content_type="application/json")


@web.middleware
async def _cors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    response = await handler(request)
    if not response.prepared:  # WebSocket responses are already sent
        response.headers.update(CORS_HEADERS)
    return response


class RpcServer(ServiceAPI):
    """Serve one chain over HTTP and WebSocket at ``http://host:port/``.

    ``port=0`` binds a free port; read :attr:`port` / :attr:`url` after
    :meth:`start`.  ``lock`` is the chain's lock (a new RLock if omitted).
    """

    def __init__(
        self,
        chain: ChainAPI,
        host: str = "127.0.0.1",
        port: int = 0,
        scheduler: SchedulerAPI | None = None,
        lock: threading.RLock | None = None,
        *,
        max_body: int = MAX_BODY,
        name: str | None = None,
    ) -> None:
        if scheduler is None:
            from ..clock import WallClock

            scheduler = WallClock()
        self.chain = chain
        self.host = host
        self.requested_port = port
        self.scheduler = scheduler
        self.lock = lock if lock is not None else threading.RLock()
        self.max_body = max_body
        self.name = name or f"rpc:{chain.chain_id}"
        self.dispatcher: Dispatcher = make_dispatcher(chain, scheduler, self.lock)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._sockets: set[web.WebSocketResponse] = set()

    # ------------------------------------------------------------- addresses
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("server not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self._url_host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self._url_host}:{self.port}"

    @property
    def _url_host(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host

    @property
    def running(self) -> bool:
        return self._runner is not None

    # -------------------------------------------------------------- lifetime
    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application(client_max_size=self.max_body, middlewares=[_cors])
        app.router.add_route("POST", "/", self._post)
        app.router.add_get("/", self._get)  # also answers HEAD
        app.router.add_route("OPTIONS", "/", self._options)
        with self.lock:
            self.dispatcher.context.filters.attach()
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.requested_port))
            site = web.SockSite(runner, sock)
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._port = sock.getsockname()[1]
        self._runner = runner
        log.info("%s listening on %s", self.name, self.url)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close()
        if runner is not None:
            await runner.cleanup()
        with self.lock:
            self.dispatcher.context.filters.close()

    # ------------------------------------------------------------------ HTTP
    async def _post(self, request: web.Request) -> web.Response:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            err = InvalidRequest(f"request body too large (max {self.max_body} bytes)")
            return _json_response(json.dumps(error_response(None, err)).encode(), status=413)
        return _json_response(self.dispatcher.handle_bytes(body))

    async def _get(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._websocket(request)
        # geth answers an empty GET with 200 (health checks, wait-on); so do we.
        return web.Response(text=GET_TEXT)

    async def _options(self, request: web.Request) -> web.Response:
        return web.Response(status=200, headers={"Allow": "POST, GET, OPTIONS"})

    # ------------------------------------------------------------- WebSocket
    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=self.max_body, autoping=True)
        await ws.prepare(request)
        loop = asyncio.get_running_loop()
        outbox: asyncio.Queue[str | None] = asyncio.Queue()

        def send(message: dict[str, Any]) -> None:  # any thread
            text = json.dumps(message, separators=(",", ":"))
            with contextlib.suppress(RuntimeError):  # loop closed at shutdown
                loop.call_soon_threadsafe(outbox.put_nowait, text)

        session = SubscriptionSession(self.dispatcher, send)
        writer = asyncio.create_task(self._ws_writer(ws, outbox))
        self._sockets.add(ws)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT or msg.type == WSMsgType.BINARY:
                    reply = self._ws_request(session, msg.data)
                    if reply is not None:
                        outbox.put_nowait(reply)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            self._sockets.discard(ws)
            with self.lock:
                session.close()
            outbox.put_nowait(None)
            with contextlib.suppress(Exception):
                await writer
        return ws

    def _ws_request(self, session: SubscriptionSession, data: str | bytes) -> str | None:
        try:
            payload = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            return json.dumps(error_response(None, ParseError("parse error")))
        response = session.handle(payload)
        if response is None:
            return None
        try:
            return json.dumps(response, separators=(",", ":"))
        except (TypeError, ValueError):
            log.exception("unserialisable result")
            return None

    @staticmethod
    async def _ws_writer(ws: web.WebSocketResponse, outbox: asyncio.Queue[str | None]) -> None:
        while (text := await outbox.get()) is not None:
            if ws.closed:
                break
            await ws.send_str(text)
