"""Signed transaction decoding with anvil-compatible rejections."""

from __future__ import annotations

from eth.abc import SignedTransactionAPI
from eth.vm.base import VM
from eth_hash.auto import keccak
from eth_keys import keys

from ...types import Transaction
from ..config import ChainConfig
from ..validation import reject, unsupported_type
from .convert import to_transaction


def rlp_item_end(data: bytes, pos: int) -> tuple[int, int]:
    """(payload start, end) of the RLP item starting at ``pos``."""
    first = data[pos]
    if first < 0x80:
        return pos, pos + 1
    if first < 0xB8:
        return pos + 1, pos + 1 + first - 0x80
    if first < 0xC0:
        n = first - 0xB7
        length = int.from_bytes(data[pos + 1 : pos + 1 + n], "big")
        return pos + 1 + n, pos + 1 + n + length
    if first < 0xF8:
        return pos + 1, pos + 1 + first - 0xC0
    n = first - 0xF7
    length = int.from_bytes(data[pos + 1 : pos + 1 + n], "big")
    return pos + 1 + n, pos + 1 + n + length


def signing_message(raw: bytes) -> bytes | None:
    """``get_message_for_signing()`` of a type 1 or 2 transaction, cut out of its
    raw bytes: the type byte and the RLP list of every field but the last three
    (y_parity, r, s).  py-evm re-encodes the decoded fields instead; the raw bytes
    passed its strict (canonical) decoding, so they are that encoding.  None for
    other types (a type-3 network encoding wraps blobs around the fields)."""
    if not raw or raw[0] not in (1, 2):
        return None
    start, end = rlp_item_end(raw, 1)
    if end != len(raw):
        return None
    starts = []
    pos = start
    while pos < end:
        starts.append(pos)
        pos = rlp_item_end(raw, pos)[1]
    if pos != end or len(starts) < 3:
        return None
    payload = raw[start : starts[-3]]
    n = len(payload)
    if n < 56:
        prefix = bytes([0xC0 + n])
    else:
        size = n.to_bytes((n.bit_length() + 7) // 8, "big")
        prefix = bytes([0xF7 + len(size)]) + size
    return raw[:1] + prefix + payload


def _recover_typed_sender(tx: SignedTransactionAPI, raw: bytes | None = None) -> None:
    """``check_signature_validity()`` then ``sender`` for a typed (EIP-2718)
    transaction, with one public-key recovery instead of two recoveries and a
    verification.

    py-evm's check recovers the key from the signature and verifies the signature
    against that key (with s coerced low); a signature always verifies against the
    key recovered from it ((r, s) and (r, n - s) are both valid for that key), so
    the recovery alone decides, and its result is the sender.  Recovery fails
    (raises) exactly when the check would."""
    message = signing_message(raw) if raw is not None else None
    if message is None or raw is None:
        message = tx.get_message_for_signing()
    else:  # raw is the canonical encoding: its hash is the transaction hash
        tx.__dict__["hash"] = keccak(raw)
    signature = keys.Signature(vrs=(tx.y_parity, tx.r, tx.s))
    public_key = signature.recover_public_key_from_msg(message)
    # ``sender`` is a cached_property: fill its cache as reading it would.
    tx.__dict__["sender"] = public_key.to_canonical_address()


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
            raise reject("empty_transaction")
        first = raw[0]  # the type first: a type-3 network form is larger than the limit
        if first < 0xC0 and first not in self._types:
            raise unsupported_type(first)
        if first >= 0xC0 and 0 not in self._types:
            raise unsupported_type(0)
        if len(raw) > self._max_size:
            raise reject("oversized")
        try:
            tx = self._builder.decode(raw)
        except Exception:
            raise reject("undecodable") from None
        try:
            if first < 0xC0:
                _recover_typed_sender(tx, raw)
            else:
                tx.check_signature_validity()
                tx.sender  # noqa: B018 - recover (and cache) the sender now
        except Exception:
            raise reject("bad_signature") from None
        chain_id = tx.chain_id
        if chain_id is None:
            if not self._allow_unprotected:
                raise reject("wrong_chain_id")
        elif chain_id != self._chain_id:
            raise reject("wrong_chain_id")
        return tx

    def decode(self, raw: bytes) -> tuple[SignedTransactionAPI, Transaction]:
        tx = self.decode_evm(raw)
        return tx, to_transaction(tx, raw)
