"""What the devnet knows of each cross-rollup message: one immutable record per message hash,
replaced whole on every change, and the store that keeps them.

A record's lifecycle steps are independent (a fast-path message is often relayed before its
source block is even batched); its :attr:`MessageRecord.status` is derived from them:
``relayed`` once relayed; else ``reorged`` if its source block left the chain; else
``failed`` if the last relay attempt failed; else the furthest of ``settled``,
``outputProposed``, ``batched``, ``sent``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from ..types import Hash32
from .identifier import Identifier
from .l2tol2 import L2ToL2Message

Path = Literal["fast", "settled"]


class Status(StrEnum):
    SENT = "sent"
    BATCHED = "batched"
    OUTPUT_PROPOSED = "outputProposed"
    SETTLED = "settled"
    RELAYED = "relayed"
    FAILED = "failed"
    REORGED = "reorged"


#: The settlement steps, furthest last (what the status is when nothing else applies).
PROGRESS = (Status.SENT, Status.BATCHED, Status.OUTPUT_PROPOSED, Status.SETTLED)


@dataclass(frozen=True, slots=True)
class Step:
    """When a lifecycle step happened: the clock's time when crossroll saw it (virtual time on
    a virtual-time network) and the block that made it happen, with that block's timestamp
    (sent: the source L2 block; batched, outputProposed, settled: the L1 block; relayed,
    failed: the destination L2 block, None when a relay failed before reaching a block)."""

    at: float
    block_number: int | None = None
    timestamp: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"time": self.at, "blockNumber": self.block_number, "timestamp": self.timestamp}


@dataclass(frozen=True, slots=True)
class MessageRecord:
    message: L2ToL2Message
    identifier: Identifier
    payload: bytes  # the SentMessage log's topics ‖ data: what relayMessage takes
    source_block_hash: Hash32
    sent: Step
    batched: Step | None = None
    output_proposed: Step | None = None
    settled: Step | None = None
    relayed: Step | None = None
    failed: Step | None = None
    reorged: Step | None = None
    relay_tx_hash: Hash32 | None = None  # the successful relay, else the last one sent
    path: Path | None = None  # of relay_tx_hash
    attempts: int = 0  # relay attempts by the relayer (autorelay and manual)
    last_error: str | None = None
    gave_up: bool = False  # the relayer stopped retrying (see Relayer)

    @property
    def msg_hash(self) -> Hash32:
        return self.message.hash

    @property
    def source(self) -> int:
        return self.message.source

    @property
    def destination(self) -> int:
        return self.message.destination

    @property
    def block_number(self) -> int:
        """The source block that sent it."""
        return self.identifier.block_number

    @property
    def status(self) -> Status:
        if self.relayed is not None:
            return Status.RELAYED
        if self.reorged is not None:
            return Status.REORGED
        if self.failed is not None:
            return Status.FAILED
        return next(s for s in reversed(PROGRESS) if self.step(s) is not None)

    def step(self, status: Status) -> Step | None:
        step: Step | None = getattr(self, _FIELDS[status])
        return step

    def with_step(self, status: Status, step: Step | None, **changes: Any) -> MessageRecord:
        """This record with one step set (or cleared with None) and other fields changed."""
        changes[_FIELDS[status]] = step
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        m, i = self.message, self.identifier
        return {
            "msgHash": _hex(self.msg_hash),
            "status": self.status.value,
            "source": m.source,
            "destination": m.destination,
            "nonce": m.nonce,
            "sender": _hex(m.sender),
            "target": _hex(m.target),
            "message": _hex(m.message),
            "identifier": {
                "origin": _hex(i.origin),
                "blockNumber": i.block_number,
                "logIndex": i.log_index,
                "timestamp": i.timestamp,
                "chainId": i.chain_id,
            },
            "payload": _hex(self.payload),
            "sourceBlockHash": _hex(self.source_block_hash),
            "lifecycle": {
                s.value: None if (step := self.step(s)) is None else step.to_json() for s in Status
            },
            "relayTransactionHash": None
            if self.relay_tx_hash is None
            else _hex(self.relay_tx_hash),
            "path": self.path,
            "attempts": self.attempts,
            "lastError": self.last_error,
            "gaveUp": self.gave_up,
        }


_FIELDS = {
    Status.SENT: "sent",
    Status.BATCHED: "batched",
    Status.OUTPUT_PROPOSED: "output_proposed",
    Status.SETTLED: "settled",
    Status.RELAYED: "relayed",
    Status.FAILED: "failed",
    Status.REORGED: "reorged",
}


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


#: Told of every change: ``listener(old, new)`` (old None for a new message).
Listener = Callable[[MessageRecord | None, MessageRecord], None]


class MessageStore:
    """Records by message hash, in the order they were first seen."""

    def __init__(self) -> None:
        self._records: dict[Hash32, MessageRecord] = {}
        self._listeners: list[Listener] = []

    def get(self, msg_hash: Hash32) -> MessageRecord | None:
        return self._records.get(msg_hash)

    def put(self, record: MessageRecord) -> None:
        """Add or replace the record of ``record.msg_hash``; listeners hear of a real change."""
        old = self._records.get(record.msg_hash)
        if old == record:
            return
        self._records[record.msg_hash] = record
        for listener in list(self._listeners):
            listener(old, record)

    def update(
        self, msg_hash: Hash32, change: Callable[[MessageRecord], MessageRecord]
    ) -> MessageRecord | None:
        """Replace the record with ``change(record)``; None (and nothing done) if unknown."""
        old = self._records.get(msg_hash)
        if old is None:
            return None
        self.put(change(old))
        return self._records[msg_hash]

    def filter(
        self,
        *,
        source: int | None = None,
        destination: int | None = None,
        chain: int | None = None,
        status: Status | None = None,
    ) -> list[MessageRecord]:
        """Records matching every given criterion (``chain``: source or destination)."""
        return [
            r
            for r in self._records.values()
            if (source is None or r.source == source)
            and (destination is None or r.destination == destination)
            and (chain is None or chain in (r.source, r.destination))
            and (status is None or r.status is status)
        ]

    def on_change(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(old, new)`` after each change; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[MessageRecord]:
        return iter(list(self._records.values()))

    def __contains__(self, msg_hash: object) -> bool:
        return msg_hash in self._records
