"""The settlement layer (DESIGN.md §3.3): L1-only pieces on top of the plain chain.

Safe and finalized heads are chain rules (:class:`~crossroll.chain.rules.L1Rules`);
this package holds the blob sidecar store with its retention window and the EIP-4844
blob gas market (:mod:`crossroll.l1.blobs`).
"""

from __future__ import annotations

from .blobs import (
    BLOB_BASE_FEE_UPDATE_FRACTION,
    DEFAULT_RETENTION_SECONDS,
    GAS_PER_BLOB,
    MAX_BLOB_GAS_PER_BLOCK,
    MIN_BLOB_BASE_FEE,
    TARGET_BLOB_GAS_PER_BLOCK,
    BlobsPruned,
    BlobStore,
    BlobsUnknown,
    BlockBlobs,
    InvalidSidecar,
    blob_base_fee,
    blob_gas_used,
    chain_sidecars,
    fake_exponential,
    next_excess_blob_gas,
)

__all__ = [
    "BLOB_BASE_FEE_UPDATE_FRACTION",
    "DEFAULT_RETENTION_SECONDS",
    "GAS_PER_BLOB",
    "MAX_BLOB_GAS_PER_BLOCK",
    "MIN_BLOB_BASE_FEE",
    "TARGET_BLOB_GAS_PER_BLOCK",
    "BlobStore",
    "BlobsPruned",
    "BlobsUnknown",
    "BlockBlobs",
    "InvalidSidecar",
    "blob_base_fee",
    "blob_gas_used",
    "chain_sidecars",
    "fake_exponential",
    "next_excess_blob_gas",
]
