"""eth_* methods: chain info, state reads, calls, fees, transactions, blocks, logs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ...errors import CrossrollError, InvalidParams, UnknownBlock
from ...types import Address, Block, BlockRef, CallRequest, Hash32, Log, LogFilter
from .. import codec
from ..codec import FilterSpec
from ..context import RpcContext
from ..dispatch import MethodTable, opt

T = TypeVar("T")


# ----------------------------------------------------------------- chain info
def chain_id(ctx: RpcContext) -> str:
    return codec.quantity(ctx.chain.chain_id)


def block_number(ctx: RpcContext) -> str:
    return codec.quantity(ctx.chain.head().number)


def accounts(ctx: RpcContext) -> list[str]:
    return [codec.data(a.address) for a in ctx.chain.dev_accounts]


def coinbase(ctx: RpcContext) -> str:
    return codec.data(ctx.chain.head().header.coinbase)


def syncing(ctx: RpcContext) -> bool:
    return False


def mining(ctx: RpcContext) -> bool:
    return False


def hashrate(ctx: RpcContext) -> str:
    return "0x0"


def protocol_version(ctx: RpcContext) -> int:
    return 1  # what anvil answers


# ---------------------------------------------------------------------- state
RESOURCE_NOT_FOUND = -32001  # anvil's code for an unknown block hash


def missing_block(ctx: RpcContext, ref: BlockRef) -> CrossrollError:
    """The error anvil answers for a state read at a block it does not have."""
    if isinstance(ref, int):
        head = ctx.chain.head().number
        return InvalidParams(
            f"BlockOutOfRangeError: block height is {head} but requested was {ref}"
        )
    if isinstance(ref, bytes):
        return CrossrollError("Resource not found", code=RESOURCE_NOT_FOUND)
    return CrossrollError(f"unknown block {ref!r}")


def at_block(ctx: RpcContext, ref: BlockRef, read: Callable[[], T]) -> T:
    try:
        return read()
    except UnknownBlock:
        raise missing_block(ctx, ref) from None


def get_balance(ctx: RpcContext, address: Address, ref: BlockRef) -> str:
    return codec.quantity(at_block(ctx, ref, lambda: ctx.chain.account(address, ref)).balance)


def get_transaction_count(ctx: RpcContext, address: Address, ref: BlockRef) -> str:
    nonce = at_block(ctx, ref, lambda: ctx.chain.account(address, ref)).nonce
    if ref == "pending":  # as anvil: the sender's transactions waiting to be mined count
        waiting = ctx.chain.block("pending").transactions
        nonce = max([nonce, *(tx.nonce + 1 for tx in waiting if tx.sender == address)])
    return codec.quantity(nonce)


def get_code(ctx: RpcContext, address: Address, ref: BlockRef) -> str:
    return codec.data(at_block(ctx, ref, lambda: ctx.chain.code(address, ref)))


def get_storage_at(ctx: RpcContext, address: Address, slot: int, ref: BlockRef) -> str:
    return codec.word(at_block(ctx, ref, lambda: ctx.chain.storage(address, slot, ref)))


def get_proof(
    ctx: RpcContext, address: Address, slots: tuple[int, ...], ref: BlockRef
) -> dict[str, Any]:
    return codec.proof_json(at_block(ctx, ref, lambda: ctx.chain.proof(address, slots, ref)))


# ---------------------------------------------------------------------- calls
def call(
    ctx: RpcContext,
    request: CallRequest,
    ref: BlockRef,
    overrides: Any = None,
    block_overrides: Any = None,
) -> str:
    if overrides or block_overrides:
        raise InvalidParams("state overrides are not supported")
    return codec.data(at_block(ctx, ref, lambda: ctx.chain.call(request, ref)).output)


def estimate_gas(
    ctx: RpcContext, request: CallRequest, ref: BlockRef, overrides: Any = None
) -> str:
    if overrides:
        raise InvalidParams("state overrides are not supported")
    return codec.quantity(at_block(ctx, ref, lambda: ctx.chain.estimate_gas(request, ref)))


# ----------------------------------------------------------------------- fees
def gas_price(ctx: RpcContext) -> str:
    return codec.quantity(ctx.chain.gas_price())


def max_priority_fee(ctx: RpcContext) -> str:
    return codec.quantity(ctx.chain.max_priority_fee())


def fee_history(
    ctx: RpcContext, count: int, newest: BlockRef, percentiles: tuple[float, ...]
) -> dict[str, Any]:
    history = ctx.chain.fee_history(count, newest, percentiles)
    return codec.fee_history_json(history)


def blob_base_fee(ctx: RpcContext) -> str:
    excess = ctx.chain.head().header.excess_blob_gas
    return codec.quantity(codec.blob_base_fee(excess or 0))


# ---------------------------------------------------------------------- writes
def send_raw_transaction(ctx: RpcContext, raw: bytes) -> str:
    if not raw:
        raise InvalidParams("empty transaction data")
    tx_hash = ctx.chain.send_raw_transaction(raw)
    ctx.notify_pending(tx_hash)
    return codec.data(tx_hash)


def send_transaction(ctx: RpcContext, request: CallRequest) -> str:
    tx_hash = ctx.chain.send_transaction(request)
    ctx.notify_pending(tx_hash)
    return codec.data(tx_hash)


# ---------------------------------------------------------------- transactions
def get_transaction_by_hash(ctx: RpcContext, tx_hash: Hash32) -> dict[str, Any] | None:
    try:
        tx, block = ctx.chain.transaction(tx_hash)
    except KeyError:
        return None
    if block is None:
        return codec.transaction_json(tx, None, pending_base_fee=_pending_base_fee(ctx))
    return codec.transaction_json(tx, block)


def _pending_base_fee(ctx: RpcContext) -> int | None:
    try:
        return ctx.chain.block("pending").header.base_fee_per_gas
    except CrossrollError:
        return None


def get_transaction_receipt(ctx: RpcContext, tx_hash: Hash32) -> dict[str, Any] | None:
    receipt = ctx.chain.receipt(tx_hash)
    if receipt is None:
        return None
    try:
        block = ctx.chain.block(receipt.block_hash)
    except UnknownBlock:
        return codec.receipt_json(receipt, None)
    tx = block.transactions[receipt.transaction_index]
    return codec.receipt_json(receipt, block.header, tx)


# ---------------------------------------------------------------------- blocks
def _block_or_none(ctx: RpcContext, ref: BlockRef) -> Block | None:
    try:
        return ctx.chain.block(ref)
    except UnknownBlock:
        return None


def get_block_by_number(ctx: RpcContext, ref: BlockRef, full: bool) -> dict[str, Any] | None:
    block = _block_or_none(ctx, ref)
    return None if block is None else codec.block_json(block, full)


def get_block_by_hash(ctx: RpcContext, block_hash: Hash32, full: bool) -> dict[str, Any] | None:
    return get_block_by_number(ctx, block_hash, full)


def get_block_tx_count(ctx: RpcContext, ref: BlockRef) -> str | None:
    block = _block_or_none(ctx, ref)
    return None if block is None else codec.quantity(len(block.transactions))


def get_tx_by_block_and_index(ctx: RpcContext, ref: BlockRef, index: int) -> dict[str, Any] | None:
    block = _block_or_none(ctx, ref)
    if block is None or index >= len(block.transactions):
        return None
    return codec.transaction_json(block.transactions[index], block, index)


def get_block_receipts(ctx: RpcContext, ref: BlockRef) -> list[dict[str, Any]] | None:
    block = _block_or_none(ctx, ref)
    if block is None or ref == "pending":
        return None
    return [
        codec.receipt_json(r, block.header, tx)
        for r, tx in zip(block.receipts, block.transactions, strict=True)
    ]


def get_uncle_count(ctx: RpcContext, ref: BlockRef) -> str | None:
    return None if _block_or_none(ctx, ref) is None else "0x0"


def get_uncle(ctx: RpcContext, ref: BlockRef, index: int) -> None:
    return None


# ------------------------------------------------------------------------ logs
def _number(ctx: RpcContext, ref: BlockRef, head: int) -> int:
    if ref == "pending":
        return head
    if isinstance(ref, int):
        if ref > head:
            raise missing_block(ctx, ref)
        return ref
    return ctx.chain.block(ref).number


def resolve_filter(ctx: RpcContext, spec: FilterSpec) -> LogFilter:
    """Tags to numbers, against the chain as it is now (anvil's range errors)."""
    if spec.block_hash is not None:
        try:
            number = ctx.chain.block(spec.block_hash).number
        except UnknownBlock:
            raise CrossrollError("unknown block") from None
        return LogFilter(number, number, spec.addresses, spec.topics, spec.block_hash)
    head = ctx.chain.head().number
    from_block = _number(ctx, spec.from_block, head)
    to_block = _number(ctx, spec.to_block, head)
    if from_block > to_block:
        raise CrossrollError("invalid block range params")
    return LogFilter(from_block, to_block, spec.addresses, spec.topics)


def logs_json(ctx: RpcContext, logs: list[Log]) -> list[dict[str, Any]]:
    timestamps: dict[Hash32, int | None] = {}
    out = []
    for log in logs:
        if log.block_hash not in timestamps:
            block = _block_or_none(ctx, log.block_hash)
            timestamps[log.block_hash] = None if block is None else block.header.timestamp
        out.append(codec.log_json(log, timestamps[log.block_hash]))
    return out


def get_logs(ctx: RpcContext, spec: FilterSpec) -> list[dict[str, Any]]:
    flt = resolve_filter(ctx, spec)
    return logs_json(ctx, ctx.chain.logs(flt))


def register(table: MethodTable) -> None:
    d = codec.decode_data
    addr, h, bref = codec.decode_address, codec.decode_hash, codec.decode_block_ref
    bnum, req = codec.decode_block_number, codec.decode_call_request
    latest = opt(bref, "latest")
    add = table.add
    add("eth_chainId", chain_id)
    add("eth_blockNumber", block_number)
    add("eth_accounts", accounts)
    add("eth_coinbase", coinbase)
    add("eth_syncing", syncing)
    add("eth_mining", mining)
    add("eth_hashrate", hashrate)
    add("eth_protocolVersion", protocol_version)
    add("eth_getBalance", get_balance, [addr, latest])
    add("eth_getTransactionCount", get_transaction_count, [addr, latest])
    add("eth_getCode", get_code, [addr, latest])
    add("eth_getStorageAt", get_storage_at, [addr, codec.decode_slot, latest])
    add("eth_getProof", get_proof, [addr, codec.decode_slots, latest])
    add("eth_call", call, [req, latest, opt(lambda v: v), opt(lambda v: v)])
    add("eth_estimateGas", estimate_gas, [req, opt(bref, "pending"), opt(lambda v: v)])
    add("eth_gasPrice", gas_price)
    add("eth_maxPriorityFeePerGas", max_priority_fee)
    add(
        "eth_feeHistory",
        fee_history,
        [codec.decode_uint64, bnum, opt(codec.decode_percentiles, ())],
    )
    add("eth_sendRawTransaction", send_raw_transaction, [d])
    add("eth_sendTransaction", send_transaction, [req])
    add("eth_getTransactionByHash", get_transaction_by_hash, [h])
    add("eth_getTransactionReceipt", get_transaction_receipt, [h])
    add("eth_getBlockByNumber", get_block_by_number, [bnum, opt(codec.decode_bool, False)])
    add("eth_getBlockByHash", get_block_by_hash, [h, opt(codec.decode_bool, False)])
    add("eth_getBlockTransactionCountByNumber", get_block_tx_count, [bnum])
    add("eth_getBlockTransactionCountByHash", get_block_tx_count, [h])
    add(
        "eth_getTransactionByBlockNumberAndIndex",
        get_tx_by_block_and_index,
        [bnum, codec.decode_uint64],
    )
    add(
        "eth_getTransactionByBlockHashAndIndex", get_tx_by_block_and_index, [h, codec.decode_uint64]
    )
    add("eth_getBlockReceipts", get_block_receipts, [bref])
    add("eth_blobBaseFee", blob_base_fee)
    add("eth_getUncleCountByBlockNumber", get_uncle_count, [bnum])
    add("eth_getUncleCountByBlockHash", get_uncle_count, [h])
    add("eth_getUncleByBlockNumberAndIndex", get_uncle, [bnum, codec.decode_uint64])
    add("eth_getUncleByBlockHashAndIndex", get_uncle, [h, codec.decode_uint64])
    add("eth_getLogs", get_logs, [codec.decode_filter])
