"""Data availability: how L2 blocks become bytes on L1 and back.

Pipeline (one module per step)::

    Batch ─codec─▶ bytes ─compress─▶ channel ─split─▶ frames ─▶ batcher tx data ─▶ blob(s)
    (batch, columnar)  (compress)     (channel)       (frame)                    (blob, kzg)

and back through :class:`ChannelReader` (reader).  :mod:`~crossroll.da.workload` generates
the standard workload the benchmarks measure.
"""

from __future__ import annotations

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
from .reader import ChannelReader, Dropped, Received

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
    "decompress",
    "encode_blob",
    "parse_batcher_data",
    "proof",
    "read_channel_data",
    "unsigned_form",
    "verify",
    "versioned_hash",
]
