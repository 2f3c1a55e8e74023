"""The transaction pool: validation against the pending state, and ordering.

Like anvil, a transaction whose nonce is above the sender's pending nonce is
accepted and kept queued until the gap fills.  Error texts and codes are those
of :mod:`crossroll.chain.validation`.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator

from ..da.kzg import BlobSidecar
from ..types import Account, Address, Hash32, Transaction
from . import validation as v


def check_transaction(
    tx: Transaction,
    account: Account,
    *,
    base_fee: int,
    gas_limit: int,
    blob_cost: int = 0,
) -> None:
    """Stateless and state checks against the sender's account (working state).
    ``blob_cost``: what a blob transaction may pay for blob gas (cap x blob gas)."""
    if tx.nonce < account.nonce:
        raise v.reject("nonce_too_low")
    if tx.gas > gas_limit:
        raise v.reject("gas_above_block_limit")
    storage_keys = sum(len(e.storage_keys) for e in tx.access_list)
    if tx.to is None and len(tx.data) > v.MAX_INITCODE_SIZE:
        raise v.reject("initcode_too_large")
    if tx.gas < v.intrinsic_gas(tx.data, tx.to is None, len(tx.access_list), storage_keys):
        raise v.reject("intrinsic_gas_too_low")
    if tx.fee_cap < base_fee:
        raise v.reject("fee_cap_below_base_fee")
    if tx.tip_cap > tx.fee_cap:
        raise v.reject("tip_above_fee_cap")
    if account.balance < tx.gas * tx.fee_cap + tx.value + blob_cost:
        raise v.reject("insufficient_funds")


class TxPool:
    """Transactions waiting for a block, by sender and nonce; blob transactions
    with their sidecars (network form), which never enter a block."""

    def __init__(self) -> None:
        self._sidecars: dict[Hash32, tuple[BlobSidecar, ...]] = {}
        self._by_sender: dict[Address, dict[int, Transaction]] = {}
        self._by_hash: dict[Hash32, Transaction] = {}
        self._seq: dict[Hash32, int] = {}
        self._counter = itertools.count()

    def __len__(self) -> int:
        return len(self._by_hash)

    def __contains__(self, tx_hash: object) -> bool:
        return tx_hash in self._by_hash

    def get(self, tx_hash: Hash32) -> Transaction | None:
        return self._by_hash.get(tx_hash)

    def __iter__(self) -> Iterator[Transaction]:
        return iter(list(self._by_hash.values()))

    def sidecars(self, tx_hash: Hash32) -> tuple[BlobSidecar, ...]:
        """The blob sidecars that came with a pooled transaction (``()`` for none)."""
        return self._sidecars.get(tx_hash, ())

    def add(self, tx: Transaction, sidecars: tuple[BlobSidecar, ...] = ()) -> None:
        """Insert ``tx`` (already validated); replace a same-nonce one paying more."""
        if tx.hash in self._by_hash:
            raise v.reject("already_known")
        slots = self._by_sender.setdefault(tx.sender, {})
        old = slots.get(tx.nonce)
        if old is not None:
            if tx.fee_cap <= old.fee_cap or tx.tip_cap < old.tip_cap:
                raise v.reject("replacement_underpriced")
            self._discard(old)
            slots = self._by_sender.setdefault(tx.sender, {})
        slots[tx.nonce] = tx
        self._by_hash[tx.hash] = tx
        self._seq[tx.hash] = next(self._counter)
        if sidecars:
            self._sidecars[tx.hash] = sidecars

    def _discard(self, tx: Transaction) -> None:
        self._by_hash.pop(tx.hash, None)
        self._sidecars.pop(tx.hash, None)
        self._seq.pop(tx.hash, None)
        slots = self._by_sender.get(tx.sender)
        if slots is not None and slots.get(tx.nonce) is tx:
            del slots[tx.nonce]
            if not slots:
                del self._by_sender[tx.sender]

    def remove(self, txs: Iterator[Transaction] | list[Transaction]) -> None:
        for tx in txs:
            found = self._by_hash.get(tx.hash)
            if found is not None:
                self._discard(found)

    def pending_nonce(self, sender: Address, state_nonce: int) -> int:
        slots = self._by_sender.get(sender)
        nonce = state_nonce
        if slots:
            while nonce in slots:
                nonce += 1
        return nonce

    def prune(self, nonce_of: Callable[[Address], int]) -> None:
        """Drop transactions whose nonce the state has passed."""
        for sender in list(self._by_sender):
            current = nonce_of(sender)
            for nonce, tx in list(self._by_sender[sender].items()):
                if nonce < current:
                    self._discard(tx)

    def ready(
        self,
        nonce_of: Callable[[Address], int],
        gas_limit: int,
        blob_limit: int = 0,
        exclude: frozenset[Address] = frozenset(),
    ) -> list[Transaction]:
        """Executable transactions in arrival order, each sender's in nonce order,
        as many as fit in ``gas_limit`` (by declared gas) and ``blob_limit`` blobs;
        none from the senders in ``exclude`` (a censoring sequencer's)."""
        queues: dict[Address, list[Transaction]] = {}
        for sender, slots in self._by_sender.items():
            if sender in exclude:
                continue
            nonce = nonce_of(sender)
            run = []
            while nonce in slots:
                run.append(slots[nonce])
                nonce += 1
            if run:
                queues[sender] = run
        heap = [(self._seq[run[0].hash], sender, 0) for sender, run in queues.items()]
        heapq.heapify(heap)
        out: list[Transaction] = []
        left, blobs_left = gas_limit, blob_limit
        while heap:
            _, sender, i = heapq.heappop(heap)
            tx = queues[sender][i]
            blobs = len(self._sidecars.get(tx.hash, ()))
            if tx.gas > left or blobs > blobs_left:
                continue  # this sender waits for the next block
            out.append(tx)
            left -= tx.gas
            blobs_left -= blobs
            if i + 1 < len(queues[sender]):
                nxt = queues[sender][i + 1]
                heapq.heappush(heap, (self._seq[nxt.hash], sender, i + 1))
        return out

    def copy(self) -> TxPool:
        clone = TxPool()
        clone._by_sender = {s: dict(slots) for s, slots in self._by_sender.items()}
        clone._by_hash = dict(self._by_hash)
        clone._seq = dict(self._seq)
        clone._sidecars = dict(self._sidecars)
        clone._counter = itertools.count(next(self._counter))
        return clone
