"""Keeping the shared rollups aligned when a slot is appended only in part.

A slot's blocks are appended one member at a time (:func:`.slot.append`), and each append
journals the block and runs the chain's listeners before the next.  An exception between two
appends (a listener, a journal write) or a crash there would leave one rollup with the slot's
block and another without it, and no slot could be built again.  Two repairs:

* **In the process** (:func:`undo`): when an append fails, the members that already have the
  slot's block are rewound to the slot's parent (journaled) and get their pools back as they
  were; the slot's bundles stay pending.  If a rewind fails too, the sequencer keeps the plan
  and tries again before its next slot (only blocks with the plan's hashes are taken back).
* **At start** (:func:`repair_at_start`), after a crash: the sequencer no longer knows which
  slot it was appending (slots and bundles live in memory), so it repairs only what a crash
  between two appends can leave, and what nothing else leaves since the members refuse
  mining by hand: the members that are ahead are exactly *one* block ahead of the others,
  their blocks there share one timestamp (one slot's), every member's block below has one
  timestamp (the members were aligned), and none of those blocks is posted to the L1 (the
  shared batcher posts only slot ranges every member has, so this holds; it is checked).
  Those blocks are rewound; their transactions are *not* sent again (a bundle's leg must not
  land without its other legs; a plain transaction among them must be sent again).  Any
  other misalignment (members several blocks apart, an ``evm_revert`` of several slots on
  one member) is left alone and logged: the slots stop until the user realigns the members.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from ..chain.chain import Chain
from ..chain.txpool import TxPool
from ..types import Block

log = logging.getLogger(__name__)

#: The highest block of a rollup that is on the L1 or on its way there.
Posted = Callable[[], int]


def undo(
    members: Mapping[int, Chain],
    number: int,
    blocks: Mapping[int, Block],
    pools: Mapping[int, TxPool] | None = None,
) -> bool:
    """Rewind to ``number - 1`` every member whose block ``number`` is ``blocks[cid]`` (a slot
    being appended) and give it back its pool from ``pools``; True when no member has any of
    ``blocks`` any more.  A failing rewind is logged and the others still done."""
    done = True
    for cid, block in blocks.items():
        chain = members[cid]
        if chain.head().number < number or chain.block(number).hash != block.hash:
            continue  # not appended there (or already taken back)
        try:
            chain.rewind(number - 1)
        except Exception:  # the journal: the sequencer tries again before its next slot
            log.exception("shared sequencer: rollup %d: cannot take back slot %d", cid, number)
            done = False
            continue
        if pools is not None:
            chain.pool = pools[cid]
        log.warning(
            "shared sequencer: rollup %d: slot %d taken back (not appended whole)", cid, number
        )
    return done


def repair_at_start(members: Mapping[int, Chain], posted: Mapping[int, Posted]) -> list[int]:
    """Rewind the block of a slot a crash left on some members only (module notes); return
    the chain ids rewound (none if the heads are aligned or the rule does not apply)."""
    heads = {cid: chain.head() for cid, chain in members.items()}
    low = min(block.number for block in heads.values())
    ahead = {cid: block for cid, block in heads.items() if block.number > low}
    if not ahead:
        return []
    why = _not_a_half_slot(members, posted, ahead, low)
    if why is not None:
        log.error(
            "shared sequencer: heads not aligned at start (%s); not repaired: %s",
            ", ".join(f"{cid}: {b.number}" for cid, b in heads.items()),
            why,
        )
        return []
    for cid in ahead:
        members[cid].rewind(low)
    log.warning(
        "shared sequencer: slot %d was appended on rollups %s only (a crash between its"
        " blocks): taken back (%s); their %d transactions are dropped",
        low + 1,
        ", ".join(map(str, ahead)),
        ", ".join(f"{cid}: 0x{b.hash.hex()}" for cid, b in ahead.items()),
        sum(len(b.transactions) for b in ahead.values()),
    )
    return list(ahead)


def _not_a_half_slot(
    members: Mapping[int, Chain], posted: Mapping[int, Posted], ahead: Mapping[int, Block], low: int
) -> str | None:
    """Why the blocks ``ahead`` are not one slot's, appended on some members only (None: they
    are; see the module notes)."""
    if any(block.number != low + 1 for block in ahead.values()):
        return "some rollups are more than one block ahead"
    if len({block.header.timestamp for block in ahead.values()}) != 1:
        return f"the blocks at {low + 1} have different timestamps"
    below = {chain.block(low).header.timestamp for chain in members.values()}
    if low > 0 and len(below) != 1:  # genesis timestamps may differ
        return f"the blocks at {low} have different timestamps"
    for cid in ahead:
        if cid in posted and posted[cid]() > low:
            return f"rollup {cid}'s block {low + 1} is posted to the L1"
    return None
