"""A ClientAPI that calls a dispatcher directly: same JSON-shaped params and
results as over HTTP, without sockets."""

from __future__ import annotations

import json
import threading
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from .base import JsonRpcClient
from .dispatch import Dispatcher


class InProcessClient(JsonRpcClient):
    def __init__(
        self,
        dispatcher: Dispatcher,
        lock: threading.RLock | AbstractContextManager[Any] | None = None,
    ) -> None:
        super().__init__()
        self.dispatcher = dispatcher
        self.lock: AbstractContextManager[Any] = lock if lock is not None else nullcontext()

    def _exchange(self, payload: Any) -> Any:
        # Round-trip through JSON so tuples, bytes etc. behave exactly as over HTTP.
        request = json.loads(json.dumps(payload))
        with self.lock:
            return self.dispatcher.handle(request)
