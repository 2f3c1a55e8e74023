"""Firm commitments: when a soft slot is confirmed by the L1.

A slot is firm once every shared rollup's derivation (which reads only the L1) has produced
its block at the slot's number, and, when the shared batcher is there, its batch record for
the slot exists.  ``matches`` then says whether the derived blocks are the soft ones: the
invariant "soft never runs ahead of what firm confirms" is ``matches`` always true (a false
one means the sequencer's blocks were replaced, e.g. an ``evm_revert`` after the slot).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..rollup.derivation import DerivedBlock
from .commitment import SlotCommitment

#: A rollup's derived block at a number (``SafeHeadTracker.derived``).
Derived = Callable[[int], DerivedBlock | None]
#: The shared batcher's record of the L1 transaction that carried a slot (None: not yet).
BatchRecord = Callable[[int], Any]


class FirmView:
    """Whether slots are firm (module notes)."""

    def __init__(self, derived: Mapping[int, Derived], batch: BatchRecord | None = None) -> None:
        self.derived, self.batch = dict(derived), batch

    def of(self, commitment: SlotCommitment) -> dict[str, Any] | None:
        """``{l1Block, matches, mismatched, batch}`` for a firm slot, None for one that is not."""
        found = {cid: self.derived[cid](n) for cid, n, _ in commitment.blocks}
        record = self.batch(commitment.slot) if self.batch is not None else None
        if any(d is None for d in found.values()) or (self.batch is not None and record is None):
            return None
        blocks = {cid: h for cid, _, h in commitment.blocks}
        mismatched = sorted(cid for cid, d in found.items() if d is None or d.hash != blocks[cid])
        to_json = getattr(record, "to_json", None)
        return {
            "l1Block": max(d.l1_inclusion for d in found.values() if d is not None),
            "matches": not mismatched,
            "mismatched": mismatched,
            "batch": to_json() if callable(to_json) else None,
        }

    def firm_slot(self, slots: Mapping[int, SlotCommitment]) -> int | None:
        """The highest firm slot (slots become firm in order: a binary search)."""
        numbers = list(slots)  # built in order
        low, high, best = 0, len(numbers) - 1, None
        while low <= high:
            mid = (low + high) // 2
            if self.of(slots[numbers[mid]]) is not None:
                best, low = numbers[mid], mid + 1
            else:
                high = mid - 1
        return best
