"""The L2 batch value and the codec interface, plus the RLP codec (OP's singular batches).

A :class:`Batch` is what a batcher posts for a run of L2 blocks: per block its number,
timestamp, parent hash, L1 origin and raw signed transactions (deposits excluded: L1 already has
them).  A codec turns a batch into bytes that start with the codec's version byte;
:func:`decode_batch` dispatches on that byte.  The columnar codec lives in
:mod:`crossroll.da.columnar`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

import rlp
from eth_utils import big_endian_to_int

from ..errors import DecodingError, EncodingError

RLP_VERSION = 0x00


@dataclass(frozen=True, slots=True)
class L2BlockData:
    number: int
    timestamp: int
    parent_hash: bytes  # 32 bytes
    transactions: tuple[bytes, ...]  # raw signed txs, deposits excluded
    #: Number of the block's L1 origin: derivation rebuilds the block's deposits (the
    #: L1-attributes deposit and the portal's deposits up to it) from that L1 block.
    l1_origin: int = 0

    def __post_init__(self) -> None:
        if len(self.parent_hash) != 32:
            raise EncodingError("parent_hash must be 32 bytes")
        if self.number < 0 or self.timestamp < 0 or self.l1_origin < 0:
            raise EncodingError("block number, timestamp and L1 origin must be non-negative")


@dataclass(frozen=True, slots=True)
class Batch:
    blocks: tuple[L2BlockData, ...]

    @property
    def transactions(self) -> tuple[bytes, ...]:
        return tuple(tx for block in self.blocks for tx in block.transactions)


class BatchCodec(ABC):
    """Batch ⇄ bytes.  ``encode`` output starts with :attr:`version`."""

    version: int
    name: str

    @abstractmethod
    def encode(self, batch: Batch) -> bytes: ...

    @abstractmethod
    def decode(self, data: bytes) -> Batch:
        """Inverse of :meth:`encode`; any malformed input raises :class:`DecodingError`."""


def _uint(item: object) -> int:
    if not isinstance(item, bytes) or item[:1] == b"\x00" or len(item) > 32:
        raise DecodingError("non-canonical integer")
    return big_endian_to_int(item)


class RlpCodec(BatchCodec):
    """``0x00 ‖ rlp([[number, timestamp, parent_hash, l1_origin, [raw_tx, ...]], ...])``."""

    version = RLP_VERSION
    name = "rlp"

    def encode(self, batch: Batch) -> bytes:
        body = [
            [b.number, b.timestamp, b.parent_hash, b.l1_origin, list(b.transactions)]
            for b in batch.blocks
        ]
        return bytes([self.version]) + rlp.encode(body)

    def decode(self, data: bytes) -> Batch:
        if data[:1] != bytes([self.version]):
            raise DecodingError("not an RLP batch")
        try:
            items = rlp.decode(data[1:], strict=True)
        except rlp.exceptions.DecodingError as exc:
            raise DecodingError(f"batch is not valid RLP: {exc}") from exc
        if not isinstance(items, list):
            raise DecodingError("batch must be a list of blocks")
        blocks = []
        for item in items:
            if not isinstance(item, list) or len(item) != 5:
                raise DecodingError("block must have 5 fields")
            number, timestamp, parent, origin, txs = item
            if not isinstance(parent, bytes) or len(parent) != 32:
                raise DecodingError("parent hash must be 32 bytes")
            if not isinstance(txs, list) or not all(isinstance(tx, bytes) for tx in txs):
                raise DecodingError("transactions must be byte strings")
            blocks.append(
                L2BlockData(_uint(number), _uint(timestamp), parent, tuple(txs), _uint(origin))
            )
        return Batch(tuple(blocks))


def codecs() -> dict[int, BatchCodec]:
    """Every codec that can round-trip signed transactions, by version byte."""
    from .columnar import ColumnarCodec

    return {c.version: c for c in (RlpCodec(), ColumnarCodec())}


def decode_batch(data: bytes, registry: Mapping[int, BatchCodec] | None = None) -> Batch:
    """Decode with the codec named by the version byte (from ``registry``, default :func:`codecs`)."""
    codec = (codecs() if registry is None else registry).get(data[0]) if data else None
    if codec is None:
        raise DecodingError(f"unknown batch version {data[:1].hex() or 'empty'}")
    return codec.decode(data)
