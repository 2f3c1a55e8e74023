"""web3_* methods."""

from __future__ import annotations

from eth_hash.auto import keccak

from .. import codec
from ..context import RpcContext
from ..dispatch import MethodTable


def client_version(ctx: RpcContext) -> str:
    return ctx.client_version


def sha3(ctx: RpcContext, payload: bytes) -> str:
    return codec.data(keccak(payload))


def register(table: MethodTable) -> None:
    table.add("web3_clientVersion", client_version)
    table.add("web3_sha3", sha3, [codec.decode_data])
