"""anvil_* development controls, also answered as hardhat_*."""

from __future__ import annotations

from typing import Any

from ...types import Address
from .. import codec
from ..context import RpcContext
from ..dispatch import MethodTable, opt
from . import evm


def set_balance(ctx: RpcContext, address: Address, balance: int) -> None:
    ctx.chain.set_balance(address, balance)


def set_code(ctx: RpcContext, address: Address, code: bytes) -> None:
    ctx.chain.set_code(address, code)


def set_storage_at(ctx: RpcContext, address: Address, slot: int, value: int) -> bool:
    ctx.chain.set_storage_at(address, slot, value)
    return True


def set_nonce(ctx: RpcContext, address: Address, nonce: int) -> None:
    ctx.chain.set_nonce(address, nonce)


def mine(ctx: RpcContext, count: int, interval: int | None) -> None:
    evm.check_mining(ctx)
    if count == 0:
        return
    if not interval:
        ctx.chain.mine(count)
        return
    timestamp = ctx.chain.head().header.timestamp
    for _ in range(count):
        timestamp += interval
        ctx.chain.mine(1, timestamp)


def node_info(ctx: RpcContext) -> dict[str, Any]:
    head = ctx.chain.head()
    base_fee = head.header.base_fee_per_gas
    return {
        "currentBlockNumber": codec.quantity(head.number),
        "currentBlockTimestamp": head.header.timestamp,
        "currentBlockHash": codec.data(head.hash),
        "hardFork": "Cancun",
        "transactionOrder": "fifo",
        "environment": {
            "baseFee": codec.quantity(base_fee or 0),
            "chainId": ctx.chain.chain_id,
            "gasLimit": codec.quantity(head.header.gas_limit),
            "gasPrice": codec.quantity(ctx.chain.gas_price()),
        },
        "forkConfig": {"forkUrl": None, "forkBlockNumber": None, "forkRetryBackoff": None},
        "clientVersion": ctx.client_version,
    }


def register(table: MethodTable) -> None:
    addr = codec.decode_address

    def add(name: str, handler: Any, params: Any = ()) -> None:
        table.add(f"anvil_{name}", handler, params, aliases=[f"hardhat_{name}"])

    add("setBalance", set_balance, [addr, codec.decode_quantity])
    add("setCode", set_code, [addr, codec.decode_data])
    add("setStorageAt", set_storage_at, [addr, codec.decode_slot, codec.decode_word])
    add("setNonce", set_nonce, [addr, codec.decode_uint64])
    add("mine", mine, [opt(codec.decode_uint64, 1), opt(codec.decode_uint64)])
    add("setAutomine", evm.set_automine, [codec.decode_bool])
    add("setIntervalMining", evm.set_interval_mining, [codec.decode_number])
    add("nodeInfo", node_info)
