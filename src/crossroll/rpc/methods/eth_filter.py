"""Polling filters: eth_newFilter, eth_newBlockFilter, eth_getFilterChanges, ..."""

from __future__ import annotations

from typing import Any

from ...errors import METHOD_NOT_FOUND, CrossrollError, FilterNotFound
from .. import codec
from ..codec import FilterSpec
from ..context import RpcContext
from ..dispatch import MethodTable, opt
from .eth import get_logs


def _filter_id(value: Any) -> str:
    if not isinstance(value, str):
        raise FilterNotFound("filter not found")
    return value.lower()


def new_filter(ctx: RpcContext, spec: FilterSpec) -> str:
    return ctx.filters.new_log_filter(spec)


def new_block_filter(ctx: RpcContext) -> str:
    return ctx.filters.new_block_filter()


def new_pending_filter(ctx: RpcContext, full: bool = False) -> str:
    return ctx.filters.new_pending_filter()


def get_filter_changes(ctx: RpcContext, filter_id: str) -> list[Any]:
    return ctx.filters.changes(filter_id)


def get_filter_logs(ctx: RpcContext, filter_id: str) -> list[Any]:
    flt = ctx.filters.get(filter_id)
    if flt.spec is None:
        raise FilterNotFound("filter not found")
    return get_logs(ctx, flt.spec)


def uninstall_filter(ctx: RpcContext, filter_id: str) -> bool:
    return ctx.filters.uninstall(filter_id)


def register(table: MethodTable) -> None:
    table.add("eth_newFilter", new_filter, [codec.decode_filter])
    table.add("eth_newBlockFilter", new_block_filter)
    table.add(
        "eth_newPendingTransactionFilter", new_pending_filter, [opt(codec.decode_bool, False)]
    )
    table.add("eth_getFilterChanges", get_filter_changes, [_filter_id])
    table.add("eth_getFilterLogs", get_filter_logs, [_filter_id])
    table.add("eth_uninstallFilter", uninstall_filter, [_filter_id])
    register_subscription_stubs(table)


def _no_subscriptions(ctx: RpcContext, *args: object) -> None:
    raise CrossrollError("notifications not supported", code=METHOD_NOT_FOUND)


def register_subscription_stubs(table: MethodTable) -> None:
    """eth_subscribe over HTTP: geth's answer (WebSocket sessions intercept these)."""
    any_param = opt(lambda v: v)
    table.add("eth_subscribe", _no_subscriptions, [any_param, any_param])
    table.add("eth_unsubscribe", _no_subscriptions, [any_param])
