"""Blob sidecars of the embedded L1: a KZG-checked store with Ethereum's retention window,
and the EIP-4844 blob gas market.

:class:`BlobStore` keeps the sidecars of each L1 block, verifying every one with KZG on
the way in, answers lookups by block number or versioned hash, and forgets sidecars once
they are older than the retention window (Ethereum's
``MIN_EPOCHS_FOR_BLOB_SIDECARS_REQUESTS`` = 4096 epochs, about 18.2 days), so data
availability has an expiry as on mainnet.  A lookup of pruned data raises
:class:`BlobsPruned`, distinct from :class:`BlobsUnknown` for data that never existed.

The L1 chain (:meth:`crossroll.chain.Chain.on_sidecars`) calls :meth:`BlobStore.add`
for every L1 block carrying blob transactions (type 3).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..abc import ChainAPI, SchedulerAPI, ServiceAPI, TimerAPI

# The EIP-4844 blob gas market lives with the chain that charges it; re-exported here.
from ..chain.blobgas import BLOB_BASE_FEE_UPDATE_FRACTION as BLOB_BASE_FEE_UPDATE_FRACTION
from ..chain.blobgas import GAS_PER_BLOB as GAS_PER_BLOB
from ..chain.blobgas import MAX_BLOB_GAS_PER_BLOCK as MAX_BLOB_GAS_PER_BLOCK
from ..chain.blobgas import MIN_BLOB_BASE_FEE as MIN_BLOB_BASE_FEE
from ..chain.blobgas import TARGET_BLOB_GAS_PER_BLOCK as TARGET_BLOB_GAS_PER_BLOCK
from ..chain.blobgas import blob_base_fee as blob_base_fee
from ..chain.blobgas import blob_gas_used as blob_gas_used
from ..chain.blobgas import fake_exponential as fake_exponential
from ..chain.blobgas import next_excess_blob_gas as next_excess_blob_gas
from ..chain.rules import SLOTS_PER_EPOCH, ChainRules
from ..da.kzg import BlobSidecar
from ..errors import DataError, InvalidParams, UnknownBlock
from ..types import BlockRef

#: Ethereum's MIN_EPOCHS_FOR_BLOB_SIDECARS_REQUESTS.
MIN_EPOCHS_FOR_BLOB_SIDECARS_REQUESTS = 4096
#: Default retention window in seconds (4096 epochs of 32 twelve-second slots).
DEFAULT_RETENTION_SECONDS = ChainRules.blob_retention_seconds
#: How often the store prunes by default: once per epoch.
DEFAULT_PRUNE_INTERVAL = SLOTS_PER_EPOCH * 12.0


# ------------------------------------------------------------------------ errors
class BlobsPruned(DataError):
    """The sidecars existed but are older than the retention window and were pruned."""


class BlobsUnknown(DataError):
    """No sidecars were ever stored under this block number or versioned hash."""


class InvalidSidecar(DataError):
    """A sidecar whose KZG commitment, proof or versioned hash does not match its blob."""


# ------------------------------------------------------------------------- store
def _verifies(sidecar: BlobSidecar) -> bool:
    try:
        return sidecar.verify()
    except ValueError:  # c-kzg refuses wrongly sized blobs, commitments and proofs
        return False


@dataclass(frozen=True, slots=True)
class BlockBlobs:
    """The sidecars of one L1 block, in blob index order."""

    block_number: int
    timestamp: int
    sidecars: tuple[BlobSidecar, ...]


class BlobStore(ServiceAPI):
    """Sidecars by L1 block, pruned after ``retention_seconds`` of clock time.

    A block's sidecars expire once ``now >= timestamp + retention_seconds``; a
    periodic timer (every ``prune_interval`` seconds, virtual time in tests) drops
    expired ones, and lookups of expired data answer :class:`BlobsPruned` even
    between two prunes.  ``retention_seconds`` may be changed at run time (tests
    shorten it).  Call from the thread that owns the network (under its lock).
    """

    name = "blobs"

    def __init__(
        self,
        scheduler: SchedulerAPI,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        *,
        prune_interval: float | None = None,
    ) -> None:
        if retention_seconds <= 0:
            raise ValueError(f"retention must be > 0 seconds, got {retention_seconds}")
        self.scheduler = scheduler
        self.retention_seconds = float(retention_seconds)
        self.prune_interval = (
            min(DEFAULT_PRUNE_INTERVAL, self.retention_seconds)
            if prune_interval is None
            else prune_interval
        )
        self._blocks: dict[int, BlockBlobs] = {}
        self._order: list[tuple[int, int]] = []  # (timestamp, block number), sorted
        self._by_hash: dict[bytes, tuple[int, int]] = {}  # versioned hash -> (block, index)
        self._pruned_blocks: set[int] = set()
        self._pruned_hashes: set[bytes] = set()
        # Always idle: lookups already treat expired data as pruned, so a virtual clock may
        # skip prunes in long advances (they still run in its tail).
        self._timer: TimerAPI | None = scheduler.every(
            self.prune_interval, self.prune, idle=lambda: True
        )

    # -------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        self.close()

    def close(self) -> None:
        """Cancel the pruning timer; idempotent."""
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    # ------------------------------------------------------------------ write
    def add(
        self,
        block_number: int,
        timestamp: int,
        sidecars: Iterable[BlobSidecar],
        *,
        replace: bool = False,
    ) -> None:
        """Store the sidecars of one block after checking each with KZG.

        Raises :class:`InvalidSidecar` (nothing stored) if any sidecar does not
        verify, and :class:`DataError` if the block already has sidecars, unless
        ``replace`` (the chain re-mined that block number after ``evm_revert``)."""
        items = tuple(sidecars)
        for index, sidecar in enumerate(items):
            if not _verifies(sidecar):
                raise InvalidSidecar(
                    f"blob sidecar {index} of block {block_number} does not match its KZG "
                    f"commitment/proof (versioned hash 0x{sidecar.versioned_hash.hex()})",
                    data={"blockNumber": block_number, "index": index},
                )
        if block_number in self._blocks:
            if not replace:
                raise DataError(f"block {block_number} already has blob sidecars")
            self._forget(block_number)
        entry = BlockBlobs(block_number, int(timestamp), items)
        self._pruned_blocks.discard(block_number)
        self._blocks[block_number] = entry
        bisect.insort(self._order, (entry.timestamp, block_number))
        for index, sidecar in enumerate(items):
            self._by_hash[sidecar.versioned_hash] = (block_number, index)
            self._pruned_hashes.discard(sidecar.versioned_hash)

    def _forget(self, block_number: int) -> BlockBlobs:
        """Drop a block's entry (and its hash index) without marking it pruned."""
        entry = self._blocks.pop(block_number)
        self._order.remove((entry.timestamp, block_number))
        for index, sidecar in enumerate(entry.sidecars):
            if self._by_hash.get(sidecar.versioned_hash) == (block_number, index):
                del self._by_hash[sidecar.versioned_hash]
        return entry

    # ------------------------------------------------------------------- read
    def expired(self, timestamp: float) -> bool:
        """Whether data of a block with ``timestamp`` is outside the retention window."""
        return timestamp + self.retention_seconds <= self.scheduler.now()

    def sidecars(self, block_number: int) -> tuple[BlobSidecar, ...]:
        """The sidecars of a block; :class:`BlobsPruned` or :class:`BlobsUnknown` if none."""
        entry = self._blocks.get(block_number)
        if entry is not None and not self.expired(entry.timestamp):
            return entry.sidecars
        if entry is not None or block_number in self._pruned_blocks:
            raise BlobsPruned(
                f"blob sidecars of block {block_number} were pruned "
                f"(older than the {self.retention_seconds:g}s retention window)",
                data={"blockNumber": block_number, "status": "pruned"},
            )
        raise BlobsUnknown(
            f"no blob sidecars for block {block_number}",
            data={"blockNumber": block_number, "status": "unknown"},
        )

    def block(self, block_number: int) -> BlockBlobs:
        """As :meth:`sidecars`, with the block's timestamp."""
        self.sidecars(block_number)
        return self._blocks[block_number]

    def by_versioned_hash(self, versioned_hash: bytes) -> BlobSidecar:
        """The (latest stored) sidecar with this versioned hash."""
        where = self._by_hash.get(versioned_hash)
        if where is not None:
            entry = self._blocks[where[0]]
            if not self.expired(entry.timestamp):
                return entry.sidecars[where[1]]
        if where is not None or versioned_hash in self._pruned_hashes:
            raise BlobsPruned(
                f"blob 0x{versioned_hash.hex()} was pruned "
                f"(older than the {self.retention_seconds:g}s retention window)",
                data={"versionedHash": "0x" + versioned_hash.hex(), "status": "pruned"},
            )
        raise BlobsUnknown(
            f"no blob with versioned hash 0x{versioned_hash.hex()}",
            data={"versionedHash": "0x" + versioned_hash.hex(), "status": "unknown"},
        )

    def status(self, block_number: int) -> str:
        """``"available"``, ``"pruned"`` or ``"unknown"``."""
        try:
            self.sidecars(block_number)
        except BlobsPruned:
            return "pruned"
        except BlobsUnknown:
            return "unknown"
        return "available"

    def block_numbers(self) -> list[int]:
        """Blocks whose sidecars are held (including expired ones not yet pruned)."""
        return sorted(self._blocks)

    def __len__(self) -> int:
        """Number of sidecars held."""
        return sum(len(e.sidecars) for e in self._blocks.values())

    # ------------------------------------------------------------------ prune
    def prune(self) -> int:
        """Drop every block's sidecars that are outside the retention window; return
        how many sidecars were dropped.  The pruning timer calls this."""
        dropped = 0
        while self._order and self.expired(self._order[0][0]):
            entry = self._forget(self._order[0][1])
            self._pruned_blocks.add(entry.block_number)
            self._pruned_hashes.update(sidecar.versioned_hash for sidecar in entry.sidecars)
            dropped += len(entry.sidecars)
        return dropped


# -------------------------------------------------------------------- JSON forms
def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def sidecar_json(index: int, sidecar: BlobSidecar) -> dict[str, Any]:
    """``crossroll_getBlobSidecars`` form of one sidecar (camelCase, hex)."""
    return {
        "index": hex(index),
        "blob": _hex(sidecar.blob),
        "kzgCommitment": _hex(sidecar.commitment),
        "kzgProof": _hex(sidecar.proof),
        "versionedHash": _hex(sidecar.versioned_hash),
    }


def beacon_sidecar_json(index: int, sidecar: BlobSidecar) -> dict[str, Any]:
    """Beacon API (``/eth/v1/beacon/blob_sidecars``) form of one sidecar.

    ``signed_block_header`` and ``kzg_commitment_inclusion_proof`` are left out: the
    embedded L1 has no beacon blocks to sign or prove against."""
    return {
        "index": str(index),
        "blob": _hex(sidecar.blob),
        "kzg_commitment": _hex(sidecar.commitment),
        "kzg_proof": _hex(sidecar.proof),
    }


def select(sidecars: Sequence[BlobSidecar], indices: Iterable[int] | None) -> list[int]:
    """Indices of ``sidecars`` to answer (all when ``indices`` is None), in order."""
    if indices is None:
        return list(range(len(sidecars)))
    wanted = set(indices)
    return [i for i in range(len(sidecars)) if i in wanted]


def chain_sidecars(
    store: BlobStore, chain: ChainAPI, ref: BlockRef
) -> tuple[int, tuple[BlobSidecar, ...]]:
    """The sidecars of an L1 block named by number or tag, as a beacon node answers:
    a block of the chain that carried no blobs has none (``()``) inside the retention
    window and :class:`BlobsPruned` outside it; a block the chain does not have (and
    the store never saw) raises :class:`BlobsUnknown`."""
    number = ref if isinstance(ref, int) else chain.block(ref).number
    try:
        return number, store.sidecars(number)
    except BlobsUnknown:
        pass
    try:
        block = chain.block(number)
    except UnknownBlock:
        raise BlobsUnknown(
            f"unknown block {number}: the L1 has no such block",
            data={"blockNumber": number, "status": "unknown"},
        ) from None
    if store.expired(block.header.timestamp):
        raise BlobsPruned(
            f"blob sidecars of block {number} were pruned "
            f"(older than the {store.retention_seconds:g}s retention window)",
            data={"blockNumber": number, "status": "pruned"},
        )
    return number, ()


#: Beacon API named block ids and the chain tags they stand for.
BEACON_BLOCK_IDS: dict[str, BlockRef] = {
    "head": "latest",
    "genesis": "earliest",
    "finalized": "finalized",
    "justified": "safe",
}


def beacon_block_ref(block_id: str) -> BlockRef:
    """A beacon API ``block_id`` (``head``, ``genesis``, ``finalized``, ``justified``,
    a decimal slot, which is the L1 block number here, or a 0x block root, which is
    the L1 block hash here) as a chain block reference."""
    if block_id in BEACON_BLOCK_IDS:
        return BEACON_BLOCK_IDS[block_id]
    if block_id.isdigit():
        return int(block_id)
    if block_id.startswith("0x") and len(block_id) == 66:
        try:
            return bytes.fromhex(block_id[2:])
        except ValueError:
            pass
    raise InvalidParams(f"invalid block id {block_id[:80]!r}")


def beacon_sidecars_json(
    store: BlobStore, chain: ChainAPI, ref: BlockRef, indices: Iterable[int] | None = None
) -> dict[str, Any]:
    """The beacon API's ``GET /eth/v1/beacon/blob_sidecars/{block_id}`` answer."""
    number, sidecars = chain_sidecars(store, chain, ref)
    return {
        "version": "deneb",
        "execution_optimistic": False,
        "finalized": number <= chain.block("finalized").number,
        "data": [beacon_sidecar_json(i, sidecars[i]) for i in select(sidecars, indices)],
    }
