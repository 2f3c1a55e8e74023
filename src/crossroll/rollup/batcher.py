"""The batcher: posts the rollup's L2 blocks to the L1 batch inbox, as calldata or blobs.

Each tick (by default once per L1 block time) it takes the L2 blocks it has not posted yet,
makes them one :class:`~crossroll.da.Batch` (per block: number, timestamp, parent hash, L1
origin and the raw non-deposit transactions; deposits are on L1 already), compresses it into
one channel (:class:`~crossroll.da.ChannelBuilder`: columnar codec + brotli by default) and
sends the channel's frames to the inbox from the batcher key: one frame per calldata
transaction, or one frame per blob and up to six blobs per type-3 transaction.

One channel is in flight at a time.  When all its transactions are mined it is recorded
(:class:`BatchRecord`); if one reverts or leaves the pool unmined, or the L2 chain below
what was posted changes (an L2 ``evm_revert``), the batcher starts again from the rollup's
safe head, which only derivation moves, so a block is never lost and a restarted batcher
(a new object) re-posts at most what L1 does not have yet.

A shared rollup's batcher is not a service: the shared batcher
(:mod:`~crossroll.rollup.shared_batcher`) drives it through the same steps (:meth:`prepare`,
:meth:`mark_sent`, :meth:`landed` / :meth:`abandon`) and posts its frames with the other
members'.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..abc import ChainAPI, ClientAPI, SchedulerAPI
from ..clock.periodic import PeriodicService
from ..errors import CrossrollError, L1TransactionFailed
from ..types import Block, Hash32
from . import transact
from .config import RollupConfig

if TYPE_CHECKING:
    from ..da import Batch, Channel
    from ..types import DevAccount
    from .transact import L1Receipt

log = logging.getLogger(__name__)

DA = Literal["calldata", "blobs"]
#: Most frame bytes per calldata transaction: under geth's 128 KiB transaction size limit.
CALLDATA_FRAME_SIZE = 120_000
#: Blobs per type-3 transaction (Cancun's per-block maximum).
MAX_BLOBS_PER_TX = 6
#: Most L2 blocks in one channel.
MAX_BLOCKS_PER_CHANNEL = 600
DEFAULT_INTERVAL = 12.0


@dataclass(frozen=True, slots=True)
class BatchRecord:
    """One channel the L1 has: which L2 blocks, where, and what it cost."""

    first_block: int
    last_block: int
    l2_transactions: int
    da: str
    l1_block: int  # of the channel's last transaction
    l1_tx_hashes: tuple[Hash32, ...]
    raw_bytes: int  # the L2 transactions' signed encodings
    posted_bytes: int  # channel data (compressed, framed) sent to L1
    blobs: int
    l1_gas: int  # execution gas of the batcher transactions
    blob_gas: int

    @property
    def compression_ratio(self) -> float:
        return self.raw_bytes / self.posted_bytes if self.posted_bytes else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "firstBlock": self.first_block,
            "lastBlock": self.last_block,
            "l2Transactions": self.l2_transactions,
            "da": self.da,
            "l1BlockNumber": self.l1_block,
            "l1TransactionHashes": [transact.hexstr(h) for h in self.l1_tx_hashes],
            "rawBytes": self.raw_bytes,
            "postedBytes": self.posted_bytes,
            "compressionRatio": round(self.compression_ratio, 3),
            "blobs": self.blobs,
            "l1GasUsed": self.l1_gas,
            "blobGasUsed": self.blob_gas,
        }


@dataclass(frozen=True, slots=True)
class Prepared:
    """What one post carries: the L2 blocks, their batch and its channel."""

    blocks: tuple[Block, ...]
    batch: Batch
    channel: Channel


@dataclass(frozen=True, slots=True)
class _InFlight:
    first: Block
    last: Block
    l2_txs: int
    tx_hashes: tuple[Hash32, ...]
    raw_bytes: int
    posted_bytes: int
    blobs: int


class Batcher(PeriodicService):
    def __init__(
        self,
        config: RollupConfig,
        l1: ClientAPI,
        l2: ChainAPI,
        scheduler: SchedulerAPI,
        *,
        origin: Callable[[Block], int],
        safe_head: Callable[[], int],
        da: DA = "calldata",
        interval: float = DEFAULT_INTERVAL,
        builder: Any = None,
        limit: Callable[[], int] | None = None,
    ) -> None:
        """``origin(block)``: the L1 origin number of an L2 block (the sequencer knows);
        ``safe_head()``: the rollup's derived safe head (where posting restarts from);
        ``limit()``: the highest block that may be posted (cross-safety holds back blocks
        that execute messages from unsafe source blocks); None: the head."""
        from ..da import ChannelBuilder

        self.name = f"batcher-{config.chain_id}"
        self.config, self.l1, self.l2, self.scheduler = config, l1, l2, scheduler
        self.origin, self.safe_head, self.da = origin, safe_head, da
        self.interval = interval
        self.limit = limit
        frame = CALLDATA_FRAME_SIZE if da == "calldata" else None
        self.builder = builder or (
            ChannelBuilder(max_frame_size=frame) if frame else ChannelBuilder()
        )
        self.records: list[BatchRecord] = []
        self.last_error: CrossrollError | None = None
        #: Rollups whose blocks reach the L1 in the same transactions as these (a shared
        #: batch): a block may depend on theirs of the same range (cross-safety's limit).
        self.posted_with: frozenset[int] = frozenset()
        self._posted: Block | None = None  # last L2 block on L1 or in flight
        self._in_flight: _InFlight | None = None

    # ------------------------------------------------------------- lifecycle
    def idle(self) -> bool:
        """Nothing to post and nothing in flight (the virtual clock may skip the tick)."""
        return self._in_flight is None and self._next_number() > self.last_postable()

    # ------------------------------------------------------------------ work
    def tick(self) -> None:
        try:
            if self._in_flight is not None and not self._settle(self._in_flight):
                return
            self._post()
        except CrossrollError as exc:
            self.last_error = exc
            log.warning("%s: %s (retrying at the next tick)", self.name, exc.message)

    def last_postable(self) -> int:
        """The highest L2 block that may be posted now."""
        head = self.l2.head().number
        return head if self.limit is None else min(head, self.limit())

    def posted_number(self) -> int:
        """The highest L2 block on L1 or in flight (the safe head before the first post)."""
        return self._next_number() - 1

    def _next_number(self) -> int:
        posted = self._posted
        if posted is not None:
            current = (
                self.l2.block(posted.number) if posted.number <= self.l2.head().number else None
            )
            if current is None or current.hash != posted.hash:  # the L2 below us changed
                self._posted = posted = None
        return (posted.number if posted is not None else self.safe_head()) + 1

    def prepare(self, last: int | None = None) -> Prepared | None:
        """The next blocks to post, up to ``last`` (None: :meth:`last_postable`), as one
        batch in one channel; None if there is nothing to post."""
        from ..da import Batch, L2BlockData

        first = self._next_number()
        last = min(
            self.last_postable() if last is None else last, first + MAX_BLOCKS_PER_CHANNEL - 1
        )
        if first > last:
            return None
        blocks = tuple(self.l2.block(n) for n in range(first, last + 1))
        data = []
        for block in blocks:
            txs = tuple(tx.raw for tx in block.transactions if not tx.is_deposit)
            data.append(
                L2BlockData(
                    block.number,
                    block.header.timestamp,
                    block.header.parent_hash,
                    txs,
                    self.origin(block),
                )
            )
        batch = Batch(tuple(data))
        return Prepared(blocks, batch, self.builder.build(batch))

    def mark_sent(self, prepared: Prepared, tx_hashes: Sequence[Hash32], *, blobs: int) -> None:
        """``prepared`` went to the L1 in ``tx_hashes``: in flight until it lands
        (:meth:`landed`) or is given up (:meth:`abandon`)."""
        self._posted = prepared.blocks[-1]
        self._in_flight = _InFlight(
            first=prepared.blocks[0],
            last=prepared.blocks[-1],
            l2_txs=len(prepared.batch.transactions),
            tx_hashes=tuple(tx_hashes),
            raw_bytes=sum(len(tx) for tx in prepared.batch.transactions),
            posted_bytes=len(prepared.channel.data),
            blobs=blobs,
        )

    def _post(self) -> None:
        from ..da import batcher_data

        prepared = self.prepare()
        if prepared is None:
            return
        account, inbox = self.config.batcher, self.config.batch_inbox
        frames = prepared.channel.frames
        if self.da == "blobs":
            # each blob holds one batcher transaction's data: version byte + one frame
            payloads = [batcher_data([f]) for f in frames]
            hashes = send_blobs(self.l1, account, inbox, payloads)
        else:
            hashes = send_calldata(self.l1, account, inbox, prepared.channel.transactions())
        self.mark_sent(prepared, hashes, blobs=len(frames) if self.da == "blobs" else 0)
        assert self._in_flight is not None
        self._settle(self._in_flight)

    def _settle(self, sent: _InFlight) -> bool:
        """True once the channel in flight is settled (recorded, or abandoned to re-post)."""
        what = f"batch of L2 blocks {sent.first.number}-{sent.last.number}"
        try:
            done = mined_receipts(self.l1, sent.tx_hashes, what)
        except L1TransactionFailed:
            self.abandon()
            raise
        if done is None:
            return False
        self.landed(
            l1_block=max(r.block_number for r in done),
            l1_gas=sum(r.gas_used for r in done),
            blob_gas=sum(r.blob_gas_used for r in done),
        )
        return True

    def landed(self, *, l1_block: int, l1_gas: int, blob_gas: int) -> BatchRecord:
        """The channel in flight is on the L1 (its last transaction in ``l1_block``): record
        it, with the L1 gas it is charged."""
        sent = self._in_flight
        assert sent is not None
        self._in_flight = None
        self.last_error = None
        record = BatchRecord(
            first_block=sent.first.number,
            last_block=sent.last.number,
            l2_transactions=sent.l2_txs,
            da=self.da,
            l1_block=l1_block,
            l1_tx_hashes=sent.tx_hashes,
            raw_bytes=sent.raw_bytes,
            posted_bytes=sent.posted_bytes,
            blobs=sent.blobs,
            l1_gas=l1_gas,
            blob_gas=blob_gas,
        )
        self.records.append(record)
        return record

    def abandon(self) -> None:
        """Give up what is in flight: the next post starts again from the safe head."""
        self._in_flight = None
        self._posted = None


def mined_receipts(l1: ClientAPI, tx_hashes: Sequence[Hash32], what: str) -> list[L1Receipt] | None:
    """The receipts of ``tx_hashes`` once all are mined, None while any waits in the pool;
    :class:`L1TransactionFailed` (naming ``what``) if one left the pool or reverted."""
    receipts = [transact.receipt(l1, h) for h in tx_hashes]
    done = [r for r in receipts if r is not None]
    if len(done) < len(receipts):
        unmined = [h for h, r in zip(tx_hashes, receipts, strict=True) if r is None]
        if all(l1.request("eth_getTransactionByHash", [transact.hexstr(h)]) for h in unmined):
            return None  # still in the pool
        raise L1TransactionFailed(f"{what} left the L1 pool")
    if any(r.status != 1 for r in done):
        raise L1TransactionFailed(f"{what} reverted on the L1")
    return done


def send_calldata(
    l1: ClientAPI, account: DevAccount, to: bytes, payloads: Sequence[bytes]
) -> list[Hash32]:
    """One transaction per payload, with consecutive nonces (several in the pool at once)."""
    first = transact.nonce(l1, account.address, "pending")
    return [
        transact.send(l1, account, to, data, nonce_=first + i) for i, data in enumerate(payloads)
    ]


def send_blobs(
    l1: ClientAPI, account: DevAccount, to: bytes, payloads: Sequence[bytes]
) -> list[Hash32]:
    """One blob per payload, :data:`MAX_BLOBS_PER_TX` blobs per type-3 transaction."""
    from ..chain.blobtx import sign_blob_transaction
    from ..da import BlobSidecar, encode_blob

    chain_id = transact.quantity(l1.request("eth_chainId"))
    nonce = transact.nonce(l1, account.address, "pending")
    head = l1.request("eth_getBlockByNumber", ["latest", False])
    tip = transact.quantity(l1.request("eth_maxPriorityFeePerGas"))
    blob_fee = transact.quantity(l1.request("eth_blobBaseFee"))
    hashes = []
    for start in range(0, len(payloads), MAX_BLOBS_PER_TX):
        group = payloads[start : start + MAX_BLOBS_PER_TX]
        raw = sign_blob_transaction(
            account.private_key,
            chain_id=chain_id,
            nonce=nonce,
            to=to,
            sidecars=[BlobSidecar.of(encode_blob(data)) for data in group],
            max_fee_per_gas=2 * transact.quantity(head.get("baseFeePerGas") or 0) + tip,
            max_priority_fee_per_gas=tip,
            max_fee_per_blob_gas=2 * blob_fee + 1,
        )
        hashes.append(transact.unhex(l1.request("eth_sendRawTransaction", [transact.hexstr(raw)])))
        nonce += 1
    return hashes
