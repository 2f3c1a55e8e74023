"""The relayer: carries each sent message to its destination, on the network's clock.

Autorelay (on by default) relays a message ``delay`` seconds after it was sent (and no sooner
than ``interop_delay`` seconds after its source block's timestamp, when the destination
enforces one), on the configured path:

* **fast**: ``relayMessage(identifier, payload)`` with the CrossL2Inbox access list, at once;
* **settled**: ``relaySettledMessage(..., proof)`` with a Merkle proof to a global root the
  destination knows, once the indexer reports the message ``settled``.

Transactions are signed with dev key #9 (Supersim's relayer account, RELAYER_ACCOUNT_INDEX)
and sent through the destination's ``send_raw_transaction``, so the fast-path guard checks
them as it checks anyone's.  A failed attempt (refused, reverted in gas estimation or on
chain, or dropped from the pool) is retried after ``retry_base * 2**(n-1)`` seconds for the
n-th failure (2, 4, 8, 16 s by default), at most ``max_attempts`` attempts in all (5), then
the relayer gives up (``gaveUp`` in the record; a manual relay may still succeed).

A message is never relayed twice: before sending, the destination's ``successfulMessages``
and the relayer's own transaction in flight are checked; the messenger's shared nullifier
makes a second relay revert on chain anyway (``MessageAlreadyRelayed``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from eth_hash.auto import keccak

from ..abc import ChainAPI, SchedulerAPI, ServiceAPI, TimerAPI
from ..errors import (
    AlreadyKnown,
    CrossrollError,
    MessageAlreadyRelayed,
    MessageNotFound,
    MessageNotSettled,
    RelayFailed,
    RelayPending,
)
from ..rollup.abi import calldata
from ..types import AccessListEntry, CallRequest, DevAccount, Hash32, Transaction
from .accesslist import access_list
from .addresses import L2_TO_L2_MESSENGER
from .identifier import msg_hash as payload_hash
from .relaycall import (
    RelayPath,
    decode_relay,
    fast_calldata,
    pooled,
    settled_calldata,
    signed_relay,
)
from .settled import SettledProof
from .store import MessageRecord, MessageStore, Status, Step

log = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_BASE = 2.0

#: Builds the settled-path proof of a settled message (the network's L1 and hub behind it).
ProofSource = Callable[[MessageRecord], SettledProof]


class Relayer(ServiceAPI):
    name = "relayer"

    def __init__(
        self,
        store: MessageStore,
        chains: Mapping[int, ChainAPI],
        scheduler: SchedulerAPI,
        account: DevAccount,
        *,
        autorelay: bool = True,
        delay: float = 0.0,
        path: RelayPath = "fast",
        interop_delay: int = 0,
        proofs: ProofSource | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        retry_base: float = DEFAULT_RETRY_BASE,
    ) -> None:
        self.store, self.chains, self.scheduler = store, dict(chains), scheduler
        self.account, self.autorelay, self.delay, self.path = account, autorelay, delay, path
        self.interop_delay, self.proofs = interop_delay, proofs
        self.max_attempts, self.retry_base = max_attempts, retry_base
        self._timers: dict[Hash32, TimerAPI] = {}
        self._in_flight: dict[Hash32, tuple[int, Hash32]] = {}  # msg -> (chain, tx)
        self._unsubscribe: list[Callable[[], None]] = []
        self._check: TimerAPI | None = None

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        if self._unsubscribe:
            return
        self._unsubscribe.append(self.store.on_change(self._changed))
        for chain in self.chains.values():
            self._unsubscribe.append(chain.on_block(lambda _b: self._check_soon()))
        for record in self.store:  # what the indexer found at start
            self._changed(None, record)

    async def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        for timer in [*self._timers.values(), *filter(None, [self._check])]:
            timer.cancel()
        self._timers.clear()
        self._check = None

    # ------------------------------------------------------------ manual
    def relay(self, msg_hash: Hash32, settled: bool = False) -> MessageRecord:
        """Relay now (``settled``: with a proof; the message must be settled); return the
        record, whose ``relay_tx_hash`` is the transaction sent."""
        record = self.store.get(msg_hash)
        if record is None:
            raise MessageNotFound(f"no message 0x{msg_hash.hex()} was sent on this network")
        self._send(record, "settled" if settled else "fast")
        return self.store.get(msg_hash) or record

    # ------------------------------------------------------------ autorelay
    def _changed(self, old: MessageRecord | None, new: MessageRecord) -> None:
        h = new.msg_hash
        if new.relayed is not None or new.reorged is not None:
            self._cancel(h)
            self._in_flight.pop(h, None)
            return
        if old is not None and old.relayed is not None and new.relay_tx_hash is not None:
            # A reorg undid the relay and sent its transaction back to the pool: watch it,
            # and try again later in case it can never be mined (see _pending).
            if new.destination in self.chains:
                self._in_flight[h] = (new.destination, new.relay_tx_hash)
                if self.autorelay:
                    self._schedule(new, self.scheduler.now() + self.retry_base)
            return
        if not self.autorelay or new.gave_up:
            return
        if old is None or old.reorged is not None or old.identifier != new.identifier:
            # New, mined again after a reorg, or sent again (resendMessage).
            if self.path == "fast" or new.settled is not None:
                self._schedule(new, self._first_due(new))
        elif self.path == "settled" and old.settled is None and new.settled is not None:
            self._schedule(new, self._first_due(new))
        elif (
            new.failed is not None
            and new.failed != old.failed
            and new.failed.block_number is not None
            and self._in_flight.get(h, (0, b""))[1] == new.relay_tx_hash
        ):  # our transaction reverted on chain: try again after a while
            del self._in_flight[h]
            self._retry(new)

    def _first_due(self, record: MessageRecord) -> float:
        ready = record.sent.timestamp or 0
        return max(record.sent.at + self.delay, ready + self.interop_delay)

    def _schedule(self, record: MessageRecord, when: float) -> None:
        h = record.msg_hash
        self._cancel(h)
        self._timers[h] = self.scheduler.call_at(when, lambda: self._attempt(h))

    def _cancel(self, msg_hash: Hash32) -> None:
        timer = self._timers.pop(msg_hash, None)
        if timer is not None:
            timer.cancel()

    def _attempt(self, msg_hash: Hash32) -> None:
        self._timers.pop(msg_hash, None)
        record = self.store.get(msg_hash)
        if record is None or record.relayed is not None or record.reorged is not None:
            return
        if record.destination not in self.chains:
            return  # a message to a chain this network does not run stays sent
        try:
            self._send(record, self.path)
        except (MessageAlreadyRelayed, RelayPending):
            return
        except CrossrollError as exc:
            log.warning("relay of 0x%s: %s", msg_hash.hex(), exc.message)
            if not isinstance(exc, MessageNotSettled):
                self._retry(self.store.get(msg_hash) or record)

    def _retry(self, record: MessageRecord) -> None:
        if record.attempts >= self.max_attempts:
            self.store.put(record.with_step(Status.FAILED, record.failed, gave_up=True))
            return
        wait = self.retry_base * 2 ** max(record.attempts - 1, 0)
        self._schedule(record, self.scheduler.now() + wait)

    def _check_soon(self) -> None:
        # After the action that mined the block: a reorg re-queues transactions after it
        # has mined the replacement blocks.
        if self._in_flight and self._check is None:
            self._check = self.scheduler.call_later(0, self._check_in_flight)

    def _check_in_flight(self) -> None:
        """A relay that left the pool without a receipt (refused at block building, or its
        block was replaced and it was not re-queued) is a failed attempt."""
        self._check = None
        for h, (chain_id, tx_hash) in list(self._in_flight.items()):
            chain = self.chains[chain_id]
            try:
                chain.transaction(tx_hash)
                continue  # pooled or mined; the indexer reports the outcome
            except KeyError:
                pass
            del self._in_flight[h]
            record = self.store.get(h)
            if record is not None and record.relayed is None:
                reason = "the relay transaction left the pool unmined"
                record = self._failed(record, reason, attempt=False)
                if self.autorelay:
                    self._retry(record)

    # ------------------------------------------------------------ sending
    def _send(self, record: MessageRecord, path: RelayPath) -> Hash32:
        h = record.msg_hash
        if record.relayed is not None:
            raise MessageAlreadyRelayed(
                f"message 0x{h.hex()} was already relayed on chain {record.destination} in "
                f"tx 0x{(record.relay_tx_hash or b'').hex()}"
            )
        if record.reorged is not None:
            raise RelayFailed(f"message 0x{h.hex()}: its source block left chain {record.source}")
        chain = self.chains.get(record.destination)
        if chain is None:
            raise RelayFailed(f"message 0x{h.hex()}: chain {record.destination} is not here")
        if self._relayed_on_chain(chain, h):
            raise MessageAlreadyRelayed(
                f"message 0x{h.hex()} was already relayed on chain {record.destination}"
            )
        pending = self._pending(chain, h)
        if pending is not None:
            raise RelayPending(f"a relay of message 0x{h.hex()} is pending in tx 0x{pending.hex()}")
        if path == "settled":
            if record.settled is None:
                raise MessageNotSettled(
                    f"message 0x{h.hex()} is not settled yet (status: {record.status.value})"
                )
            if self.proofs is None:
                raise RelayFailed("the settled path needs the L1 settlement hub")
            data = settled_calldata(record.message, self.proofs(record))
            entries: tuple[AccessListEntry, ...] = ()
        else:
            data = fast_calldata(record.identifier, record.payload)
            entries = access_list(record.identifier, payload_hash(record.payload))
        try:
            raw = signed_relay(chain, self.account, data, entries, self._nonce(chain))
        except CrossrollError as exc:
            self._failed(record, exc.message)
            raise RelayFailed(f"relay of message 0x{h.hex()} failed: {exc.message}") from None
        # Recorded before sending: an automining destination reports the outcome at once.
        tx_hash = keccak(raw)
        self._in_flight[h] = (chain.chain_id, tx_hash)
        self.store.update(
            h,
            lambda r: r.with_step(
                Status.FAILED, None, relay_tx_hash=tx_hash, path=path, attempts=r.attempts + 1
            ),
        )
        try:
            chain.send_raw_transaction(raw)
        except AlreadyKnown:
            pass  # sent before this relayer started (a restart): it is ours, in flight
        except CrossrollError as exc:
            self._in_flight.pop(h, None)
            self._failed(self.store.get(h) or record, exc.message, attempt=False)
            raise RelayFailed(f"relay of message 0x{h.hex()} failed: {exc.message}") from None
        return tx_hash

    def _failed(self, record: MessageRecord, reason: str, attempt: bool = True) -> MessageRecord:
        """Record a relay that reached no block: a failed attempt (or ``attempt`` False: the
        outcome of one already counted)."""
        new = record.with_step(
            Status.FAILED,
            Step(self.scheduler.now()),
            attempts=record.attempts + int(attempt),
            last_error=reason,
        )
        self.store.put(new)
        return new

    def _relayed_on_chain(self, chain: ChainAPI, msg_hash: Hash32) -> bool:
        data = calldata("successfulMessages(bytes32)", msg_hash)
        try:
            out = chain.call(CallRequest(to=L2_TO_L2_MESSENGER, data=data)).output
        except CrossrollError:
            return False
        return int.from_bytes(out[:32] or b"\x00", "big") != 0

    def _pending(self, chain: ChainAPI, msg_hash: Hash32) -> Hash32 | None:
        """The relay of ``msg_hash`` waiting in the pool that will be mined, if any.  One
        that cannot be (a nonce gap before it: the transaction before it was dropped, as
        after a reorg) does not count, so the relayer sends its own."""
        pending = self._in_flight.get(msg_hash)
        tx = None if pending is None else pooled(chain, pending[1])
        if tx is None:
            tx = self._adopt(chain, msg_hash)
        if tx is None:
            return None
        if tx.sender == self.account.address:
            return tx.hash if tx.nonce < self._nonce(chain) else None
        return tx.hash if tx.nonce == chain.account(tx.sender).nonce else None

    def _adopt(self, chain: ChainAPI, msg_hash: Hash32) -> Transaction | None:
        """A relay of ``msg_hash`` this account sent before this relayer started (a restart;
        a data dir refills the pool), now tracked as in flight."""
        for tx in getattr(chain, "pool", ()):
            if (
                tx.sender == self.account.address
                and tx.to == L2_TO_L2_MESSENGER
                and decode_relay(chain.chain_id, tx.data)[0] == msg_hash
            ):
                self._in_flight[msg_hash] = (chain.chain_id, tx.hash)
                return tx
        return None

    def _nonce(self, chain: ChainAPI) -> int:
        """The account's next nonce: its state nonce past its relays in the pool, its own
        and a predecessor's (a restarted relayer), up to the first gap."""
        nonce = chain.account(self.account.address).nonce
        pool = getattr(chain, "pool", None)
        if pool is not None:
            return int(pool.pending_nonce(self.account.address, nonce))
        waiting = {
            tx.nonce
            for cid, tx_hash in self._in_flight.values()
            if cid == chain.chain_id and (tx := pooled(chain, tx_hash)) is not None
        }
        while nonce in waiting:
            nonce += 1
        return nonce
