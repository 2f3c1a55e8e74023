"""eth_call on py-evm: a spoofed (unsigned) transaction run on a throwaway state."""

from __future__ import annotations

from typing import Any

from eth.db.chain import ChainDB
from eth.vm.base import VM
from eth.vm.execution_context import ExecutionContext
from eth.vm.spoof import SpoofTransaction
from eth_utils import ValidationError

from ...errors import TransactionRejected
from ...types import BlockHeader, CallRequest, CallResult, Hash32, Log
from ..validation import reject
from .convert import ZERO_HASH

# ExecutionContext argument <- our header field: the block a call runs "inside".
_CONTEXT_FROM_HEADER = (
    ("coinbase", "coinbase"), ("timestamp", "timestamp"), ("block_number", "number"),
    ("difficulty", "difficulty"), ("mix_hash", "mix_hash"), ("gas_limit", "gas_limit"),
)  # fmt: skip


def run_call(
    vm_class: type[VM],
    chaindb: ChainDB,
    chain_id: int,
    header: BlockHeader,
    state_root: Hash32,
    request: CallRequest,
) -> CallResult:
    """Execute ``request`` as a transaction on ``state_root`` in ``header``'s block
    environment.  The state object is never persisted, so nothing changes."""
    gas_price = request.gas_price
    if gas_price is None:
        gas_price = request.max_fee_per_gas or 0
    base_fee = header.base_fee_per_gas or 0
    if gas_price < base_fee:  # calls do not enforce the base fee (geth, anvil)
        base_fee = 0
    prev_hashes = vm_class.get_prev_hashes(header.parent_hash, chaindb)  # type: ignore[arg-type]
    context_class: Any = ExecutionContext
    from_header = {name: getattr(header, attr) for name, attr in _CONTEXT_FROM_HEADER}
    ctx = context_class(
        **from_header,
        prev_hashes=prev_hashes,
        chain_id=chain_id,
        base_fee_per_gas=base_fee,
        excess_blob_gas=header.excess_blob_gas or 0,
    )
    state = vm_class.get_state_class()(chaindb.db, ctx, state_root)
    sender: Any = request.sender or b"\x00" * 20
    gas = request.gas if request.gas is not None else header.gas_limit
    nonce = state.get_nonce(sender)
    builder: Any = vm_class.get_transaction_builder()
    to: Any = request.to or b""
    fields: dict[str, Any] = {
        "nonce": nonce, "gas_price": gas_price, "gas": gas, "to": to,
        "value": request.value, "data": request.data,
    }  # fmt: skip
    if request.access_list:
        access = [
            (e.address, [int.from_bytes(k, "big") for k in e.storage_keys])
            for e in request.access_list
        ]
        unsigned = builder.new_unsigned_access_list_transaction(
            chain_id=chain_id, access_list=access, **fields
        )
    else:
        unsigned = builder.create_unsigned_transaction(**fields)
    spoof: Any = SpoofTransaction(unsigned, from_=sender)
    any_vm: Any = vm_class
    try:
        comp = state.apply_transaction(spoof)  # state is never persisted
    except ValidationError as exc:
        text = str(exc)
        if "balance" in text or "afford" in text:
            raise reject("insufficient_funds") from None
        if "gas" in text.lower():
            raise reject("call_gas_below_intrinsic") from None
        raise TransactionRejected(text) from None
    gas_used = any_vm.finalize_gas_used(spoof, comp)
    logs = tuple(
        Log(
            address=addr,
            topics=tuple(t.to_bytes(32, "big") for t in topics),
            data=data,
            block_number=header.number,
            block_hash=header.hash,
            transaction_hash=ZERO_HASH,
            transaction_index=0,
            log_index=i,
        )
        for i, (addr, topics, data) in enumerate(comp.get_log_entries())
    )
    if comp.is_error:
        err = comp.error
        return CallResult(
            success=False,
            output=bytes(comp.output) if type(err).__name__ == "Revert" else b"",
            gas_used=gas_used,
            logs=(),
            error=type(err).__name__,
        )
    return CallResult(success=True, output=bytes(comp.output), gas_used=gas_used, logs=logs)
