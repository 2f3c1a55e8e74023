"""The L1 blob sidecar store: KZG checks on the way in, lookups, retention in virtual time,
and the EIP-4844 blob gas market."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator

import pytest

from crossroll.chain.rules import L1Rules
from crossroll.clock import VirtualClock
from crossroll.da.blob import encode_blob
from crossroll.da.kzg import BlobSidecar
from crossroll.errors import DataError
from crossroll.l1 import (
    DEFAULT_RETENTION_SECONDS,
    BlobsPruned,
    BlobStore,
    BlobsUnknown,
    InvalidSidecar,
    blob_base_fee,
    blob_gas_used,
    fake_exponential,
    next_excess_blob_gas,
)

START = 1_700_000_000
DAY = 86_400.0
A = BlobSidecar.of(encode_blob(b"crossroll blob A " * 300))
B = BlobSidecar.of(encode_blob(b"crossroll blob B " * 300))
C = BlobSidecar.of(encode_blob(b"crossroll blob C " * 300))


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=START)


@pytest.fixture
def store(clock: VirtualClock) -> Iterator[BlobStore]:
    s = BlobStore(clock, retention_seconds=DAY)
    yield s
    s.close()


def flipped(sidecar: BlobSidecar, at: int = 31) -> BlobSidecar:
    blob = bytearray(sidecar.blob)
    blob[at] ^= 0x01
    return dataclasses.replace(sidecar, blob=bytes(blob))


# ----------------------------------------------------------------- the store
def test_default_retention_is_ethereums() -> None:
    assert DEFAULT_RETENTION_SECONDS == 4096 * 32 * 12 == L1Rules.blob_retention_seconds
    assert round(DEFAULT_RETENTION_SECONDS / DAY, 1) == 18.2


def test_add_and_get(store: BlobStore) -> None:
    store.add(5, START, [A, B])
    store.add(6, START + 12, [C])
    assert store.sidecars(5) == (A, B)
    assert store.block(6).timestamp == START + 12
    assert store.by_versioned_hash(B.versioned_hash) is B
    assert store.by_versioned_hash(C.versioned_hash) is C
    assert B.versioned_hash[0] == 0x01
    assert len(store) == 3
    assert store.status(5) == "available"
    assert store.status(7) == "unknown"


def test_flipped_blob_byte_is_rejected_and_nothing_stored(store: BlobStore) -> None:
    bad = flipped(B)
    assert bad.versioned_hash == B.versioned_hash and not bad.verify()
    with pytest.raises(InvalidSidecar, match="sidecar 1 of block 5 does not match") as info:
        store.add(5, START, [A, bad])
    assert isinstance(info.value, DataError)
    assert len(store) == 0
    with pytest.raises(BlobsUnknown):
        store.sidecars(5)
    with pytest.raises(BlobsUnknown):
        store.by_versioned_hash(A.versioned_hash)
    store.add(5, START, [A, B])  # the block can still get its real sidecars
    assert store.sidecars(5) == (A, B)


@pytest.mark.parametrize(
    "bad",
    [
        dataclasses.replace(A, commitment=B.commitment),
        dataclasses.replace(A, proof=B.proof),
        dataclasses.replace(A, versioned_hash=B.versioned_hash),
        dataclasses.replace(A, blob=A.blob[:-1]),
    ],
    ids=["commitment", "proof", "versioned-hash", "short-blob"],
)
def test_mismatched_sidecars_are_rejected(store: BlobStore, bad: BlobSidecar) -> None:
    with pytest.raises(InvalidSidecar):
        store.add(1, START, [bad])
    assert len(store) == 0 and store.status(1) == "unknown"


def test_a_block_gets_its_sidecars_once(store: BlobStore) -> None:
    store.add(1, START, [A])
    with pytest.raises(DataError, match="already has"):
        store.add(1, START, [B])


def test_pruned_after_the_window_by_the_timer(store: BlobStore, clock: VirtualClock) -> None:
    store.add(1, START, [A])
    store.add(2, START + 12 * 3600, [B])  # half a day later
    clock.advance(DAY - 1)
    assert store.sidecars(1) == (A,) and store.sidecars(2) == (B,)
    clock.advance(store.prune_interval + 1)  # block 1 is past the window; a prune ran
    assert store.block_numbers() == [2]
    assert len(store) == 1
    with pytest.raises(BlobsPruned, match="block 1 were pruned") as pruned:
        store.sidecars(1)
    assert pruned.value.data == {"blockNumber": 1, "status": "pruned"}
    with pytest.raises(BlobsPruned):
        store.by_versioned_hash(A.versioned_hash)
    assert store.status(1) == "pruned"
    assert store.by_versioned_hash(B.versioned_hash) is B
    # "pruned" stays distinct from "never existed"
    with pytest.raises(BlobsUnknown, match="no blob sidecars for block 3") as unknown:
        store.sidecars(3)
    assert unknown.value.data == {"blockNumber": 3, "status": "unknown"}
    with pytest.raises(BlobsUnknown):
        store.by_versioned_hash(C.versioned_hash)
    clock.advance(DAY)
    assert store.block_numbers() == [] and store.status(2) == "pruned"


def test_expired_data_is_pruned_even_between_two_prunes(clock: VirtualClock) -> None:
    store = BlobStore(clock, retention_seconds=100, prune_interval=10_000)
    try:
        store.add(1, START, [A])
        clock.advance(100)
        assert store.block_numbers() == [1]  # no prune yet
        with pytest.raises(BlobsPruned):
            store.sidecars(1)
        assert store.prune() == 1
        assert store.status(1) == "pruned"
    finally:
        store.close()


def test_close_stops_the_pruning_timer(clock: VirtualClock) -> None:
    before = clock.pending()
    store = BlobStore(clock, retention_seconds=60)
    assert clock.pending() == before + 1
    store.close()
    store.close()
    assert clock.pending() == before


def test_retention_must_be_positive(clock: VirtualClock) -> None:
    with pytest.raises(ValueError):
        BlobStore(clock, retention_seconds=0)


# ----------------------------------------------------------- EIP-4844 blob gas
def eip_fake_exponential(factor: int, numerator: int, denominator: int) -> int:
    """Copied from EIP-4844's specification, independently of crossroll's."""
    i = 1
    output = 0
    numerator_accum = factor * denominator
    while numerator_accum > 0:
        output += numerator_accum
        numerator_accum = (numerator_accum * numerator) // (denominator * i)
        i += 1
    return output // denominator


@pytest.mark.parametrize(
    ("excess", "fee"),
    [(0, 1), (2_314_057, 1), (2_314_058, 2), (10 * 1024 * 1024, 23)],  # geth's vectors
)
def test_blob_base_fee_vectors(excess: int, fee: int) -> None:
    assert blob_base_fee(excess) == fee


@pytest.mark.parametrize(
    ("factor", "numerator", "denominator", "want"),
    [  # geth's TestFakeExponential vectors
        (1, 0, 1, 1),
        (38493, 0, 1000, 38493),
        (0, 1234, 2345, 0),
        (1, 2, 1, 6),
        (1, 4, 2, 6),
        (1, 3, 1, 16),
        (1, 6, 2, 18),
        (1, 4, 1, 49),
        (1, 8, 2, 50),
        (10, 8, 2, 542),
        (11, 8, 2, 596),
        (1, 5, 1, 136),
        (1, 5, 2, 11),
        (2, 5, 2, 23),
    ],
)
def test_fake_exponential_vectors(factor: int, numerator: int, denominator: int, want: int) -> None:
    assert fake_exponential(factor, numerator, denominator) == want


def test_blob_base_fee_follows_the_eip_formula() -> None:
    fraction = 3_338_477
    for excess in [1, 131_072, 393_216, 786_432, 10**7, 3 * 10**7, 6 * 10**7, 10**8]:
        want = eip_fake_exponential(1, excess, fraction)
        assert blob_base_fee(excess) == want
        assert want == pytest.approx(math.exp(excess / fraction), rel=1e-3, abs=1)
    previous = 0
    for excess in range(0, 200_000_000, 1_000_003):
        fee = blob_base_fee(excess)
        assert fee >= previous
        previous = fee
    assert blob_base_fee(fraction * 10) == pytest.approx(math.exp(10), rel=1e-4)
    with pytest.raises(ValueError):
        blob_base_fee(-1)


def test_next_excess_blob_gas() -> None:
    target = 393_216
    assert blob_gas_used(1) == 131_072 and blob_gas_used(6) == 786_432
    assert next_excess_blob_gas(0, 0) == 0
    assert next_excess_blob_gas(0, blob_gas_used(3)) == 0  # at target
    assert next_excess_blob_gas(0, blob_gas_used(6)) == target
    assert next_excess_blob_gas(100_000, blob_gas_used(2)) == 0  # under target: floor at 0
    assert next_excess_blob_gas(500_000, blob_gas_used(2)) == 500_000 - 131_072
    excess = 0
    for _ in range(10):  # full blocks raise the fee ...
        excess = next_excess_blob_gas(excess, blob_gas_used(6))
    assert excess == 10 * target and blob_base_fee(excess) > 1
    for _ in range(10):  # ... and empty ones bring it back down
        excess = next_excess_blob_gas(excess, 0)
    assert excess == 0 and blob_base_fee(excess) == 1
