"""EIP-4844 blob transactions (type 3): the network form and its sidecar checks.

``eth_sendRawTransaction`` takes the *network form*
``0x03 || rlp([tx_payload_body, blobs, commitments, proofs])``; the block holds the
*canonical form* ``0x03 || rlp(tx_payload_body)``, whose keccak is the transaction
hash.  :func:`unwrap` splits one into the other, :func:`check_sidecars` checks the
sidecars against the transaction as geth's pool does (counts, versioned hashes,
KZG proofs via :mod:`crossroll.da.kzg`).  Error wording: :mod:`.validation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import rlp
from eth_hash.auto import keccak
from eth_keys import keys

from ..da.kzg import BlobSidecar, verify, versioned_hash
from ..types import Hash32, Transaction
from . import validation as v
from .blobgas import GAS_PER_BLOB, MAX_BLOB_GAS_PER_BLOCK
from .engine.decode import rlp_item_end

BLOB_TX_TYPE = 3
#: Cancun: at most 6 blobs per block, hence per transaction.
MAX_BLOBS_PER_BLOCK = MAX_BLOB_GAS_PER_BLOCK // GAS_PER_BLOB
# Positions of max_fee_per_blob_gas and blob_versioned_hashes in the payload body.
_MAX_FEE_PER_BLOB_GAS, _BLOB_HASHES = 9, 10


def unwrap(raw: bytes) -> tuple[bytes, tuple[list[bytes], list[bytes], list[bytes]] | None]:
    """``(canonical form, (blobs, commitments, proofs))`` of a type-3 encoding; the
    sidecar part is None when ``raw`` already is the canonical form (no sidecar)."""
    try:
        start, end = rlp_item_end(raw, 1)
        if raw[1] < 0xC0 or start >= len(raw) or raw[start] < 0xC0:
            return raw, None  # not a list of lists: the canonical form (or garbage)
        if end != len(raw):
            raise IndexError(end)
        body_end = rlp_item_end(raw, start)[1]
        parts = rlp.decode(raw[1:], strict=True)
    except (IndexError, rlp.exceptions.DecodingError):
        raise v.reject("undecodable") from None
    if len(parts) != 4 or not all(isinstance(p, list) for p in parts[1:]):
        raise v.reject("undecodable")
    _, blobs, commitments, proofs = parts
    if not all(isinstance(x, bytes) for x in (*blobs, *commitments, *proofs)):
        raise v.reject("undecodable")
    return b"\x03" + raw[start:body_end], (blobs, commitments, proofs)


@lru_cache(maxsize=4096)
def _fields(raw: bytes) -> tuple[int, tuple[Hash32, ...]]:
    body = rlp.decode(raw[1:])
    return int.from_bytes(body[_MAX_FEE_PER_BLOB_GAS], "big"), tuple(body[_BLOB_HASHES])


def max_fee_per_blob_gas(tx: Transaction) -> int | None:
    """The blob gas fee cap of a type-3 transaction (None for other types)."""
    return _fields(tx.raw)[0] if tx.type == BLOB_TX_TYPE else None


def blob_hashes(tx: Transaction) -> tuple[Hash32, ...] | None:
    """The ``blob_versioned_hashes`` of a type-3 transaction (None for other types)."""
    return _fields(tx.raw)[1] if tx.type == BLOB_TX_TYPE else None


def blob_gas(tx: Transaction) -> int | None:
    """Blob gas a type-3 transaction uses (None for other types)."""
    hashes = blob_hashes(tx)
    return None if hashes is None else GAS_PER_BLOB * len(hashes)


def check_blob_transaction(tx: Transaction) -> None:
    """Checks of the transaction alone: a recipient, 1 to 6 blobs."""
    if tx.to is None:
        raise v.reject("blob_create")
    count = len(blob_hashes(tx) or ())
    if count == 0:
        raise v.reject("blob_none")
    if count > MAX_BLOBS_PER_BLOCK:
        raise v.blob_error(
            f"too many blobs in transaction: have {count}, permitted {MAX_BLOBS_PER_BLOCK}"
        )


def check_sidecars(
    tx: Transaction, sidecar: tuple[list[bytes], list[bytes], list[bytes]] | None
) -> tuple[BlobSidecar, ...]:
    """geth's ``validateBlobSidecar``: one blob, commitment and proof per versioned
    hash, each commitment hashing to its versioned hash, each proof verifying."""
    if sidecar is None:
        raise v.reject("blob_sidecar_missing")
    hashes = blob_hashes(tx) or ()
    for what, items in zip(("blobs", "blob commitments", "blob proofs"), sidecar, strict=True):
        if len(items) != len(hashes):
            raise v.blob_error(
                f"invalid number of {len(items)} {what} compared to {len(hashes)} blob hashes"
            )
    out = []
    for i, (blob, commitment, proof, want) in enumerate(zip(*sidecar, hashes, strict=True)):
        computed = versioned_hash(commitment)
        if computed != want:
            raise v.blob_error(
                f"blob {i}: computed hash 0x{computed.hex()} mismatches transaction one 0x{want.hex()}"
            )
        if not verify(blob, commitment, proof):
            raise v.blob_error(f"invalid blob {i}: can't verify opening proof")
        out.append(BlobSidecar(blob, commitment, proof, computed))
    return tuple(out)


def check_blob_fee(tx: Transaction, blob_base_fee: int) -> None:
    cap = max_fee_per_blob_gas(tx) or 0
    if cap < blob_base_fee:
        raise v.blob_fee_too_low(cap, blob_base_fee)


def sign_blob_transaction(
    private_key: bytes,
    *,
    chain_id: int,
    nonce: int,
    to: bytes | None,
    sidecars: Sequence[BlobSidecar],
    max_fee_per_gas: int,
    max_priority_fee_per_gas: int,
    max_fee_per_blob_gas: int,
    gas: int = 21_000,
    value: int = 0,
    data: bytes = b"",
    blob_hashes: Sequence[Hash32] | None = None,
    network_form: bool = True,
) -> bytes:
    """A signed type-3 transaction carrying ``sidecars`` (``BlobSidecar.of(blob)``),
    in the network form unless ``network_form`` is False.  ``blob_hashes`` overrides
    the versioned hashes the transaction commits to (tests build invalid ones)."""
    hashes = [s.versioned_hash for s in sidecars] if blob_hashes is None else list(blob_hashes)
    fields: list[object] = [
        chain_id, nonce, max_priority_fee_per_gas, max_fee_per_gas, gas, to or b"", value,
        data, [], max_fee_per_blob_gas, hashes,
    ]  # fmt: skip
    digest = keccak(b"\x03" + rlp.encode(fields))
    sig = keys.PrivateKey(private_key).sign_msg_hash(digest)
    body = [*fields, sig.v, sig.r, sig.s]
    if not network_form:
        return b"\x03" + rlp.encode(body)
    return b"\x03" + rlp.encode(
        [
            body,
            [s.blob for s in sidecars],
            [s.commitment for s in sidecars],
            [s.proof for s in sidecars],
        ]
    )
