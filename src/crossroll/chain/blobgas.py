"""The EIP-4844 blob gas market (Cancun): blob gas per blob, excess blob gas, blob base fee."""

from __future__ import annotations

#: Blob gas one blob uses (2**17).
GAS_PER_BLOB = 131_072
#: Cancun: 3 blobs per block targeted, 6 at most.
TARGET_BLOB_GAS_PER_BLOCK = 393_216
MAX_BLOB_GAS_PER_BLOCK = 786_432
MIN_BLOB_BASE_FEE = 1
BLOB_BASE_FEE_UPDATE_FRACTION = 3_338_477


def fake_exponential(factor: int, numerator: int, denominator: int) -> int:
    """EIP-4844's integer approximation of ``factor * e ** (numerator / denominator)``."""
    i = 1
    output = 0
    accum = factor * denominator
    while accum > 0:
        output += accum
        accum = accum * numerator // (denominator * i)
        i += 1
    return output // denominator


def blob_base_fee(
    excess_blob_gas: int, *, update_fraction: int = BLOB_BASE_FEE_UPDATE_FRACTION
) -> int:
    """Wei per blob gas for a block with ``excess_blob_gas`` (EIP-4844, Cancun)."""
    if excess_blob_gas < 0:
        raise ValueError(f"excess blob gas must be >= 0, got {excess_blob_gas}")
    return fake_exponential(MIN_BLOB_BASE_FEE, excess_blob_gas, update_fraction)


def next_excess_blob_gas(
    parent_excess_blob_gas: int,
    parent_blob_gas_used: int,
    *,
    target: int = TARGET_BLOB_GAS_PER_BLOCK,
) -> int:
    """The child's ``excess_blob_gas`` (EIP-4844's ``calc_excess_blob_gas``)."""
    total = parent_excess_blob_gas + parent_blob_gas_used
    return 0 if total < target else total - target


def blob_gas_used(blob_count: int) -> int:
    return blob_count * GAS_PER_BLOB
