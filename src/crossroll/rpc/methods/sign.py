"""Signing with the node's dev keys: eth_sign, personal_sign, eth_signTypedData_v4
(what ethers' ``JsonRpcSigner`` and viem's json-rpc accounts call)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ...errors import INVALID_PARAMS, InvalidParams, UnknownAccount
from ...types import Address
from .. import codec
from ..context import RpcContext
from ..dispatch import MethodTable


def _key(ctx: RpcContext, address: Address) -> bytes:
    for account in ctx.chain.dev_accounts:
        if account.address == address:
            return account.private_key
    raise UnknownAccount("No Signer available", code=INVALID_PARAMS)


def _signature(signed: Any) -> str:
    return codec.data(bytes(signed.signature))


def eth_sign(ctx: RpcContext, address: Address, message: bytes) -> str:
    from eth_account import Account  # imported on first use: 0.1 s to import
    from eth_account.messages import encode_defunct

    return _signature(Account.sign_message(encode_defunct(primitive=message), _key(ctx, address)))


def personal_sign(ctx: RpcContext, message: bytes, address: Address) -> str:
    return eth_sign(ctx, address, message)


def decode_typed_data(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidParams("typed data is not valid JSON") from None
    if not isinstance(value, Mapping) or not {"types", "primaryType", "message"} <= set(value):
        raise InvalidParams("typed data needs types, primaryType and message")
    return dict(value)


def sign_typed_data(ctx: RpcContext, address: Address, typed: dict[str, Any]) -> str:
    from eth_account import Account

    key = _key(ctx, address)
    try:
        signed = Account.sign_typed_data(key, full_message=typed)
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidParams(f"invalid typed data: {exc}") from None
    return _signature(signed)


def register(table: MethodTable) -> None:
    addr, data = codec.decode_address, codec.decode_data
    table.add("eth_sign", eth_sign, [addr, data])
    table.add("personal_sign", personal_sign, [data, addr])
    table.add("eth_signTypedData_v4", sign_typed_data, [addr, decode_typed_data])
