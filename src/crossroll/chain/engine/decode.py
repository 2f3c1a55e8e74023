"""Signed transaction decoding with anvil-compatible rejections."""

from __future__ import annotations

from eth.abc import SignedTransactionAPI
from eth.vm.base import VM

from ...types import Transaction
from ..config import ChainConfig
from ..validation import (
    bad_signature,
    empty_transaction,
    oversized,
    undecodable,
    unsupported_type,
    wrong_chain_id,
)
from .convert import to_transaction


class TransactionDecoder:
    """Decode raw signed transactions for one chain and recover their senders."""

    def __init__(self, vm_class: type[VM], config: ChainConfig) -> None:
        self._builder = vm_class.get_transaction_builder()
        self._chain_id = config.chain_id
        self._types = config.rules.tx_types
        self._max_size = config.rules.max_tx_size
        self._allow_unprotected = config.rules.allow_unprotected

    def decode_evm(self, raw: bytes) -> SignedTransactionAPI:
        """Decode and check: size, type, RLP, signature, chain id."""
        if not raw:
            raise empty_transaction()
        if len(raw) > self._max_size:
            raise oversized()
        first = raw[0]
        if first < 0xC0 and first not in self._types:
            raise unsupported_type(first)
        if first >= 0xC0 and 0 not in self._types:
            raise unsupported_type(0)
        try:
            tx = self._builder.decode(raw)
        except Exception:
            raise undecodable() from None
        try:
            tx.check_signature_validity()
            tx.sender  # noqa: B018 - recover (and cache) the sender now
        except Exception:
            raise bad_signature() from None
        chain_id = tx.chain_id
        if chain_id is None:
            if not self._allow_unprotected:
                raise wrong_chain_id()
        elif chain_id != self._chain_id:
            raise wrong_chain_id()
        return tx

    def decode(self, raw: bytes) -> tuple[SignedTransactionAPI, Transaction]:
        tx = self.decode_evm(raw)
        return tx, to_transaction(tx, raw)
