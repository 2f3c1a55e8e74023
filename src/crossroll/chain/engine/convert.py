"""Conversions from py-evm objects to crossroll's frozen value types."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth.abc import BlockHeaderAPI, ReceiptAPI, SignedTransactionAPI

from ...types import AccessListEntry, BlockHeader, Hash32, Log, Receipt, Transaction

ZERO_HASH = b"\x00" * 32


def int_to_bytes32(value: int) -> bytes:
    return value.to_bytes(32, "big")


def bloom_bytes(bloom: int) -> bytes:
    return bloom.to_bytes(256, "big")


def to_transaction(evm_tx: SignedTransactionAPI, raw: bytes) -> Transaction:
    """Our value for a decoded, signature-checked py-evm transaction."""
    tx: Any = evm_tx
    type_id = tx.type_id
    if type_id is None:  # legacy
        v = tx.v
        chain_id = tx.chain_id
        gas_price: int | None = tx.gas_price
        max_fee = max_tip = None
        access: tuple[AccessListEntry, ...] = ()
    else:
        v = tx.y_parity
        chain_id = tx.chain_id
        access = tuple(
            AccessListEntry(bytes(addr), tuple(int_to_bytes32(k) for k in keys))
            for addr, keys in tx.access_list
        )
        if type_id == 1:
            gas_price, max_fee, max_tip = tx.gas_price, None, None
        else:
            gas_price, max_fee, max_tip = None, tx.max_fee_per_gas, tx.max_priority_fee_per_gas
    return Transaction(
        hash=tx.hash,
        type=type_id or 0,
        sender=tx.sender,
        nonce=tx.nonce,
        to=tx.to or None,
        value=tx.value,
        gas=tx.gas,
        data=tx.data,
        chain_id=chain_id,
        gas_price=gas_price,
        max_fee_per_gas=max_fee,
        max_priority_fee_per_gas=max_tip,
        access_list=access,
        v=v,
        r=tx.r,
        s=tx.s,
        raw=raw,
    )


# Our header field -> py-evm's attribute.  Fork-specific fields are None on older forks.
_HEADER_FIELDS = {
    "number": "block_number", "hash": "hash", "parent_hash": "parent_hash",
    "uncles_hash": "uncles_hash", "coinbase": "coinbase", "state_root": "state_root",
    "transactions_root": "transaction_root", "receipts_root": "receipt_root",
    "difficulty": "difficulty", "gas_limit": "gas_limit", "gas_used": "gas_used",
    "timestamp": "timestamp", "extra_data": "extra_data", "mix_hash": "mix_hash",
    "nonce": "nonce", "base_fee_per_gas": "base_fee_per_gas",
    "withdrawals_root": "withdrawals_root", "blob_gas_used": "blob_gas_used",
    "excess_blob_gas": "excess_blob_gas", "parent_beacon_block_root": "parent_beacon_block_root",
}  # fmt: skip


def to_header(h: BlockHeaderAPI, size: int) -> BlockHeader:
    fields: dict[str, Any] = {
        ours: getattr(h, theirs, None) for ours, theirs in _HEADER_FIELDS.items()
    }
    return BlockHeader(**fields, logs_bloom=bloom_bytes(h.bloom), size=size)


def to_receipts(
    header: BlockHeader,
    txs: Sequence[Transaction],
    receipts: Sequence[ReceiptAPI],
    contract_addresses: Sequence[bytes | None],
) -> tuple[Receipt, ...]:
    """Receipts with per-tx gas, effective gas price and block-level log indexes."""
    out: list[Receipt] = []
    log_index = 0
    previous_cumulative = 0
    base_fee = header.base_fee_per_gas or 0
    for index, (tx, rc, created) in enumerate(zip(txs, receipts, contract_addresses, strict=True)):
        logs: list[Log] = []
        for entry in rc.logs:
            logs.append(
                Log(
                    address=entry.address,
                    topics=tuple(int_to_bytes32(t) for t in entry.topics),
                    data=entry.data,
                    log_index=log_index,
                    block_number=header.number,
                    block_hash=header.hash,
                    transaction_index=index,
                    transaction_hash=tx.hash,
                )
            )
            log_index += 1
        out.append(
            Receipt(
                transaction_hash=tx.hash,
                transaction_index=index,
                block_hash=header.hash,
                block_number=header.number,
                status=1 if rc.state_root == b"\x01" else 0,
                sender=tx.sender,
                to=tx.to,
                contract_address=created,
                gas_used=rc.gas_used - previous_cumulative,
                cumulative_gas_used=rc.gas_used,
                effective_gas_price=tx.effective_gas_price(base_fee),
                logs=tuple(logs),
                logs_bloom=bloom_bytes(rc.bloom),
                type=tx.type,
            )
        )
        previous_cumulative = rc.gas_used
    return tuple(out)


def hash32(value: Hash32 | None) -> Hash32:
    return value if value is not None else ZERO_HASH
