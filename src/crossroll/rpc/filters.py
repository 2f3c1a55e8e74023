"""Polling filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter).

One :class:`FilterRegistry` per chain, fed by ``chain.on_block``; a filter not
polled for ``ttl`` seconds of scheduler time is dropped (geth: 5 minutes).
All methods run under the chain lock (the dispatcher and the chain's block
listeners both hold it), so the registry itself is not locked.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..abc import ChainAPI, SchedulerAPI
from ..errors import FilterNotFound
from ..types import Address, Block, Hash32, Log
from . import codec
from .codec import FilterSpec

FILTER_TTL = 300.0


def log_matches(
    log: Log, addresses: Sequence[Address], topics: Sequence[tuple[Hash32, ...] | None]
) -> bool:
    """geth's filter semantics: any listed address; per topic position, None
    matches anything, otherwise any of the options."""
    if addresses and log.address not in addresses:
        return False
    if len(topics) > len(log.topics):
        return False
    return all(opts is None or log.topics[i] in opts for i, opts in enumerate(topics))


def block_logs(block: Block) -> list[Log]:
    return [log for receipt in block.receipts for log in receipt.logs]


@dataclass
class _Filter:
    kind: str  # "logs" | "blocks" | "pending"
    last_used: float
    spec: FilterSpec | None = None
    items: list[Any] = field(default_factory=list)


class FilterRegistry:
    def __init__(self, chain: ChainAPI, scheduler: SchedulerAPI, ttl: float = FILTER_TTL) -> None:
        self.chain = chain
        self.scheduler = scheduler
        self.ttl = ttl
        self._filters: dict[str, _Filter] = {}
        self._unsubscribe: Callable[[], None] | None = None

    # --------------------------------------------------------------- lifetime
    def attach(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self.chain.on_block(self._on_block)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._filters.clear()

    def __len__(self) -> int:
        return len(self._filters)

    # ----------------------------------------------------------------- install
    def _install(self, kind: str, spec: FilterSpec | None = None) -> str:
        self.attach()
        self._expire()
        filter_id = "0x" + secrets.token_hex(16)
        self._filters[filter_id] = _Filter(kind, self.scheduler.now(), spec)
        return filter_id

    def new_log_filter(self, spec: FilterSpec) -> str:
        return self._install("logs", spec)

    def new_block_filter(self) -> str:
        return self._install("blocks")

    def new_pending_filter(self) -> str:
        return self._install("pending")

    def uninstall(self, filter_id: str) -> bool:
        self._expire()
        return self._filters.pop(filter_id.lower(), None) is not None

    def get(self, filter_id: str) -> _Filter:
        self._expire()
        flt = self._filters.get(filter_id.lower())
        if flt is None:
            raise FilterNotFound("filter not found")
        flt.last_used = self.scheduler.now()
        return flt

    # ---------------------------------------------------------------- polling
    def changes(self, filter_id: str) -> list[Any]:
        """JSON-shaped items since the last poll (hashes or logs)."""
        flt = self.get(filter_id)
        items, flt.items = flt.items, []
        return items

    # ------------------------------------------------------------------ feeds
    def add_pending(self, tx_hash: Hash32) -> None:
        for flt in self._filters.values():
            if flt.kind == "pending":
                flt.items.append(codec.data(tx_hash))

    def _on_block(self, block: Block) -> None:
        self._expire()
        logs: list[Log] | None = None
        for flt in self._filters.values():
            if flt.kind == "blocks":
                flt.items.append(codec.data(block.hash))
            elif flt.kind == "logs" and flt.spec is not None:
                if not _in_range(flt.spec, block):
                    continue
                if logs is None:
                    logs = block_logs(block)
                flt.items.extend(
                    codec.log_json(log, block.header.timestamp)
                    for log in logs
                    if log_matches(log, flt.spec.addresses, flt.spec.topics)
                )

    def _expire(self) -> None:
        deadline = self.scheduler.now() - self.ttl
        for filter_id in [k for k, f in self._filters.items() if f.last_used < deadline]:
            del self._filters[filter_id]


def _in_range(spec: FilterSpec, block: Block) -> bool:
    if spec.block_hash is not None:
        return spec.block_hash == block.hash
    if isinstance(spec.from_block, int) and block.number < spec.from_block:
        return False
    if spec.to_block == "earliest" and block.number != 0:
        return False
    return not (isinstance(spec.to_block, int) and block.number > spec.to_block)
