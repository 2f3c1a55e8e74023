"""evm_* methods: snapshots, mining and time (ganache/hardhat/anvil conventions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import InvalidParams, UnknownSnapshot
from .. import codec
from ..context import RpcContext
from ..dispatch import MethodTable, opt


def snapshot(ctx: RpcContext) -> str:
    return codec.quantity(ctx.chain.snapshot())


def revert(ctx: RpcContext, snapshot_id: int) -> bool:
    try:
        return ctx.chain.revert(snapshot_id)
    except UnknownSnapshot:
        return False


def decode_mine_options(value: Any) -> tuple[int, int | None]:
    """evm_mine's optional param: a timestamp, or anvil's ``{timestamp, blocks}``."""
    if isinstance(value, Mapping):
        ts = value.get("timestamp")
        blocks = value.get("blocks")
        return (
            1 if blocks is None else codec.decode_uint64(blocks),
            None if ts is None else codec.decode_uint64(ts),
        )
    return 1, codec.decode_uint64(value)


def check_mining(ctx: RpcContext) -> None:
    """Refuse mining by hand on a chain whose blocks another builder makes (a shared or based
    rollup: ``Chain.lock_mining``; other ChainAPIs have no lock)."""
    check = getattr(ctx.chain, "check_mining", None)
    if check is not None:
        check()


def mine(ctx: RpcContext, options: tuple[int, int | None]) -> str:
    blocks, timestamp = options
    check_mining(ctx)
    ctx.chain.mine(blocks, timestamp)
    return "0x0"


def decode_seconds(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return value  # anvil accepts negative time jumps as i64
    return codec.decode_quantity(value, bits=64)


def increase_time(ctx: RpcContext, seconds: int) -> int:
    return ctx.chain.increase_time(seconds)


def set_next_block_timestamp(ctx: RpcContext, timestamp: int) -> None:
    ctx.chain.set_next_block_timestamp(timestamp)


def set_automine(ctx: RpcContext, enabled: bool) -> None:
    ctx.chain.set_automine(enabled)


def set_interval_mining(ctx: RpcContext, seconds: float) -> None:
    if seconds < 0:
        raise InvalidParams("interval must be non-negative")
    ctx.chain.set_interval_mining(seconds)


def register(table: MethodTable) -> None:
    table.add("evm_snapshot", snapshot, aliases=["anvil_snapshot"])
    table.add("evm_revert", revert, [codec.decode_quantity], aliases=["anvil_revert"])
    table.add("evm_mine", mine, [opt(decode_mine_options, (1, None))])
    table.add("evm_increaseTime", increase_time, [decode_seconds], aliases=["anvil_increaseTime"])
    table.add(
        "evm_setNextBlockTimestamp",
        set_next_block_timestamp,
        [codec.decode_uint64],
        aliases=["anvil_setNextBlockTimestamp"],
    )
    table.add("evm_setAutomine", set_automine, [codec.decode_bool])
    table.add("evm_setIntervalMining", set_interval_mining, [codec.decode_number])
