"""The fast path's rules: which executing messages a destination sequencer lets in.

OP interop (specs/interop/messaging.md, sequencer.md, tx-pool.md) trusts the destination's
sequencer to include an executing message (a CrossL2Inbox ``ExecutingMessage`` log) only if
its identifier points at a real log on a source chain with that payload.  Supersim checks
this off-chain on ``eth_sendRawTransaction`` only; crossroll checks it there
(:meth:`InteropGuard.admit`, Supersim's error texts and code -32602) and again on every block
it builds (:meth:`InteropGuard.reject`), because a source chain can revert in between.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import NamedTuple

from ..abc import ChainAPI, TxGuardAPI
from ..errors import CrossrollError, ExecutionReverted, InteropRejected, OutOfGas, UnknownBlock
from ..types import Block, CallRequest, Hash32, Log, Transaction
from .addresses import CROSS_L2_INBOX
from .executing import (
    EXECUTING_MESSAGE_TOPIC,
    EXPIRY_WINDOW,
    ExecutingMessage,
    InteropRules,
    executing_messages,
)
from .identifier import msg_hash

__all__ = [
    "EXECUTING_MESSAGE_TOPIC",
    "EXPIRY_WINDOW",
    "Dependency",
    "ExecutingMessage",
    "InteropGuard",
    "InteropRules",
    "check_message",
    "executing_messages",
]


def check_message(
    msg: ExecutingMessage,
    *,
    destination: int,
    exec_timestamp: int,
    sources: Mapping[int, ChainAPI],
    rules: InteropRules,
) -> Hash32:
    """Raise :class:`InteropRejected` unless ``msg`` may execute on ``destination`` in a
    block at ``exec_timestamp``; return the hash of the source block it matched."""
    ident = msg.id
    source = sources.get(ident.chain_id)
    if source is None:
        raise InteropRejected(f"no chain found for chain id: {ident.chain_id}")
    if not rules.allows(ident.chain_id, destination):
        raise InteropRejected(
            f"chain id {ident.chain_id} not in dependency set of chain {destination}"
        )
    try:
        block = source.block(ident.block_number)
    except UnknownBlock:
        raise InteropRejected(
            f"initiating message not found: chain {ident.chain_id} has no block"
            f" {ident.block_number}"
        ) from None
    if block.header.timestamp != ident.timestamp:
        raise InteropRejected(
            "executing message identifier does not match block timestamp:"
            f" {ident.timestamp} != {block.header.timestamp}"
        )
    log = _log_at(block, ident.log_index)
    if log is None:
        raise InteropRejected(
            f"initiating message not found: block {ident.block_number} of chain"
            f" {ident.chain_id} has no log {ident.log_index}"
        )
    if log.address != ident.origin:
        raise InteropRejected(
            f"initiating message not found: log {ident.log_index} was emitted by"
            f" 0x{log.address.hex()}, not 0x{ident.origin.hex()}"
        )
    if msg_hash(log) != msg.msg_hash:
        raise InteropRejected("executing and initiating message fields are not equal")
    _check_time(ident.timestamp, exec_timestamp, rules)
    return block.hash


def _check_time(initiated: int, executed: int, rules: InteropRules) -> None:
    # messaging.md: timestamp invariant (initiated <= executed) and expiry invariant
    # (invalid when initiated + window < executed); Supersim: executed >= initiated + delay.
    if initiated > executed:
        raise InteropRejected(
            f"initiating message timestamp {initiated} is after the executing block's {executed}"
        )
    if initiated + rules.expiry_window < executed:
        raise InteropRejected(
            f"initiating message expired: {initiated} + expiry window {rules.expiry_window}"
            f" < {executed}"
        )
    if executed < initiated + rules.delay:
        raise InteropRejected(
            f"interop delay not passed: executable from {initiated + rules.delay}, block at"
            f" {executed}"
        )


def _log_at(block: Block, log_index: int) -> Log | None:
    """The log at block-level ``log_index`` (receipts hold them in order)."""
    for receipt in block.receipts:
        if receipt.logs and receipt.logs[-1].log_index >= log_index:
            for log in receipt.logs:
                if log.log_index == log_index:
                    return log
            return None
    return None


class Dependency(NamedTuple):
    """A source block an executing message relies on."""

    chain_id: int
    block_number: int
    block_hash: Hash32


#: How many built blocks' dependencies a guard remembers (their matched source hashes).
_REMEMBERED = 1024


class InteropGuard(TxGuardAPI):
    """Enforces :func:`check_message` for the chain ``chain_id`` (which ``sources`` must
    include, with every chain messages may come from)."""

    def __init__(self, chain_id: int, sources: Mapping[int, ChainAPI], rules: InteropRules) -> None:
        self.chain_id = chain_id
        self.sources = sources
        self.rules = rules
        self._deps: OrderedDict[Hash32, list[Dependency]] = OrderedDict()

    def check(self, msg: ExecutingMessage, exec_timestamp: int) -> Hash32:
        """:func:`check_message` for this chain, in a block at ``exec_timestamp``."""
        return check_message(
            msg,
            destination=self.chain_id,
            exec_timestamp=exec_timestamp,
            sources=self.sources,
            rules=self.rules,
        )

    _check = check  # the name crosssafety.py used first

    def admit(self, tx: Transaction) -> None:
        # CrossL2Inbox emits only for a message the transaction access-lists (its checksum
        # slot must be warm), so one without an entry for it cannot execute any: skip the
        # simulation for it, i.e. for nearly every transaction.
        if not any(entry.address == CROSS_L2_INBOX for entry in tx.access_list):
            return
        chain = self.sources[self.chain_id]
        request = CallRequest.of(tx)
        try:
            result = chain.call(request, "pending")
        except (ExecutionReverted, OutOfGas):
            # A failing transaction emits nothing, so executes no message; it is mined as a
            # failure, as anvil would (the pool's own checks have passed).
            return
        timestamp = chain.pending_timestamp()
        for msg in executing_messages(result.logs):
            self.check(msg, timestamp)

    def reject(self, block: Block) -> dict[Hash32, CrossrollError]:
        refused: dict[Hash32, CrossrollError] = {}
        deps: list[Dependency] = []
        for tx, receipt in zip(block.transactions, block.receipts, strict=True):
            if tx.is_deposit:  # CrossL2Inbox reverts in deposits; they are not ours to drop
                continue
            for msg in executing_messages(receipt.logs):
                try:
                    matched = self.check(msg, block.header.timestamp)
                except InteropRejected as exc:
                    refused[tx.hash] = exc
                    break
                deps.append(Dependency(msg.id.chain_id, msg.id.block_number, matched))
        if not refused:
            self._remember(block.hash, deps)
        return refused

    def _remember(self, block_hash: Hash32, deps: list[Dependency]) -> None:
        self._deps[block_hash] = deps
        while len(self._deps) > _REMEMBERED:
            self._deps.popitem(last=False)

    def dependencies(self, block: Block) -> list[Dependency]:
        """The source blocks ``block``'s executing messages rely on, in log order: as
        matched when this guard built it, else as they match now (a zero hash for a
        message that matches nothing now: that dependency is invalid)."""
        known = self._deps.get(block.hash)
        if known is not None:
            return list(known)
        deps = []
        for tx, receipt in zip(block.transactions, block.receipts, strict=True):
            for msg in [] if tx.is_deposit else executing_messages(receipt.logs):
                try:
                    matched = self.check(msg, block.header.timestamp)
                except InteropRejected:
                    matched = b"\x00" * 32
                deps.append(Dependency(msg.id.chain_id, msg.id.block_number, matched))
        return deps
