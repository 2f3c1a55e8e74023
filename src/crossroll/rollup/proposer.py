"""The proposer: posts the rollup's output roots to its L2OutputOracle on the clock.

Each tick it asks the oracle which L2 block the next output is for (``nextBlockNumber()``),
and once the L2 head has reached it, posts that block's output root.  The oracle is the only
state it trusts, so a restarted proposer (a new object) carries on where the last one stopped,
intervals are never skipped or posted twice, and a failed send is simply tried again at the
next tick.  One transaction is in flight at a time; its nonce is the proposer's ``latest``
one, so a restart cannot put a second proposal for the same block in the pool.

In a devnet the proposer follows the rollup's ``safe`` head (blocks whose batch is on the L1),
so an output never commits to a block the L1 cannot rebuild; without a safe head it
proposes sequenced (``latest``) blocks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_hash.auto import keccak

from ..abc import ChainAPI, ClientAPI, SchedulerAPI
from ..clock.periodic import PeriodicService
from ..errors import CrossrollError, L1TransactionFailed
from ..types import Address, Hash32
from . import transact
from .abi import calldata, decode
from .config import RollupConfig
from .output import Output, output_at

log = logging.getLogger(__name__)

#: Seconds between two checks of the L2 head.
DEFAULT_POLL_INTERVAL = 6.0
#: Most outputs posted in one tick when the proposer is behind (automine L1 only).
MAX_PROPOSALS_PER_TICK = 16

PROPOSE = "proposeL2Output(bytes32,uint256,bytes32,uint256)"
OUTPUT_PROPOSED = keccak(b"OutputProposed(bytes32,uint256,uint256,uint256)")
OUTPUTS_DELETED = keccak(b"OutputsDeleted(uint256,uint256)")


@dataclass(frozen=True, slots=True)
class Proposal:
    """One output on the L1 oracle."""

    index: int
    l2_block_number: int
    output_root: Hash32
    l1_tx_hash: Hash32
    l1_block_number: int

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "l2BlockNumber": self.l2_block_number,
            "outputRoot": transact.hexstr(self.output_root),
            "l1TransactionHash": transact.hexstr(self.l1_tx_hash),
            "l1BlockNumber": self.l1_block_number,
        }


@dataclass(frozen=True, slots=True)
class _InFlight:
    tx_hash: Hash32
    index: int
    output: Output


class Proposer(PeriodicService):
    def __init__(
        self,
        config: RollupConfig,
        oracle: Address,
        l1: ClientAPI,
        l2: ChainAPI,
        scheduler: SchedulerAPI,
        *,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        safe_head: Callable[[], int] | None = None,
    ) -> None:
        """``safe_head()``: the newest L2 block whose batch is on L1 (the rollup node's
        derivation); outputs are proposed only up to it.  None: up to the L2 head."""
        self.name = f"proposer-{config.chain_id}"
        self.config = config
        self.oracle = oracle
        self.l1 = l1
        self.l2 = l2
        self.scheduler = scheduler
        self.interval = poll_interval
        self.safe_head = safe_head
        #: The last error of a tick (cleared by the next proposal); the tick is retried.
        self.last_error: CrossrollError | None = None
        self._proposals: list[Proposal] = []
        self._in_flight: _InFlight | None = None
        self._quiet_at: tuple[Any, ...] | None = None  # heads when a tick last did nothing

    # ------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        self.sync()
        await super().start()

    # ------------------------------------------------------------------ read
    @property
    def proposals(self) -> tuple[Proposal, ...]:
        """Outputs on the oracle, oldest first (as of the last sync or proposal)."""
        return tuple(self._proposals)

    def sync(self) -> None:
        """Rebuild :attr:`proposals` from the oracle's events."""
        flt = {
            "address": transact.hexstr(self.oracle),
            "fromBlock": "0x0",
            "toBlock": "latest",
            "topics": [[transact.hexstr(OUTPUT_PROPOSED), transact.hexstr(OUTPUTS_DELETED)]],
        }
        proposals: list[Proposal] = []
        for entry in self.l1.request("eth_getLogs", [flt]):
            topics = [transact.unhex(t) for t in entry["topics"]]
            if topics[0] == OUTPUTS_DELETED:
                del proposals[int.from_bytes(topics[2], "big") :]
                continue
            index = int.from_bytes(topics[2], "big")
            del proposals[index:]
            proposals.append(
                Proposal(
                    index=index,
                    l2_block_number=int.from_bytes(topics[3], "big"),
                    output_root=topics[1],
                    l1_tx_hash=transact.unhex(entry["transactionHash"]),
                    l1_block_number=transact.quantity(entry["blockNumber"]),
                )
            )
        self._proposals = proposals

    # ------------------------------------------------------------------ work
    def tick(self) -> None:
        """One step on the clock; an error is kept in :attr:`last_error` and retried."""
        self._quiet_at = None
        before = len(self._proposals)
        try:
            for _ in range(MAX_PROPOSALS_PER_TICK):
                if not self._step():
                    break
        except CrossrollError as exc:
            self.last_error = exc
            log.warning("%s: %s (retrying at the next tick)", self.name, exc.message)
            return
        if self._in_flight is None and len(self._proposals) == before:
            self._quiet_at = self._heads()

    def idle(self) -> bool:
        """The last tick did nothing and no head (L1, L2, safe) moved since: the next
        would do nothing either (a virtual clock may skip it)."""
        return self._quiet_at is not None and self._quiet_at == self._heads()

    def _heads(self) -> tuple[Any, ...]:
        l1 = self.l1.request("eth_getBlockByNumber", ["latest", False])
        safe = None if self.safe_head is None else self.safe_head()
        return l1["hash"], self.l2.head().header.hash, safe

    def _step(self) -> bool:
        """Settle the transaction in flight or send the next one; True if another step may
        make progress at once."""
        if self._in_flight is not None:
            return self._settle(self._in_flight)
        next_block = self._view_uint("nextBlockNumber()")
        if self._proposable() < next_block:
            return False
        l1_head = self.l1.request("eth_getBlockByNumber", ["latest", False])
        if not self._due(next_block, transact.quantity(l1_head["timestamp"])):
            return False
        output = output_at(self.l2, next_block)
        index = self._view_uint("nextOutputIndex()")
        if index != len(self._proposals):  # a proposal landed after the last sync
            self.sync()
        data = calldata(
            PROPOSE,
            output.root,
            next_block,
            transact.unhex(l1_head["hash"]),
            transact.quantity(l1_head["number"]),
        )
        tx_hash = transact.send(self.l1, self.config.proposer, self.oracle, data)
        self._in_flight = _InFlight(tx_hash, index, output)
        return self._settle(self._in_flight)

    def _settle(self, sent: _InFlight) -> bool:
        receipt = transact.receipt(self.l1, sent.tx_hash)
        if receipt is None:
            if self.l1.request("eth_getTransactionByHash", [transact.hexstr(sent.tx_hash)]):
                return False  # still in the pool: wait for the L1 to mine it
            self._in_flight = None  # dropped: propose again
            raise L1TransactionFailed(
                f"proposal of L2 block {sent.output.block_number} left the L1 pool unmined"
            )
        self._in_flight = None
        if receipt.status != 1:
            raise L1TransactionFailed(
                f"proposal of L2 block {sent.output.block_number} reverted on the L1",
                data=transact.hexstr(sent.tx_hash),
            )
        del self._proposals[sent.index :]
        self._proposals.append(
            Proposal(
                index=sent.index,
                l2_block_number=sent.output.block_number,
                output_root=sent.output.root,
                l1_tx_hash=sent.tx_hash,
                l1_block_number=receipt.block_number,
            )
        )
        self.last_error = None
        return True

    def _proposable(self) -> int:
        """The newest L2 block an output may be proposed for."""
        head = self.l2.head().number
        return head if self.safe_head is None else min(head, self.safe_head())

    def _due(self, l2_block: int, l1_timestamp: int) -> bool:
        """Whether the oracle accepts an output for ``l2_block`` in the L1 block after one at
        ``l1_timestamp``: with a fixed L2 block time, the L2 block's expected timestamp must be
        before that block's."""
        if self.config.l2_block_time == 0:
            return True
        return self._view_uint("computeL2Timestamp(uint256)", l2_block) <= l1_timestamp

    def _view_uint(self, signature: str, *args: Any) -> int:
        out = transact.call(self.l1, self.oracle, calldata(signature, *args))
        return int(decode(["uint256"], out)[0])
