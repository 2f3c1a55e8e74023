"""A chain's journal: every change that must survive a restart, one record each, replayed
into a freshly built chain at start.

The chain calls its :class:`ChainJournalAPI` (``Chain.journal``) before a change becomes
visible: a mined block is on disk before its listeners, subscriptions or the RPC answer see
it, so whatever was reported mined is there after a SIGKILL.  A block record holds the
engine's key-value writes since the previous record (trie nodes, code, the header) and the
block value itself (header, transactions, receipts and logs exactly as served), so replay
re-executes nothing.  The genesis is rebuilt from the configuration and checked against the
first record.

Records (kind byte, then one :func:`~crossroll.chain.records.encode`-d tuple, zlib-compressed
with the kind in lower case when large):

====  =========================================  ======================================
kind  written by                                  holds
====  =========================================  ======================================
H     a new journal                               format, chain id, genesis hash
B     every mined block                           writes, block, blob sidecars
S     ``anvil_set*``                              writes, working state root
T     ``evm_increaseTime`` / next timestamp        time offset, next block timestamp
N, R  ``evm_snapshot`` / ``evm_revert``           snapshot id
P     a transaction left waiting in the pool      hash, raw (network form)
C     a clean stop                                the clock's time
====  =========================================  ======================================
"""

from __future__ import annotations

import abc
import contextlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..da.kzg import BlobSidecar
from ..errors import JournalCorrupt, JournalError, TransactionRejected
from ..types import Block, Hash32
from .journal import Journal, scan
from .records import Writes, decode, encode

if TYPE_CHECKING:
    from .chain import Chain
    from .engine.writelog import WriteLog

FORMAT = 1
#: Records larger than this are stored zlib-compressed, their kind in lower case.
COMPRESS_ABOVE = 16 * 1024


class ChainJournalAPI(abc.ABC):
    """What :class:`~crossroll.chain.Chain` reports before each change becomes visible."""

    @abc.abstractmethod
    def block(self, block: Block, sidecars: Sequence[BlobSidecar]) -> None: ...

    @abc.abstractmethod
    def state(self, state_root: Hash32) -> None:
        """The working state changed outside a block (``anvil_set*``)."""

    @abc.abstractmethod
    def time(self, offset: int, next_timestamp: int | None) -> None: ...

    @abc.abstractmethod
    def snapshot(self, snapshot_id: int) -> None: ...

    @abc.abstractmethod
    def revert(self, snapshot_id: int) -> None:
        """A successful ``evm_revert``."""

    @abc.abstractmethod
    def rewind(self, number: int) -> None:
        """Block ``number`` became the head again (an injected reorg)."""

    @abc.abstractmethod
    def pooled(self, tx_hash: Hash32, raw: bytes) -> None:
        """A transaction was accepted and waits in the pool."""


@dataclass(frozen=True, slots=True)
class RestoredBlobs:
    """The sidecars of one replayed block, for the L1's blob store."""

    block_number: int
    timestamp: int
    sidecars: tuple[BlobSidecar, ...]


@dataclass
class History:
    """A journal's records as read at start, before the chain is built."""

    path: Path
    chain_id: int
    genesis_hash: Hash32
    records: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> History | None:
        """The journal at ``path``; None if there is none.  A torn tail is left out."""
        if not path.exists() or path.stat().st_size == 0:
            return None
        payloads, _ = scan(path.read_bytes(), str(path))
        records = [_record(p) for p in payloads]
        if not records:  # killed before its first record was complete: nothing happened yet
            return None
        if records[0][0] != "H" or records[0][1][0] != FORMAT:
            raise JournalError(f"{path}: not a crossroll chain journal (format {FORMAT})")
        _, (_, chain_id, genesis_hash) = records[0]
        return cls(path, chain_id, genesis_hash, records[1:])

    @property
    def resume_time(self) -> float | None:
        """Clock time to resume at: the last clean stop's, or the latest block's time minus the
        chain's time offset then (``evm_increaseTime`` moves blocks, not the clock)."""
        best: float | None = None
        offset = 0
        for kind, body in self.records:
            if kind == "T":
                offset = body[0]
            elif kind == "B" or kind == "C":
                when = body[1].header.timestamp - offset if kind == "B" else body[0]
                best = when if best is None else max(best, when)
        return best


def _record(payload: bytes) -> tuple[str, Any]:
    kind, body = payload[:1].decode(errors="replace"), payload[1:]
    if kind.islower():
        try:
            body = zlib.decompress(body)
        except zlib.error:
            raise JournalCorrupt("a compressed journal record does not decompress") from None
    return kind.upper(), decode(body)


def restore(chain: Chain, history: History) -> list[RestoredBlobs]:
    """Replay ``history`` into ``chain`` (just built, at genesis, no journal attached);
    return the blob sidecars of the blocks that are canonical afterwards."""
    if history.chain_id != chain.chain_id or history.genesis_hash != chain.block(0).hash:
        raise JournalError(
            f"{history.path} belongs to chain {history.chain_id} with genesis "
            f"0x{history.genesis_hash.hex()}, not to this chain {chain.chain_id} "
            f"(genesis 0x{chain.block(0).hash.hex()}): the configuration changed"
        )
    write_log = _write_log(chain)
    blobs: dict[Hash32, RestoredBlobs] = {}
    pooled: dict[Hash32, bytes] = {}
    pools: dict[int, dict[Hash32, bytes]] = {}
    for kind, body in history.records:
        if kind == "B":
            writes, block, sidecars = body
            write_log.load(writes)
            chain.store.append(block)
            chain.state_root = block.header.state_root
            chain.next_timestamp = None
            for tx in block.transactions:
                pooled.pop(tx.hash, None)
            if sidecars:
                blobs[block.hash] = RestoredBlobs(block.number, block.header.timestamp, sidecars)
        elif kind == "S":
            write_log.load(body[0])
            chain.state_root = body[1]
        elif kind == "T":
            chain.time_offset, chain.next_timestamp = body
        elif kind == "N":
            if chain.snapshot() != body[0]:
                raise JournalError(f"{history.path}: snapshot ids out of order")
            pools[body[0]] = dict(pooled)
        elif kind == "R":
            chain.revert(body[0])
            pooled = pools.get(body[0], {})
            pools = {i: p for i, p in pools.items() if i < body[0]}
        elif kind == "W":
            chain._rewind(body[0])
        elif kind == "P":
            pooled[body[0]] = body[1]
    refill_pool(chain, pooled.values())
    return [b for h, b in blobs.items() if h in chain.store.by_hash]


def refill_pool(chain: Chain, raws: Any) -> None:
    """Send the (raw) transactions that were waiting back into the pool; those no longer valid
    (their nonce was used meanwhile) are dropped, as the pool would have dropped them."""
    automine, chain.automine = chain.automine, False
    try:
        for raw in raws:
            with contextlib.suppress(TransactionRejected):
                chain.send_raw_transaction(raw)
    finally:
        chain.automine = automine


def _write_log(chain: Chain) -> WriteLog:
    write_log = getattr(chain.engine, "write_log", None)
    if write_log is None:
        raise JournalError(f"the engine of chain {chain.chain_id} cannot be persisted")
    return write_log


class ChainJournal(ChainJournalAPI):
    """Appends a chain's records to ``DIR/<chain id>/chain.log`` (see the module notes)."""

    def __init__(self, journal: Journal, write_log: WriteLog) -> None:
        self.journal = journal
        self._writes = write_log

    @classmethod
    def attach(
        cls, chain: Chain, path: Path, history: History | None = None, *, fsync: bool = False
    ) -> tuple[ChainJournal, list[RestoredBlobs]]:
        """Replay ``history`` (if any) into ``chain``, then record its changes at ``path``."""
        write_log = _write_log(chain)
        blobs = restore(chain, history) if history is not None else []
        journal, payloads = Journal.open(path, fsync=fsync)
        try:
            if history is None and payloads:
                raise JournalError(f"{path} appeared while the network was starting")
            if history is not None and len(payloads) != len(history.records) + 1:
                raise JournalError(f"{path} changed while the network was starting")
            if not payloads:
                genesis = chain.block(0).hash
                journal.append(b"H" + encode((FORMAT, chain.chain_id, genesis)))
        except BaseException:
            journal.close()
            raise
        write_log.start()
        write_log.take()  # what genesis and replay wrote is rebuilt at every start
        self = cls(journal, write_log)
        chain.journal = self
        return self, blobs

    def _append(self, kind: bytes, body: tuple[Any, ...]) -> None:
        payload = encode(body)
        if len(payload) > COMPRESS_ABOVE:  # blob sidecars: mostly zero padding
            kind, payload = kind.lower(), zlib.compress(payload, 1)
        try:
            self.journal.append(kind + payload)
        except OSError as exc:
            raise JournalError(f"cannot write {self.journal.path}: {exc.strerror}") from None

    # ------------------------------------------------------------- records
    def block(self, block: Block, sidecars: Sequence[BlobSidecar]) -> None:
        self._append(b"B", (Writes(self._writes.take()), block, tuple(sidecars)))

    def state(self, state_root: Hash32) -> None:
        self._append(b"S", (Writes(self._writes.take()), state_root))

    def time(self, offset: int, next_timestamp: int | None) -> None:
        self._append(b"T", (offset, next_timestamp))

    def snapshot(self, snapshot_id: int) -> None:
        self._append(b"N", (snapshot_id,))

    def revert(self, snapshot_id: int) -> None:
        self._append(b"R", (snapshot_id,))

    def rewind(self, number: int) -> None:
        self._append(b"W", (number,))

    def pooled(self, tx_hash: Hash32, raw: bytes) -> None:
        self._append(b"P", (tx_hash, raw))

    def clock(self, now: float) -> None:
        """The clock's time at a clean stop (where a virtual clock resumes)."""
        self._append(b"C", (int(now),))

    def close(self) -> None:
        self.journal.close()
