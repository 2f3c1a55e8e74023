"""The gateway of a based rollup's endpoint: what ``eth_sendRawTransaction`` turns into.

A based rollup has no sequencer, so its node's pool is only a waiting room: the gateway
posts the pool's ready transactions to the rollup's based inbox on the L1
(:func:`~crossroll.rollup.based.encode_post`, at most :data:`MAX_POST_BYTES` per L1
transaction) from one key, the rollup's batcher role key in a devnet.  Nothing about that
key is special: derivation takes posts from every sender, so a user may as well post
herself (``cast send``, docs/based.md) and the gateway cannot censor.

It posts soon after a transaction reaches the endpoint (the RPC server's pending-transaction
hook, then once on the clock) and after every L1 and L2 block (transactions that reached the
pool another way: the relayer's, in-process sends).  A posted transaction leaves the pool
when the block of its post's L1 block is built (:class:`~crossroll.chain.Chain` removes
included ones); one still there then was left out, and is dropped.  A post that leaves the
L1 pool unmined, or reverts, is forgotten, so its transactions are posted again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..abc import ClientAPI, L1ViewAPI, SchedulerAPI, ServiceAPI, TimerAPI
from ..errors import CrossrollError
from ..types import Address, DevAccount, Hash32
from . import transact
from .based import encode_post

log = logging.getLogger(__name__)

#: Most bytes of one post (under geth's 128 KiB transaction size limit, as batches are).
MAX_POST_BYTES = 120_000
#: L2 gas of a block kept for its deposit prefix: the gateway posts no more than the rest
#: per L1 block (what does not fit would be left out).
PREFIX_GAS = 2_000_000


@dataclass(frozen=True, slots=True)
class PostRecord:
    """One post the L1 has."""

    l1_block: int
    l1_tx_hash: Hash32
    tx_hashes: tuple[Hash32, ...]  # the L2 transactions it carries, in order
    posted_bytes: int
    l1_gas: int

    def to_json(self) -> dict[str, Any]:
        return {
            "l1BlockNumber": self.l1_block,
            "l1TransactionHash": transact.hexstr(self.l1_tx_hash),
            "l2Transactions": len(self.tx_hashes),
            "postedBytes": self.posted_bytes,
            "l1GasUsed": self.l1_gas,
        }


@dataclass(frozen=True, slots=True)
class _InFlight:
    tx_hashes: tuple[Hash32, ...]
    posted_bytes: int
    gas: int  # declared L2 gas of its transactions


class BasedGateway(ServiceAPI):
    """Posts a based rollup's pool to its L1 inbox (see the module notes)."""

    def __init__(
        self,
        chain_id: int,
        l2: Any,
        l1: ClientAPI,
        l1_view: L1ViewAPI,
        scheduler: SchedulerAPI,
        account: DevAccount,
        *,
        inbox: Address,
        built_through: Callable[[], int],
        pending_listeners: list[Callable[[Hash32], None]] | None = None,
    ) -> None:
        """``l2``: the rollup's :class:`~crossroll.chain.Chain`; ``l1``: a client of the L1
        the posts go to, ``l1_view`` the same L1 read by block; ``built_through()``: the
        newest L1 block whose L2 block exists; ``pending_listeners``: the endpoint's hook
        told of every transaction it accepts (:class:`~crossroll.rpc.context.RpcContext`)."""
        self.name = f"based-gateway-{chain_id}"
        self.chain_id, self.l2, self.l1, self.l1_view = chain_id, l2, l1, l1_view
        self.scheduler, self.account, self.inbox = scheduler, account, inbox
        self.built_through = built_through
        self.pending_listeners = pending_listeners
        self.records: list[PostRecord] = []
        self.dropped: list[Hash32] = []  # posted, left out of their block, out of the pool
        self.last_error: CrossrollError | None = None
        self._posted: dict[Hash32, Hash32] = {}  # L2 tx -> the L1 tx carrying it
        self._in_flight: dict[Hash32, _InFlight] = {}  # by L1 tx hash
        self._landed: list[PostRecord] = []  # on L1, their L2 block not built yet
        self._soon: TimerAPI | None = None
        self._stops: list[Callable[[], None]] = []

    # ------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        if self._stops:
            return
        self._stops = [
            self.l1_view.on_block(lambda _info: self.wake()),
            self.l2.on_block(lambda _block: self.wake()),
        ]
        listeners = self.pending_listeners
        if listeners is not None:
            listeners.append(self._on_pending)
            self._stops.append(lambda: listeners.remove(self._on_pending))
        self.wake()

    async def stop(self) -> None:
        stops, self._stops = self._stops, []
        for stop in stops:
            stop()
        soon, self._soon = self._soon, None
        if soon is not None:
            soon.cancel()

    def _on_pending(self, _tx_hash: Hash32) -> None:
        self.wake()

    def wake(self) -> None:
        """Post on the clock at once (after the action that called), once however often
        called before it runs."""
        if self._soon is None:

            def fire() -> None:
                self._soon = None
                self.flush()

            self._soon = self.scheduler.call_later(0, fire)

    # ------------------------------------------------------------------ work
    def flush(self) -> None:
        """Settle the posts in flight, drop what was left out, post what is ready."""
        try:
            self._settle()
            self._post()
            self.last_error = None
        except CrossrollError as exc:
            self.last_error = exc
            log.warning("%s: %s (retrying at the next block)", self.name, exc.message)

    def unposted(self) -> list[Any]:
        """The pool's ready transactions not posted yet, in pool order, within one block's
        gas after its prefix (counting those posted and not yet built)."""
        room = self.l2.head().header.gas_limit - PREFIX_GAS
        return [tx for tx in self.l2.ready_transactions(room) if tx.hash not in self._posted]

    def _post(self) -> None:
        txs = self.unposted()
        if not txs:
            return
        posts: list[list[Any]] = [[]]
        size = 0
        for tx in txs:
            if posts[-1] and size + len(tx.raw) > MAX_POST_BYTES:
                posts.append([])
                size = 0
            posts[-1].append(tx)
            size += len(tx.raw)
        nonce = transact.nonce(self.l1, self.account.address, "pending")
        for i, group in enumerate(posts):
            data = encode_post([tx.raw for tx in group])
            l1_hash = transact.send(self.l1, self.account, self.inbox, data, nonce_=nonce + i)
            hashes = tuple(tx.hash for tx in group)
            self._in_flight[l1_hash] = _InFlight(hashes, len(data), sum(tx.gas for tx in group))
            self._posted.update(dict.fromkeys(hashes, l1_hash))

    def _settle(self) -> None:
        for l1_hash, post in list(self._in_flight.items()):
            receipt = transact.receipt(self.l1, l1_hash)
            if receipt is None:
                if self.l1.request("eth_getTransactionByHash", [transact.hexstr(l1_hash)]):
                    continue  # still in the L1 pool
                log.warning("%s: post 0x%s left the L1 pool", self.name, l1_hash.hex())
                self._forget(l1_hash, post.tx_hashes)
                continue
            if receipt.status != 1:
                log.warning("%s: post 0x%s reverted", self.name, l1_hash.hex())
                self._forget(l1_hash, post.tx_hashes)
                continue
            del self._in_flight[l1_hash]
            record = PostRecord(
                receipt.block_number, l1_hash, post.tx_hashes, post.posted_bytes, receipt.gas_used
            )
            self.records.append(record)
            self._landed.append(record)
        built = self.built_through()
        waiting = []
        for record in self._landed:
            if record.l1_block > built:
                waiting.append(record)
                continue
            for tx_hash in record.tx_hashes:
                self._posted.pop(tx_hash, None)
                self._drop(tx_hash)
        self._landed = waiting

    def _forget(self, l1_hash: Hash32, tx_hashes: tuple[Hash32, ...]) -> None:
        del self._in_flight[l1_hash]
        for tx_hash in tx_hashes:
            self._posted.pop(tx_hash, None)

    def _drop(self, tx_hash: Hash32) -> None:
        """Out of the pool if still there: its post's block was built without it."""
        pool = self.l2.pool
        tx = pool.get(tx_hash)
        if tx is not None:
            pool.remove([tx])
            self.dropped.append(tx_hash)
            log.info("%s: 0x%s was left out of its block; dropped", self.name, tx_hash.hex())
