"""The message indexer: follows every rollup and the L1 and keeps the :class:`MessageStore`.

On each L2 block (``chain.on_block``):

* a ``SentMessage`` log of the messenger -> a new record, ``sent``;
* a ``RelayedMessage`` log on the destination -> ``relayed`` (with the relay transaction and
  its path: ``relaySettledMessage`` is the settled path, anything else the fast path);
* a relay transaction to the messenger that reverted -> ``failed``, with the revert reason
  (the transaction run again on the block's parent state: the best a devnet can say);
* a block replacing earlier ones (a reorg) -> records whose source block left the chain are
  ``reorged``, relays whose block left it are relayed no more.

On each L1 block (after derivation has read it): ``batched`` once the source rollup's safe head
reaches the message's block (the step names the L1 block its batch landed in),
``outputProposed`` once an ``OutputProposed`` of the source's oracle covers it, and ``settled``
once a ``GlobalRootUpdated`` of the settlement hub for the source covers it *and* the
destination's SettledInbox knows that root or a later one (the step names the hub's L1 block).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import NamedTuple

from ..abc import ChainAPI, L1ViewAPI, SchedulerAPI, ServiceAPI, TimerAPI
from ..errors import CrossrollError, DecodingError, UnknownBlock
from ..rollup.safety import OUTPUT_PROPOSED, SafetyHeads
from ..types import Address, Block, Hash32, L1BlockInfo, Log, LogFilter, Receipt
from .addresses import L2_TO_L2_MESSENGER
from .identifier import Identifier, payload
from .l2tol2 import RELAYED_MESSAGE_TOPIC, SENT_MESSAGE_TOPIC, L2ToL2Message
from .relaycall import RELAY_SETTLED_SELECTOR, decode_relay, revert_reason
from .settled import GLOBAL_ROOT_UPDATED, known_global_root
from .store import MessageRecord, MessageStore, Status, Step

#: One line per message event, in Supersim's ``Contract#Event key=value`` form: ``crossroll up``
#: prints them (the hash a hand relay needs is in the SentMessage line).
events = logging.getLogger("crossroll.messaging.events")


def log_event(name: str, **fields: object) -> None:
    if events.isEnabledFor(logging.INFO):
        events.info("%s %s", name, " ".join(f"{k}={v}" for k, v in fields.items()))


class MessageIndexer(ServiceAPI):
    name = "message-indexer"

    def __init__(
        self,
        store: MessageStore,
        chains: Mapping[int, ChainAPI],
        scheduler: SchedulerAPI,
        *,
        l1: L1ViewAPI | None = None,
        safety: Mapping[int, SafetyHeads] | None = None,
        hub: Address | None = None,
    ) -> None:
        """``chains``: every rollup by chain id; ``l1``, ``safety`` (each rollup's heads) and
        ``hub`` (the L1 settlement hub) for the settlement steps, which are left out without
        them."""
        self.store, self.chains, self.scheduler = store, dict(chains), scheduler
        self.l1, self.safety, self.hub = l1, dict(safety or {}), hub
        self._roots: list[_Root] = []  # the hub's GlobalRootUpdated, in L1 order
        self._root_index: dict[Hash32, int] = {}  # global root -> its last index
        self._next_l1 = 0  # the next L1 block whose logs to read
        self._unsubscribe: list[Callable[[], None]] = []
        self._l1_soon: TimerAPI | None = None

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        if self._unsubscribe:
            return
        self.catch_up()
        for chain_id, chain in self.chains.items():
            listener = functools.partial(self.on_l2_block, chain_id)
            self._unsubscribe.append(chain.on_block(listener))
        if self.l1 is not None:
            self._unsubscribe.append(self.l1.on_block(self._on_l1_head))

    async def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self._l1_soon is not None:
            self._l1_soon.cancel()
            self._l1_soon = None

    def catch_up(self) -> None:
        """Index what the chains already hold (a restarted devnet): sent messages first, then
        relays, then the L1's outputs and roots."""
        logs = {
            cid: chain.logs(LogFilter(0, chain.head().number, (L2_TO_L2_MESSENGER,)))
            for cid, chain in self.chains.items()
        }
        for topic in (SENT_MESSAGE_TOPIC, RELAYED_MESSAGE_TOPIC):
            for cid, found in logs.items():
                for log in found:
                    if log.topics and log.topics[0] == topic:
                        self._log(cid, self.chains[cid].block(log.block_number), log)
        if self.l1 is not None:
            self.on_l1_block(self.l1.info(self.l1.head_number()))

    # ------------------------------------------------------------ L2 blocks
    def on_l2_block(self, chain_id: int, block: Block) -> None:
        self._reorgs(chain_id, block)
        for receipt in block.receipts:
            for log in receipt.logs:
                self._log(chain_id, block, log)
            if receipt.status == 0 and receipt.to == L2_TO_L2_MESSENGER:
                self._failed(chain_id, block, receipt)
        self._settlement()

    def _log(self, chain_id: int, block: Block, log: Log) -> None:
        if log.address != L2_TO_L2_MESSENGER or not log.topics:
            return
        if log.topics[0] == SENT_MESSAGE_TOPIC:
            self._sent(chain_id, block, log)
        elif log.topics[0] == RELAYED_MESSAGE_TOPIC and len(log.topics) == 4:
            self._relayed(block, log)

    def _sent(self, chain_id: int, block: Block, log: Log) -> None:
        try:
            message = L2ToL2Message.from_sent_log(log, chain_id)
        except DecodingError:
            return
        old = self.store.get(message.hash)
        if old is not None and old.reorged is None and old.source_block_hash == block.hash:
            return  # seen already (catch-up, or a resendMessage of the same block)
        ts = block.header.timestamp
        log_event(
            "L2ToL2CrossDomainMessenger#SentMessage",
            sourceChainID=chain_id,
            destinationChainID=message.destination,
            nonce=message.nonce,
            sender="0x" + message.sender.hex(),
            target="0x" + message.target.hex(),
            msgHash="0x" + message.hash.hex(),
        )
        self.store.put(
            MessageRecord(
                message=message,
                identifier=Identifier.of_log(log, ts, chain_id),
                payload=payload(log),
                source_block_hash=block.hash,
                sent=Step(self.scheduler.now(), block.number, ts),
                # A resent or re-mined message keeps what happened on its destination.
                relayed=None if old is None else old.relayed,
                relay_tx_hash=None if old is None else old.relay_tx_hash,
                path=None if old is None else old.path,
                attempts=0 if old is None else old.attempts,
            )
        )

    def _relayed(self, block: Block, log: Log) -> None:
        tx = block.transactions[log.transaction_index]
        path = "settled" if tx.data[:4] == RELAY_SETTLED_SELECTOR else "fast"
        step = Step(self.scheduler.now(), block.number, block.header.timestamp)
        log_event(
            "L2ToL2CrossDomainMessenger#RelayedMessage",
            sourceChainID=int.from_bytes(log.topics[1], "big"),
            nonce=int.from_bytes(log.topics[2], "big"),
            path=path,
            msgHash="0x" + log.topics[3].hex(),
        )
        self.store.update(
            log.topics[3],
            lambda r: r.with_step(
                Status.RELAYED,
                step,
                failed=None,
                relay_tx_hash=log.transaction_hash,
                path=path,
                last_error=None,
                gave_up=False,
            ),
        )

    def _failed(self, chain_id: int, block: Block, receipt: Receipt) -> None:
        tx = block.transactions[receipt.transaction_index]
        msg_hash, path = decode_relay(chain_id, tx.data)
        record = None if msg_hash is None else self.store.get(msg_hash)
        if record is None or record.relayed is not None:
            return
        reason = revert_reason(self.chains[chain_id], tx, block.number - 1)
        step = Step(self.scheduler.now(), block.number, block.header.timestamp)
        self.store.put(
            record.with_step(
                Status.FAILED, step, relay_tx_hash=tx.hash, path=path, last_error=reason
            )
        )

    def _reorgs(self, chain_id: int, block: Block) -> None:
        """A block at or below a record's block means the chain went back: check hashes."""
        chain = self.chains[chain_id]
        for record in self.store:
            if (
                record.source == chain_id
                and record.reorged is None
                and record.block_number >= block.number
                and _hash_at(chain, record.block_number) != record.source_block_hash
            ):
                step = Step(self.scheduler.now(), block.number, block.header.timestamp)
                self.store.put(record.with_step(Status.REORGED, step))
            relayed = record.relayed
            if (
                record.destination == chain_id
                and relayed is not None
                and relayed.block_number is not None
                and relayed.block_number >= block.number
                and record.relay_tx_hash is not None
                and _receipt_block(chain, record.relay_tx_hash) != relayed.block_number
            ):
                self.store.put(record.with_step(Status.RELAYED, None))

    # ------------------------------------------------------------ L1 blocks
    def _on_l1_head(self, _info: L1BlockInfo) -> None:
        # Read it after the action that mined it, as derivation does: the safe head (and so
        # ``batched``) moves first.
        def fire() -> None:
            self._l1_soon = None
            if self.l1 is not None:
                self.on_l1_block(self.l1.info(self.l1.head_number()))

        if self._l1_soon is None:
            self._l1_soon = self.scheduler.call_later(0, fire)

    def on_l1_block(self, info: L1BlockInfo) -> None:
        """Read the L1's outputs and roots up to block ``info``, then move the steps."""
        assert self.l1 is not None
        addresses = [h.oracle for h in self.safety.values()]
        if self.hub is not None:
            addresses.append(self.hub)
        if addresses and info.number >= self._next_l1:
            topics = ((OUTPUT_PROPOSED, GLOBAL_ROOT_UPDATED),)
            flt = LogFilter(self._next_l1, info.number, tuple(addresses), topics)
            for log in self.l1.logs(flt):
                if not log.removed:
                    self._l1_log(log)
        self._next_l1 = max(self._next_l1, info.number + 1)
        self._batched()
        self._settlement()

    def _l1_log(self, log: Log) -> None:
        assert self.l1 is not None
        ts = self.l1.info(log.block_number).timestamp
        step = Step(self.scheduler.now(), log.block_number, ts)
        if log.topics[0] == OUTPUT_PROPOSED:
            chain_id = next(c for c, h in self.safety.items() if h.oracle == log.address)
            covered = int.from_bytes(log.topics[3], "big")
            for r in self.store.filter(source=chain_id):
                if r.output_proposed is None and r.reorged is None and r.block_number <= covered:
                    self.store.put(r.with_step(Status.OUTPUT_PROPOSED, step))
        elif log.topics[0] == GLOBAL_ROOT_UPDATED and len(log.data) >= 96:
            covered = int.from_bytes(log.data[64:96], "big")
            self._root_index[log.topics[1]] = len(self._roots)
            self._roots.append(_Root(int.from_bytes(log.topics[2], "big"), covered, step))

    def _batched(self) -> None:
        assert self.l1 is not None
        safe: dict[int, int] = {}  # each rollup's safe head, computed once per L1 block
        for r in self.store:
            heads = self.safety.get(r.source)
            if r.batched is not None or r.reorged is not None or heads is None:
                continue
            if r.source not in safe:
                safe[r.source] = heads.safe()
            if safe[r.source] < r.block_number:
                continue
            derived = heads.derivation.derived(r.block_number)
            if derived is None or derived.hash != r.source_block_hash:
                continue
            ts = self.l1.info(derived.l1_inclusion).timestamp
            step = Step(self.scheduler.now(), derived.l1_inclusion, ts)
            self.store.put(r.with_step(Status.BATCHED, step))

    def _settlement(self) -> None:
        """Settled: a hub root for the source covers the block and the destination knows
        it or a later one (each later root still holds the source's leaf, only newer)."""
        if not self._roots:
            return
        known: dict[int, int] = {}
        for r in self.store:
            if r.settled is not None or r.reorged is not None:
                continue
            first = next(
                (
                    i
                    for i, root in enumerate(self._roots)
                    if root.chain_id == r.source and root.l2_block >= r.block_number
                ),
                None,
            )
            destination = self.chains.get(r.destination)
            if first is None or destination is None:
                continue
            if r.destination not in known:
                root = known_global_root(destination)
                known[r.destination] = self._root_index.get(root, -1)
            if known[r.destination] >= first:
                self.store.put(r.with_step(Status.SETTLED, self._roots[first].step))


class _Root(NamedTuple):
    """A GlobalRootUpdated of the hub: ``chain_id``'s outbox settled up to ``l2_block``."""

    chain_id: int
    l2_block: int
    step: Step


def _hash_at(chain: ChainAPI, number: int) -> bytes | None:
    try:
        return chain.block(number).hash
    except UnknownBlock:
        return None


def _receipt_block(chain: ChainAPI, tx_hash: bytes) -> int | None:
    try:
        receipt = chain.receipt(tx_hash)
    except CrossrollError:
        return None
    return None if receipt is None else receipt.block_number
