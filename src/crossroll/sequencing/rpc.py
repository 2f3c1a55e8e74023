"""The shared sequencer's JSON-RPC methods on the admin server (docs/sequencing.md).

``crossroll_sendBundle({txs: [{chainId, rawTx}, …], revertingTxHashes?, minTimestamp?,
maxTimestamp?})`` answers the bundle hash; ``crossroll_getBundle(hash)`` its status and,
per included leg, the block and the receipt (``eth_getTransactionReceipt``'s shape);
``crossroll_getSlot(n | "latest")`` a signed slot and whether it is firm;
``crossroll_getSequencing()`` the modes, members and heads.  Numbers are JSON numbers or
0x-quantities; malformed input answers -32602, an unknown bundle or slot -32001.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from ..errors import InvalidParams, UnknownBlock
from ..rpc.codec import decode_data, decode_hash, decode_uint64, receipt_json
from ..rpc.dispatch import MethodTable, opt
from .admission import BundleRequest
from .bundle import MAX_LEGS, BundleRecord

if TYPE_CHECKING:
    from .sequencer import SharedSequencer

_FIELDS = {"txs", "revertingTxHashes", "minTimestamp", "maxTimestamp"}
_SHAPE = "{txs: [{chainId, rawTx}, ...], revertingTxHashes?, minTimestamp?, maxTimestamp?}"


def decode_bundle_request(value: Any) -> BundleRequest:
    """The parameter of ``crossroll_sendBundle`` (shape only; :mod:`.admission` checks the
    rest)."""
    if not isinstance(value, dict):
        raise InvalidParams(f"want a bundle object {_SHAPE}")
    unknown = sorted(set(value) - _FIELDS)
    if unknown:
        raise InvalidParams(f"unknown field {unknown[0]!r:.40}; want {_SHAPE}")
    txs = value.get("txs")
    if not isinstance(txs, list) or not txs:
        raise InvalidParams("txs: want a non-empty list of {chainId, rawTx}")
    if len(txs) > MAX_LEGS:
        raise InvalidParams(f"a bundle has at most {MAX_LEGS} legs, got {len(txs)}")
    reverting = value.get("revertingTxHashes")
    if reverting is None:  # absent or null; {}, 0, "" or false are mistakes, not "none"
        reverting = []
    if not isinstance(reverting, list):
        raise InvalidParams(
            f"revertingTxHashes: want a list of transaction hashes, got {reverting!r:.40}"
        )
    return BundleRequest(
        legs=tuple(_leg(i, leg) for i, leg in enumerate(txs)),
        reverting=tuple(
            _named(f"revertingTxHashes[{i}]", decode_hash, h) for i, h in enumerate(reverting)
        ),
        min_timestamp=_optional("minTimestamp", value.get("minTimestamp")),
        max_timestamp=_optional("maxTimestamp", value.get("maxTimestamp")),
    )


def _leg(i: int, leg: Any) -> tuple[int, bytes]:
    if not isinstance(leg, dict) or set(leg) != {"chainId", "rawTx"}:
        raise InvalidParams(f"leg {i}: want an object {{chainId, rawTx}}")
    chain_id = _named(f"leg {i}: chainId", decode_uint64, leg["chainId"])
    raw = _named(f"leg {i}: rawTx", decode_data, leg["rawTx"])
    if not raw:
        raise InvalidParams(f"leg {i}: rawTx is empty")
    return chain_id, raw


def _optional(name: str, value: Any) -> int | None:
    return None if value is None else _named(name, decode_uint64, value)


def _named(name: str, decode: Callable[[Any], Any], value: Any) -> Any:
    try:
        return decode(value)
    except InvalidParams as exc:
        raise InvalidParams(f"{name}: {exc.message}") from None


def decode_slot_ref(value: Any) -> int | Literal["latest"]:
    if value == "latest":
        return "latest"
    return _named("slot", decode_uint64, value)


def bundle_json(shared: SharedSequencer, record: BundleRecord) -> dict[str, Any]:
    """``crossroll_getBundle``: the record, each included leg with its receipt."""
    out = record.to_json()
    for leg in out["legs"]:
        leg["receipt"] = None
        if leg["blockNumber"] is not None:
            leg["receipt"] = _receipt(shared, leg["chainId"], bytes.fromhex(leg["txHash"][2:]))
    return out


def _receipt(shared: SharedSequencer, chain_id: int, tx_hash: bytes) -> dict[str, Any] | None:
    chain = shared.members[chain_id]
    receipt = chain.receipt(tx_hash)
    if receipt is None:  # its block left the chain (evm_revert)
        return None
    try:
        block = chain.block(receipt.block_hash)
    except UnknownBlock:
        return receipt_json(receipt, None)
    return receipt_json(receipt, block.header, block.transactions[receipt.transaction_index])


def add_methods(table: MethodTable, wiring: Callable[[Any], Any]) -> None:
    """Register the methods; ``wiring(ctx)`` is the network's SequencingWiring."""
    table.add(
        "crossroll_sendBundle",
        lambda ctx, request: "0x" + wiring(ctx).send_bundle_request(request).hex(),
        [decode_bundle_request],
    )
    table.add(
        "crossroll_getBundle",
        lambda ctx, h: wiring(ctx).bundle_json(h),
        [decode_hash],
    )
    table.add(
        "crossroll_getSlot",
        lambda ctx, n: wiring(ctx).slot_json(n),
        [opt(decode_slot_ref, "latest")],
    )
    table.add("crossroll_getSequencing", lambda ctx: wiring(ctx).sequencing_json())
