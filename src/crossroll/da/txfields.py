"""Raw signed transactions ⇄ their fields, exactly.

Types 0 (with and without EIP-155 replay protection), 1 (EIP-2930) and 2 (EIP-1559).
:func:`parse` refuses anything whose fields would not re-encode to the same bytes
(non-canonical RLP, oversize signatures, unknown types), so a codec that stores fields
can always give back the exact raw transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import rlp
from eth_utils import big_endian_to_int

from ..errors import DecodingError, EncodingError

SUPPORTED_TYPES = (0, 1, 2)


@dataclass(frozen=True, slots=True)
class TxFields:
    type: int
    chain_id: int | None  # None: legacy without EIP-155
    nonce: int
    gas_price: int  # types 0, 1; maxFeePerGas for type 2
    tip: int  # maxPriorityFeePerGas (type 2 only, else 0)
    gas: int
    to: bytes | None  # None: contract creation
    value: int
    data: bytes
    access_list: bytes  # RLP of the access list (typed txs), b"" for legacy
    y_parity: int
    r: int
    s: int


def _int(item: object) -> int:
    if not isinstance(item, bytes) or (item[:1] == b"\x00"):
        raise EncodingError("non-canonical integer in transaction")
    return big_endian_to_int(item)


def _to(item: object) -> bytes | None:
    if not isinstance(item, bytes) or len(item) not in (0, 20):
        raise EncodingError("bad 'to' field")
    return item or None


def _bytes(item: object) -> bytes:
    if not isinstance(item, bytes):
        raise EncodingError("expected a byte string")
    return item


def _decode_fields(raw: bytes) -> TxFields:
    try:
        if raw[:1] and raw[0] >= 0xC0:
            items = rlp.decode(raw, strict=True)
            if not isinstance(items, list) or len(items) != 9:
                raise EncodingError("legacy transaction must have 9 fields")
            nonce, price, gas, to, value, data, v, r, s = items
            v_int = _int(v)
            if v_int in (27, 28):
                chain_id, parity = None, v_int - 27
            elif v_int >= 35:
                chain_id, parity = (v_int - 35) // 2, (v_int - 35) % 2
            else:
                raise EncodingError(f"legacy v={v_int} is neither 27/28 nor EIP-155")
            return TxFields(
                0,
                chain_id,
                _int(nonce),
                _int(price),
                0,
                _int(gas),
                _to(to),
                _int(value),
                _bytes(data),
                b"",
                parity,
                _int(r),
                _int(s),
            )
        if raw[:1] in (b"\x01", b"\x02"):
            items = rlp.decode(raw[1:], strict=True)
            n = 11 if raw[0] == 1 else 12
            if not isinstance(items, list) or len(items) != n:
                raise EncodingError(f"type {raw[0]} transaction must have {n} fields")
            if raw[0] == 1:
                cid, nonce, price, gas, to, value, data, al, yp, r, s = items
                tip = b""
            else:
                cid, nonce, tip, price, gas, to, value, data, al, yp, r, s = items
            if not isinstance(al, list):
                raise EncodingError("access list must be a list")
            parity = _int(yp)
            if parity > 1:
                raise EncodingError("y parity must be 0 or 1")
            return TxFields(
                raw[0],
                _int(cid),
                _int(nonce),
                _int(price),
                _int(tip),
                _int(gas),
                _to(to),
                _int(value),
                _bytes(data),
                rlp.encode(al),
                parity,
                _int(r),
                _int(s),
            )
    except rlp.exceptions.DecodingError as exc:
        raise EncodingError(f"transaction is not valid RLP: {exc}") from exc
    raise EncodingError(f"unsupported transaction type {raw[:1].hex() or 'empty'}")


def parse(raw: bytes) -> TxFields:
    """Fields of a raw signed tx; raises :class:`EncodingError` unless they re-encode exactly."""
    fields = _decode_fields(raw)
    if fields.r >= 1 << 256 or fields.s >= 1 << 256:
        raise EncodingError("signature value over 256 bits")
    if encode(fields) != raw:
        raise EncodingError("transaction does not re-encode canonically")
    return fields


def unsigned_payload(f: TxFields) -> list[object]:
    """The RLP list a signer hashes, without the signature."""
    to = f.to or b""
    if f.type == 0:
        base: list[object] = [f.nonce, f.gas_price, f.gas, to, f.value, f.data]
        return base if f.chain_id is None else [*base, f.chain_id, 0, 0]
    al = rlp.decode(f.access_list) if f.access_list else []
    if f.type == 1:
        return [f.chain_id, f.nonce, f.gas_price, f.gas, to, f.value, f.data, al]
    return [f.chain_id, f.nonce, f.tip, f.gas_price, f.gas, to, f.value, f.data, al]


def encode(f: TxFields) -> bytes:
    """The raw signed encoding of ``f``."""
    if f.type not in SUPPORTED_TYPES:
        raise DecodingError(f"unsupported transaction type {f.type}")
    if f.type != 0 and f.chain_id is None:
        raise DecodingError("typed transaction without a chain id")
    try:
        payload = unsigned_payload(f)
    except rlp.exceptions.DecodingError as exc:
        raise DecodingError("access list is not valid RLP") from exc
    if f.type == 0:
        v = 27 + f.y_parity if f.chain_id is None else f.chain_id * 2 + 35 + f.y_parity
        return rlp.encode([*payload[:6], v, f.r, f.s])
    return bytes([f.type]) + rlp.encode([*payload, f.y_parity, f.r, f.s])


def signing_message(f: TxFields) -> bytes:
    """The bytes whose keccak the sender signed (typed prefix included)."""
    body = rlp.encode(unsigned_payload(f))
    return body if f.type == 0 else bytes([f.type]) + body
