"""A rollup's safety heads: unsafe, safe, finalized.

* **unsafe** (``latest``): the sequencer's head.
* **safe**: the newest block derivation has rebuilt from L1 (its batch is on L1).
* **finalized**: the newest safe block whose batch is in a *finalized* L1 block and which an
  output covers whose challenge window has passed — an output on the oracle, proposed in a
  finalized L1 block, at least ``challenge_window`` seconds older than the L1 head, and whose
  root equals the output of the derived chain at that block (a wrong output finalizes
  nothing).

:meth:`SafetyHeads.resolve` is what :meth:`crossroll.chain.Chain.set_safety` takes, so the L2
endpoints answer the ``safe`` and ``finalized`` tags with these heads.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from eth_hash.auto import keccak

from ..abc import L1ViewAPI
from ..errors import CrossrollError
from ..types import Address, Hash32, LogFilter
from .derivation import Derivation
from .output import output_at

OUTPUT_PROPOSED = keccak(b"OutputProposed(bytes32,uint256,uint256,uint256)")
OUTPUTS_DELETED = keccak(b"OutputsDeleted(uint256,uint256)")


class SafetyHeads:
    def __init__(
        self,
        derivation: Derivation,
        l1: L1ViewAPI,
        l2: Any,
        *,
        oracle: Address,
        challenge_window: int,
    ) -> None:
        self.derivation, self.l1, self.l2 = derivation, l1, l2
        self.oracle, self.challenge_window = oracle, challenge_window
        self._outputs: dict[tuple[int, Hash32], bool] = {}  # (block, root) -> matches ours
        self._cache: tuple[tuple[int, int, int], int] | None = None
        #: The cross-safety bound (crossroll.messaging.crosssafety), set by the network
        #: when rollups exchange messages: a derived block is safe only once the source
        #: blocks of its executing messages are.
        self.cross: Callable[[], int] | None = None

    def local_safe(self) -> int:
        """The newest derived block (OP's local-safe)."""
        return self.derivation.head.number

    def safe(self) -> int:
        local = self.derivation.head.number
        return local if self.cross is None else min(local, self.cross())

    def finalized(self) -> int:
        value = self._finalized()
        return value if self.cross is None else min(value, self.safe())

    def _finalized(self) -> int:
        l1_final = self.l1.finalized_number()
        key = (l1_final, self.l1.head_number(), len(self.derivation.blocks))
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        blocks = self.derivation.blocks
        inclusions = [b.l1_inclusion for b in blocks]  # non-decreasing
        by_l1 = blocks[bisect.bisect_right(inclusions, l1_final) - 1].number
        value = min(by_l1, self._settled_output(l1_final, by_l1))
        self._cache = (key, value)
        return value

    def resolve(self, tag: str) -> int:
        """The block number a tag stands for (``safe`` / ``finalized``)."""
        return self.finalized() if tag == "finalized" else self.safe()

    def to_json(self) -> dict[str, int]:
        return {
            "unsafe": self.l2.head().number,
            "safe": self.safe(),
            "finalized": self.finalized(),
        }

    def _settled_output(self, l1_final: int, limit: int) -> int:
        """Highest L2 block ≤ ``limit`` of an output past its window (0 if none)."""
        if limit <= 0:
            return 0
        now = self.l1.info(self.l1.head_number()).timestamp
        flt = LogFilter(
            from_block=0,
            to_block=l1_final,
            addresses=(self.oracle,),
            topics=((OUTPUT_PROPOSED, OUTPUTS_DELETED),),
        )
        outputs: list[tuple[int, Hash32, int]] = []  # (l2 block, root, l1 timestamp)
        for entry in self.l1.logs(flt):
            index = int.from_bytes(entry.topics[2], "big")
            if entry.topics[0] == OUTPUTS_DELETED:
                del outputs[index:]
                continue
            del outputs[index:]
            outputs.append(
                (
                    int.from_bytes(entry.topics[3], "big"),
                    entry.topics[1],
                    int.from_bytes(entry.data[:32], "big"),
                )
            )
        best = 0
        for number, root, proposed_at in outputs:
            due = proposed_at + self.challenge_window <= now
            if number <= limit and due and self._matches(number, root):
                best = max(best, number)
        return best

    def _matches(self, number: int, root: Hash32) -> bool:
        known = self._outputs.get((number, root))
        if known is None:
            try:
                known = output_at(self.l2, number).root == root
            except CrossrollError:
                return False
            self._outputs[(number, root)] = known
        return known
