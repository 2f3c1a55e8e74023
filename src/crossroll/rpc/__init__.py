"""The JSON-RPC edge: codec, dispatcher, method namespaces, filters, server, clients."""

from __future__ import annotations

from .context import CLIENT_VERSION, RpcContext, make_dispatcher
from .dispatch import Dispatcher, MethodTable

__all__ = ["CLIENT_VERSION", "Dispatcher", "MethodTable", "RpcContext", "make_dispatcher"]
