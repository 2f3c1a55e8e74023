"""net_* methods (a devnet has no peers)."""

from __future__ import annotations

from ..context import RpcContext
from ..dispatch import MethodTable


def version(ctx: RpcContext) -> str:
    return str(ctx.chain.chain_id)


def listening(ctx: RpcContext) -> bool:
    return True


def peer_count(ctx: RpcContext) -> str:
    return "0x0"


def register(table: MethodTable) -> None:
    table.add("net_version", version)
    table.add("net_listening", listening)
    table.add("net_peerCount", peer_count)
