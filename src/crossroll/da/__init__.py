"""Data availability: how L2 blocks become bytes on L1 and back.

Pipeline (one module per step)::

    Batch ─codec─▶ bytes ─compress─▶ channel ─split─▶ frames ─▶ batcher tx data ─▶ blob(s)
    (batch, columnar)  (compress)     (channel)       (frame)                    (blob, kzg)

and back through :class:`ChannelReader` (reader).  A shared sequencer wraps several
rollups' batcher data in one envelope (namespace).  :mod:`~crossroll.da.workload`
generates the standard workload the benchmarks measure.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .batch import Batch, BatchCodec, L2BlockData, RlpCodec, codecs, decode_batch
    from .blob import BLOB_SIZE, MAX_BLOB_DATA, decode_blob, encode_blob
    from .channel import Channel, ChannelBuilder, channel_data, read_channel_data
    from .columnar import ColumnarCodec, UnsignedColumnarCodec, unsigned_form
    from .compress import (
        BROTLI,
        BROTLI_FAST,
        COMPRESSORS,
        NONE,
        ZLIB,
        BrotliCompressor,
        Compressor,
        NoCompressor,
        ZlibCompressor,
        decompress,
    )
    from .frame import Frame, batcher_data, parse_batcher_data
    from .kzg import BlobSidecar, commitment, proof, verify, versioned_hash
    from .namespace import EnvelopeEntry, decode_envelope, encode_envelope, pack_envelopes
    from .reader import ChannelReader, Dropped, Received

# Imported on first use: the package is imported by the L1 (for kzg) at start-up, and
# loading every codec and compressor there would cost start-up time for nothing.
_LAZY = {
    "BLOB_SIZE": "blob",
    "BROTLI": "compress",
    "BROTLI_FAST": "compress",
    "Batch": "batch",
    "BatchCodec": "batch",
    "BlobSidecar": "kzg",
    "BrotliCompressor": "compress",
    "COMPRESSORS": "compress",
    "Channel": "channel",
    "ChannelBuilder": "channel",
    "ChannelReader": "reader",
    "ColumnarCodec": "columnar",
    "Compressor": "compress",
    "Dropped": "reader",
    "EnvelopeEntry": "namespace",
    "Frame": "frame",
    "L2BlockData": "batch",
    "MAX_BLOB_DATA": "blob",
    "NONE": "compress",
    "NoCompressor": "compress",
    "Received": "reader",
    "RlpCodec": "batch",
    "UnsignedColumnarCodec": "columnar",
    "ZLIB": "compress",
    "ZlibCompressor": "compress",
    "batcher_data": "frame",
    "channel_data": "channel",
    "codecs": "batch",
    "commitment": "kzg",
    "decode_batch": "batch",
    "decode_blob": "blob",
    "decode_envelope": "namespace",
    "decompress": "compress",
    "encode_blob": "blob",
    "encode_envelope": "namespace",
    "pack_envelopes": "namespace",
    "parse_batcher_data": "frame",
    "proof": "kzg",
    "read_channel_data": "channel",
    "unsigned_form": "columnar",
    "verify": "kzg",
    "versioned_hash": "kzg",
}

__all__ = [
    "BLOB_SIZE",
    "BROTLI",
    "BROTLI_FAST",
    "COMPRESSORS",
    "MAX_BLOB_DATA",
    "NONE",
    "ZLIB",
    "Batch",
    "BatchCodec",
    "BlobSidecar",
    "BrotliCompressor",
    "Channel",
    "ChannelBuilder",
    "ChannelReader",
    "ColumnarCodec",
    "Compressor",
    "Dropped",
    "EnvelopeEntry",
    "Frame",
    "L2BlockData",
    "NoCompressor",
    "Received",
    "RlpCodec",
    "UnsignedColumnarCodec",
    "ZlibCompressor",
    "batcher_data",
    "channel_data",
    "codecs",
    "commitment",
    "decode_batch",
    "decode_blob",
    "decode_envelope",
    "decompress",
    "encode_blob",
    "encode_envelope",
    "pack_envelopes",
    "parse_batcher_data",
    "proof",
    "read_channel_data",
    "unsigned_form",
    "verify",
    "versioned_hash",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
