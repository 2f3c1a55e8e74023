"""An external L1 as rollup nodes read it (:class:`~crossroll.abc.L1ViewAPI` over JSON-RPC).

:class:`RemoteL1View` reads any Ethereum JSON-RPC node through a :class:`ClientAPI`.  It
finds new heads by polling ``eth_blockNumber`` on the network's clock and reports every new
block to the listeners once and in order, several per poll when the node moved several
blocks.  Its head is the last block it reported, so whatever :meth:`head_number` says was
announced to listeners first (as with the embedded L1, whose listeners run as it mines).

A reorg (a reported block's hash changed, or the node went back, as anvil does on
``evm_revert``) is logged, and the listeners get the replacing blocks: their numbers start
again above the fork point.  A replacement at the same height shows up with the next block.

Transport failures raise :class:`~crossroll.errors.L1Unavailable` (one line); a failed
poll is kept in :attr:`RemoteL1View.last_error` and retried at the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from ..abc import ClientAPI, L1ViewAPI, SchedulerAPI, ServiceAPI, TimerAPI
from ..errors import CrossrollError, InvalidParams, L1Unavailable, MethodNotFound, UnknownBlock
from ..types import Address, Hash32, InboxTransaction, L1BlockInfo, Log, LogFilter
from .beacon import BlobSource, NodeBlobs
from .jsonrpc import L1Client, data, log_filter_json, parse_info, parse_log, quantity

log = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL = 1.0
#: Blocks fetched in one JSON-RPC batch when the view is behind the node.
BATCH_BLOCKS = 32
#: Batches per poll, so catching up after an outage does not hold the clock for long.
MAX_BATCHES_PER_POLL = 4
#: Reported blocks remembered to find a reorg's fork point (and answer ``info`` locally).
REORG_DEPTH = 128

__all__ = ["DEFAULT_POLL_INTERVAL", "L1Client", "RemoteL1View"]


class RemoteL1View(L1ViewAPI, ServiceAPI):
    """The L1 behind ``client``; a service that polls it every ``poll_interval`` seconds.

    ``blobs``: where blobs come from (:class:`~crossroll.l1.beacon.BeaconBlobs` for a
    beacon API); by default the node itself (anvil's ``anvil_getBlobByHash``)."""

    name = "l1-view"

    def __init__(
        self,
        client: ClientAPI,
        scheduler: SchedulerAPI,
        *,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        blobs: BlobSource | None = None,
    ) -> None:
        self.client = client
        self.scheduler = scheduler
        self.poll_interval = poll_interval
        self.blob_source = blobs if blobs is not None else NodeBlobs(client)
        #: The error of the last poll (None once a poll succeeds).
        self.last_error: CrossrollError | None = None
        self._listeners: list[Callable[[L1BlockInfo], None]] = []
        self._known: dict[int, L1BlockInfo] = {}
        self._head: int | None = None
        self._block_receipts = True  # until the node says it lacks eth_getBlockReceipts
        self._tags: dict[str, tuple[int, int]] = {}  # tag -> (head when asked, its number)
        self._timer: TimerAPI | None = None

    # ------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        if self._head is None:
            self.sync()  # the head now; only later blocks are new
        if self._timer is None:
            self._timer = self.scheduler.every(self.poll_interval, self.poll)

    async def stop(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        close = getattr(self.client, "close", None)
        if close is not None:  # its kept-alive connection (a later request reopens one)
            close()

    # ----------------------------------------------------------------- polling
    def poll(self) -> None:
        """One poll on the clock: :meth:`sync`, keeping an error for the next poll."""
        try:
            self.sync()
        except CrossrollError as exc:
            if self.last_error is None:  # once per outage, not once a second
                log.warning("L1 poll failed: %s (retrying every %gs)", exc, self.poll_interval)
            self.last_error = exc
            return
        if self.last_error is not None:
            log.info("L1 poll works again")
        self.last_error = None

    def sync(self) -> None:
        """Report the node's new blocks to the listeners (raises on failure)."""
        head = quantity(self.client.request("eth_blockNumber"))
        if self._head is None:
            for info in self._fetch([head]):  # none if the node lost it since: next poll
                self._accept(info, report=False)
            return
        if head < self._head:  # the node went back: its blocks above head are gone
            self._rewind(self._fork_point(head))
        for _ in range(MAX_BATCHES_PER_POLL):
            if self._head >= head:
                break
            last = min(head, self._head + BATCH_BLOCKS)
            for info in self._fetch(range(self._head + 1, last + 1)):
                parent = self._known.get(info.number - 1)
                if parent is not None and info.parent_hash != parent.hash:
                    self._rewind(self._fork_point(info.number - 1))
                    break
                self._accept(info)

    def _accept(self, info: L1BlockInfo, *, report: bool = True) -> None:
        self._known[info.number] = info
        self._known.pop(info.number - REORG_DEPTH, None)
        self._head = info.number
        if report:
            for listener in list(self._listeners):
                try:
                    listener(info)
                except Exception:  # one failing listener must not starve the others
                    log.exception("L1 block listener %r failed on block %d", listener, info.number)

    def _fork_point(self, number: int) -> int:
        """The highest block at or below ``number`` that the node and the view agree on."""
        while number >= 0:
            known = self._known.get(number)
            if known is None:
                log.error("L1 reorg deeper than %d blocks: resuming at %d", REORG_DEPTH, number)
                return number
            current = self._fetch([number])
            if current and current[0].hash == known.hash:
                return number
            number -= 1
        return -1

    def _rewind(self, fork: int) -> None:
        assert self._head is not None
        log.warning("L1 reorg: blocks %d..%d were replaced", fork + 1, self._head)
        for number in [n for n in self._known if n > fork]:
            del self._known[number]
        self._tags.clear()
        self._head = fork

    def _fetch(self, numbers: Sequence[int]) -> list[L1BlockInfo]:
        """Headers of ``numbers`` in one batch, up to the first the node does not have."""
        calls = [("eth_getBlockByNumber", [hex(n), False]) for n in numbers]
        out = []
        for result in self.client.batch(calls):
            if isinstance(result, CrossrollError):
                raise result
            if result is None:
                break
            out.append(parse_info(result))
        return out

    # -------------------------------------------------------------------- reads
    def head_number(self) -> int:
        if self._head is None:
            self.sync()
        if self._head is None:
            raise UnknownBlock("the L1 node has no head block yet")
        return self._head

    def safe_number(self) -> int:
        return self._tag_number("safe")

    def finalized_number(self) -> int:
        return self._tag_number("finalized")

    def _tag_number(self, tag: str) -> int:
        """Asked once per head: safety moves with new blocks, and L2 tag reads ask often."""
        head = self.head_number()
        cached = self._tags.get(tag)
        if cached is not None and cached[0] == head:
            return cached[1]
        try:
            block = self.client.request("eth_getBlockByNumber", [tag, False])
        except L1Unavailable:
            raise
        except CrossrollError:  # a node without the tag (pre-merge rules): the head
            block = {"number": head}
        # null: the node knows the tag but nothing is safe/finalized yet
        number = 0 if block is None else min(quantity(block["number"]), head)
        self._tags[tag] = (head, number)
        return number

    def info(self, number: int) -> L1BlockInfo:
        if (known := self._known.get(number)) is not None:
            return known
        found = self._fetch([number]) if number >= 0 else []
        if not found:
            raise UnknownBlock(f"L1 block {number} not found")
        return found[0]

    def logs(self, flt: LogFilter) -> list[Log]:
        return [parse_log(x) for x in self.client.request("eth_getLogs", [log_filter_json(flt)])]

    def inbox_transactions(
        self, number: int, inbox: Address, senders: Sequence[Address] | None = None
    ) -> list[InboxTransaction]:
        block = self.client.request("eth_getBlockByNumber", [hex(number), True])
        if block is None:
            raise UnknownBlock(f"L1 block {number} not found")
        chosen = []
        for tx in block["transactions"]:
            to = tx.get("to")
            if to is None or data(to) != inbox:
                continue
            if senders is not None and data(tx["from"]) not in senders:
                continue
            chosen.append(tx)
        if not chosen:
            return []
        statuses = self._statuses(number, data(block["hash"]), [data(tx["hash"]) for tx in chosen])
        return [
            InboxTransaction(
                block_number=number,
                index=quantity(tx["transactionIndex"]),
                hash=data(tx["hash"]),
                sender=data(tx["from"]),
                data=data(tx["input"]),
                blob_hashes=tuple(data(h) for h in tx.get("blobVersionedHashes") or ()),
            )
            for tx in chosen
            if statuses[data(tx["hash"])] == 1
        ]

    def _statuses(self, number: int, block_hash: Hash32, hashes: list[Hash32]) -> dict[bytes, int]:
        """Receipt status by transaction hash: one eth_getBlockReceipts when the node has it."""
        receipts: list[Any] | None = None
        if self._block_receipts and len(hashes) > 1:
            try:
                receipts = self.client.request("eth_getBlockReceipts", [hex(number)])
            except (MethodNotFound, InvalidParams):
                self._block_receipts = False
        if receipts is None:
            calls = [("eth_getTransactionReceipt", ["0x" + h.hex()]) for h in hashes]
            receipts = self.client.batch(calls)
        out = {}
        for receipt in receipts:
            if isinstance(receipt, CrossrollError):
                raise receipt
            if receipt is None or data(receipt["blockHash"]) != block_hash:
                raise UnknownBlock(f"L1 block {number} changed while it was read (a reorg)")
            out[data(receipt["transactionHash"])] = quantity(receipt["status"])
        return out

    def blobs(self, number: int, hashes: Sequence[Hash32]) -> list[bytes]:
        if not hashes:
            return []
        return self.blob_source.blobs(self.info(number), hashes)

    def on_block(self, listener: Callable[[L1BlockInfo], None]) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe
