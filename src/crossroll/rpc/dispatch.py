"""JSON-RPC 2.0 envelopes and the method table.

Namespace modules declare their methods as data (``name -> handler + param
spec``) on a :class:`MethodTable`; a :class:`Dispatcher` decodes parameters,
calls handlers under the chain lock and turns every failure into a
``{code, message, data}`` error, so one bad request never stops the server.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from ..errors import (
    INTERNAL_ERROR,
    CrossrollError,
    InvalidParams,
    InvalidRequest,
    MethodNotFound,
    ParseError,
)

log = logging.getLogger(__name__)

MAX_BATCH = 1000
_REQUIRED = object()


@dataclass(frozen=True, slots=True)
class Param:
    """One positional parameter: how to decode it and whether it may be absent."""

    decode: Callable[[Any], Any]
    default: Any = _REQUIRED

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED


def opt(decode: Callable[[Any], Any], default: Any = None) -> Param:
    """An optional trailing parameter (absent or null gives ``default``)."""
    return Param(decode, default)


Handler = Callable[..., Any]  # handler(ctx, *decoded_params) -> JSON-shaped result


@dataclass(frozen=True, slots=True)
class Method:
    name: str
    handler: Handler
    params: tuple[Param, ...] = ()

    def decode(self, raw: Sequence[Any]) -> list[Any]:
        if len(raw) > len(self.params):
            raise InvalidParams(f"too many arguments, want at most {len(self.params)}")
        args = []
        for i, spec in enumerate(self.params):
            value = raw[i] if i < len(raw) else None
            if value is None:
                if spec.required:
                    raise InvalidParams(f"missing value for required argument {i}")
                args.append(spec.default)
                continue
            try:
                args.append(spec.decode(value))
            except InvalidParams as exc:
                raise InvalidParams(f"invalid argument {i}: {exc.message}", data=exc.data) from None
        return args


@dataclass
class MethodTable:
    methods: dict[str, Method] = field(default_factory=dict)

    def add(
        self,
        name: str,
        handler: Handler,
        params: Iterable[Param | Callable[[Any], Any]] = (),
        *,
        aliases: Iterable[str] = (),
    ) -> None:
        specs = tuple(p if isinstance(p, Param) else Param(p) for p in params)
        for n in (name, *aliases):
            if n in self.methods:
                raise ValueError(f"method {n} registered twice")
            self.methods[n] = Method(n, handler, specs)

    def get(self, name: str) -> Method | None:
        return self.methods.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.methods

    def names(self) -> list[str]:
        return sorted(self.methods)


def error_response(req_id: Any, err: CrossrollError) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": req_id, "error": err.to_rpc()}


def internal_error(exc: BaseException) -> CrossrollError:
    text = str(exc).strip().splitlines()
    detail = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    return CrossrollError(f"internal error: {detail[:300]}", code=INTERNAL_ERROR)


class Dispatcher:
    """Runs requests against a method table with a context object (handed to
    every handler as its first argument); each call holds ``lock``."""

    def __init__(
        self,
        table: MethodTable,
        context: Any,
        lock: threading.RLock | AbstractContextManager[Any] | None = None,
        *,
        unknown_method: str = "Method not found",
    ) -> None:
        self.table = table
        self.context = context
        self.lock: AbstractContextManager[Any] = lock if lock is not None else nullcontext()
        #: The message of the -32601 error; ``{method}`` stands for the method's name.
        self.unknown_method = unknown_method

    # ---------------------------------------------------------------- entries
    def handle_bytes(self, body: bytes | str) -> bytes | None:
        """A raw HTTP/WebSocket body in, a raw response out (None: nothing to send)."""
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _dump(error_response(None, ParseError("parse error")))
        response = self.handle(payload)
        if response is None:
            return None
        try:
            return _dump(response)
        except (TypeError, ValueError) as exc:  # a handler returned something not JSON
            log.exception("unserialisable result")
            return _dump(error_response(None, internal_error(exc)))

    def handle(self, payload: Any) -> Any:
        """A decoded JSON request (object or batch) in, a response object, a
        list of them, or None (notifications only) out."""
        if isinstance(payload, list):
            if not payload:
                return error_response(None, InvalidRequest("empty batch"))
            if len(payload) > MAX_BATCH:
                return error_response(None, InvalidRequest(f"batch too large (max {MAX_BATCH})"))
            responses = [r for r in (self.handle_one(item) for item in payload) if r is not None]
            return responses or None
        return self.handle_one(payload)

    def handle_one(self, request: Any) -> dict[str, Any] | None:
        if not isinstance(request, dict):
            return error_response(None, InvalidRequest("Invalid request"))
        has_id = "id" in request
        req_id = request.get("id")
        if (has_id and not (req_id is None or isinstance(req_id, str | int | float))) or isinstance(
            req_id, bool
        ):
            return error_response(None, InvalidRequest("Invalid request"))
        method = request.get("method")
        if request.get("jsonrpc") != "2.0" or not isinstance(method, str):
            return error_response(req_id, InvalidRequest("Invalid request"))
        params = request.get("params")
        try:
            result = self.call(method, params)
        except CrossrollError as exc:
            return error_response(req_id, exc) if has_id else None
        return {"jsonrpc": "2.0", "id": req_id, "result": result} if has_id else None

    def call(self, method: str, params: Any = None) -> Any:
        """Decode ``params`` for ``method`` and run it; raise CrossrollError."""
        entry = self.table.get(method)
        if entry is None:
            raise MethodNotFound(self.unknown_method.format(method=method))
        if params is None:
            params = []
        elif not isinstance(params, list):
            raise InvalidParams("non-array args")
        args = entry.decode(params)
        try:
            with self.lock:
                return entry.handler(self.context, *args)
        except CrossrollError:
            raise
        except Exception as exc:
            log.exception("%s failed", method)
            raise internal_error(exc) from exc


def _dump(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()
