"""What every RPC handler sees: one chain, its filters and the clock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..abc import ChainAPI, SchedulerAPI
from ..types import Hash32
from .dispatch import Dispatcher, MethodTable
from .filters import FilterRegistry

CLIENT_VERSION = f"crossroll/v{__version__}"


@dataclass
class RpcContext:
    chain: ChainAPI
    scheduler: SchedulerAPI
    filters: FilterRegistry
    client_version: str = CLIENT_VERSION
    #: Called with the hash of each transaction accepted through RPC (pending
    #: transaction filters and ``newPendingTransactions`` subscriptions).
    pending_listeners: list[Callable[[Hash32], None]] = field(default_factory=list)

    def notify_pending(self, tx_hash: Hash32) -> None:
        self.filters.add_pending(tx_hash)
        for listener in list(self.pending_listeners):
            listener(tx_hash)


def build_table() -> MethodTable:
    """The full method table (every namespace module registers itself)."""
    from .methods import register_all

    table = MethodTable()
    register_all(table)
    return table


_TABLE: MethodTable | None = None


def default_table() -> MethodTable:
    global _TABLE
    if _TABLE is None:
        _TABLE = build_table()
    return _TABLE


def make_dispatcher(
    chain: ChainAPI,
    scheduler: SchedulerAPI,
    lock: threading.RLock | AbstractContextManager[Any] | None = None,
    *,
    table: MethodTable | None = None,
) -> Dispatcher:
    """A dispatcher serving ``chain``; its filter registry is attached to the chain
    (call ``dispatcher.context.filters.close()`` to detach)."""
    filters = FilterRegistry(chain, scheduler)
    context = RpcContext(chain=chain, scheduler=scheduler, filters=filters)
    return Dispatcher(table or default_table(), context, lock)
