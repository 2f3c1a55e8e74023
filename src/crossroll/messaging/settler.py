"""The settler: proves each rollup's outbox root to the L1 SettlementHub on the clock.

Each tick, per rollup: find the newest output on its L2OutputOracle that is past the challenge
window as of the L1 head (a binary search: outputs are proposed in time order), and if it is
newer than the one the hub last proved for that rollup and the outbox root at its L2 block
differs from the proven one, send ``proveOutboxRoot`` (:func:`.settled.outbox_root_proof`).
The hub is the only state trusted, so a restarted settler carries on where it stood.  One
proof per rollup is in flight at a time; nonces come from the account's ``pending`` count,
so the account should be the settler's own.

Idle (a virtual clock may skip the tick) when the last tick sent nothing and no head moved
since: the L1 head (time passing only shows on the L1 in its blocks, which is also when a
challenge window can end for the hub) and every L2 head.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..abc import ChainAPI, ClientAPI, L1ViewAPI, SchedulerAPI
from ..clock.periodic import PeriodicService
from ..errors import CrossrollError, L1TransactionFailed, MessagingError
from ..rollup import transact
from ..rollup.abi import calldata, decode
from ..rollup.addresses import L1Addresses, RollupAddresses
from ..rollup.output import output_at
from ..types import Address, DevAccount, Hash32
from .addresses import MESSAGE_OUTBOX
from .settled import outbox_root_proof

log = logging.getLogger(__name__)

#: Seconds between two ticks (one L1 slot).
DEFAULT_POLL_INTERVAL = 12.0
#: Gas limit of ``proveOutboxRoot``: about 450k with short trie proofs and a new rollup leaf
#: (300k to replace one), plus ~20k per extra trie node; a fixed limit after an eth_call
#: that would show a revert replaces eth_estimateGas, whose binary search over the trie
#: verification costs seconds on the in-process L1.
PROVE_GAS = 1_500_000


@dataclass(frozen=True, slots=True)
class SettledRoot:
    """An outbox root the settler proved on the L1."""

    chain_id: int
    l2_output_index: int
    l2_block_number: int
    outbox_root: Hash32
    l1_tx_hash: Hash32
    l1_block_number: int


@dataclass(frozen=True, slots=True)
class _Output:
    index: int
    root: Hash32
    timestamp: int
    l2_block: int


class Settler(PeriodicService):
    name = "settler"

    def __init__(
        self,
        l1: ClientAPI,
        l1_view: L1ViewAPI,
        addresses: L1Addresses,
        l2_chains: Mapping[int, ChainAPI],
        scheduler: SchedulerAPI,
        account: DevAccount,
        *,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> None:
        """Settles the rollups of ``addresses`` that ``l2_chains`` holds (by chain id)."""
        self.l1, self.l1_view, self.addresses = l1, l1_view, addresses
        self.l2_chains = dict(l2_chains)
        self.scheduler, self.account, self.interval = scheduler, account, poll_interval
        #: The last error of a tick; the tick is retried once a head moves.
        self.last_error: CrossrollError | None = None
        self._settled: list[SettledRoot] = []
        self._in_flight: dict[int, tuple[Hash32, _Output, Hash32]] = {}
        self._periods: dict[Address, int] = {}
        self._quiet_at: tuple[Any, ...] | None = None

    @property
    def settled(self) -> tuple[SettledRoot, ...]:
        """The proofs this settler landed, oldest first."""
        return tuple(self._settled)

    def idle(self) -> bool:
        return not self._in_flight and self._quiet_at == self._heads()

    def tick(self) -> None:
        """Settle the proofs in flight, then send the due ones; errors are kept in
        :attr:`last_error` and logged."""
        self._quiet_at = None
        heads = self._heads()
        sent = False
        for where in self.addresses.rollups:
            l2 = self.l2_chains.get(where.chain_id)
            if l2 is None:
                continue
            try:
                if where.chain_id in self._in_flight:
                    self._settle(where.chain_id)
                if where.chain_id not in self._in_flight:
                    sent |= self._prove_if_due(where, l2)
            except CrossrollError as exc:
                self.last_error = exc
                log.warning("settler, chain %d: %s", where.chain_id, exc.message)
        if not sent and not self._in_flight:
            self._quiet_at = heads

    def _heads(self) -> tuple[Any, ...]:
        number = self.l1_view.head_number()
        l2_heads = tuple(chain.head().header.hash for chain in self.l2_chains.values())
        return self.l1_view.info(number).hash, l2_heads

    # ------------------------------------------------------------------ work
    def _prove_if_due(self, where: RollupAddresses, l2: ChainAPI) -> bool:
        chain_id = where.chain_id
        proven, _, proven_index, proven_root = self._hub_view(
            "settledOutbox(uint256)", chain_id, types=("bool", "uint32", "uint256", "bytes32")
        )
        output = self._newest_finalized(where.l2_output_oracle)
        if output is None or (proven and output.index <= proven_index):
            return False
        if output.l2_block > l2.head().number:
            return False  # the L2 here is behind the L1's outputs (restarting)
        outbox_root = l2.storage(MESSAGE_OUTBOX, 0, output.l2_block).to_bytes(32, "big")
        if outbox_root == bytes(32) or outbox_root == bytes(proven_root):
            return False
        if output_at(l2, output.l2_block).root != output.root:
            raise MessagingError(
                f"output {output.index} on the L1 is not L2 block {output.l2_block} of this "
                "chain (was the L2 reset?); not proving its outbox"
            )
        data = outbox_root_proof(l2, output.l2_block).calldata(chain_id, output.index)
        hub = self.addresses.settlement_hub
        transact.call(self.l1, hub, data)  # a revert raises here, with the hub's reason
        nonce = transact.nonce(self.l1, self.account.address, "pending")
        tx_hash = transact.send(self.l1, self.account, hub, data, nonce_=nonce, gas=PROVE_GAS)
        self._in_flight[chain_id] = (tx_hash, output, outbox_root)
        self._settle(chain_id)
        return True

    def _settle(self, chain_id: int) -> None:
        tx_hash, output, outbox_root = self._in_flight[chain_id]
        receipt = transact.receipt(self.l1, tx_hash)
        if receipt is None:
            if self.l1.request("eth_getTransactionByHash", [transact.hexstr(tx_hash)]):
                return  # wait for the L1 to mine it
            del self._in_flight[chain_id]
            raise L1TransactionFailed(f"outbox proof of output {output.index} left the L1 pool")
        del self._in_flight[chain_id]
        if receipt.status != 1:
            raise L1TransactionFailed(
                f"outbox proof of output {output.index} reverted on the L1",
                data=transact.hexstr(tx_hash),
            )
        self._settled.append(
            SettledRoot(
                chain_id, output.index, output.l2_block, outbox_root, tx_hash, receipt.block_number
            )
        )
        self.last_error = None

    def _newest_finalized(self, oracle: Address) -> _Output | None:
        """The newest output past the challenge window as of the L1 head (the hub checks the
        time of the block the proof lands in, which is later)."""
        count = self._oracle_view(oracle, "nextOutputIndex()")
        if count == 0:
            return None
        if oracle not in self._periods:  # set once, in the oracle's constructor
            self._periods[oracle] = self._oracle_view(oracle, "finalizationPeriodSeconds()")
        now = self.l1_view.info(self.l1_view.head_number()).timestamp
        deadline = now - self._periods[oracle]  # finalized: timestamp < deadline
        lo, hi, best = 0, count - 1, None
        while lo <= hi:
            mid = (lo + hi) // 2
            output = self._output(oracle, mid)
            if output.timestamp < deadline:
                best, lo = output, mid + 1
            else:
                hi = mid - 1
        return best

    def _output(self, oracle: Address, index: int) -> _Output:
        root, timestamp, l2_block = decode(
            ("bytes32", "uint128", "uint128"),
            transact.call(self.l1, oracle, calldata("getL2Output(uint256)", index)),
        )
        return _Output(index, bytes(root), int(timestamp), int(l2_block))

    def _oracle_view(self, oracle: Address, signature: str) -> int:
        return int(decode(["uint256"], transact.call(self.l1, oracle, calldata(signature)))[0])

    def _hub_view(self, signature: str, *args: Any, types: tuple[str, ...]) -> Any:
        data = transact.call(self.l1, self.addresses.settlement_hub, calldata(signature, *args))
        return decode(types, data)
