"""What each L2 block consumed of the L1: its L1 origin, its sequence number and how far the
portal's deposit logs are taken.  Pure functions over an :class:`~crossroll.abc.L1ViewAPI`,
shared by the sequencer (which builds blocks with them) and derivation (which rebuilds the
same deposit prefix from L1 data alone), so the two cannot diverge.

The deposit prefix of an L2 block is the L1-attributes deposit of its origin, then the
portal's ``TransactionDeposited`` logs its parent did not consume, from L1 blocks up to
the origin, in L1 log order, as many as fit in the block's gas after the L1-info deposit
(greedy: the first that does not fit waits, with all after it, for the next block); then,
with forced inclusion on, the forced transactions due from the L1 queue
(:mod:`.forced`, which states the rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..abc import L1ViewAPI
from ..chain.deposits import (
    DEPOSIT_TX_TYPE,
    TRANSACTION_DEPOSITED_TOPIC,
    DepositTransaction,
    deposit_from_log,
)
from ..errors import ConfigError, UnknownBlock
from ..types import Address, Block, Hash32, L1BlockInfo, Log, LogFilter, Transaction
from .globalroot import NO_ROOT, global_root_deposit, global_root_of, hub_root_between
from .l1info import L1Info, l1_info_of

if TYPE_CHECKING:
    from .forced import ForcedInclusion
    from .forcedcheck import ForcedContext

#: (L1 block number, log index) of the last consumed deposit log; everything at or before
#: it is in the L2.  ``(n, END)``: every log of L1 blocks up to n.
Cursor = tuple[int, int]
END = 2**63
START: Cursor = (-1, END)


@dataclass(frozen=True, slots=True)
class BlockOrigin:
    """What one L2 block consumed."""

    l1: L1BlockInfo  # its L1 origin
    sequence_number: int  # L2 blocks before it with the same origin
    cursor: Cursor  # the last portal log consumed
    global_root: Hash32 = NO_ROOT  # the settled path's latest global root it holds
    forced: Cursor = START  # the last forced-inclusion queue log consumed (.forced)


def genesis_origin(l1: L1ViewAPI) -> BlockOrigin:
    """The L2 genesis's: L1 block 0, nothing consumed."""
    return BlockOrigin(l1.info(0), 0, START)


def logs_after(
    l1: L1ViewAPI,
    address: Address,
    topics: tuple[tuple[bytes, ...], ...],
    cursor: Cursor,
    up_to: int,
) -> list[tuple[Cursor, Log]]:
    """``address``'s logs matching ``topics`` after ``cursor`` in L1 blocks up to
    ``up_to``, with their positions (the portal's deposits, the forced-inclusion queue)."""
    first = max(cursor[0] + (1 if cursor[1] == END else 0), 0)
    if first > up_to:
        return []
    flt = LogFilter(from_block=first, to_block=up_to, addresses=(address,), topics=topics)
    out = []
    for entry in l1.logs(flt):
        position = (entry.block_number, entry.log_index)
        if position > cursor and not entry.removed:
            out.append((position, entry))
    return out


def waiting_deposits(
    l1: L1ViewAPI, portal: Address, cursor: Cursor, up_to: int
) -> list[tuple[Cursor, DepositTransaction]]:
    """Portal deposits after ``cursor`` in L1 blocks up to ``up_to``, with their positions."""
    found = logs_after(l1, portal, ((TRANSACTION_DEPOSITED_TOPIC,),), cursor, up_to)
    return [(position, deposit_from_log(entry)) for position, entry in found]


def _sequence_number(parent: BlockOrigin, origin: L1BlockInfo) -> int:
    return parent.sequence_number + 1 if origin.hash == parent.l1.hash else 0


def block_deposits(
    l1: L1ViewAPI,
    portal: Address,
    batcher: Address,
    parent: BlockOrigin,
    origin_number: int,
    gas_limit: int,
    hub: Address | None = None,
    forced: ForcedInclusion | None = None,
    context: ForcedContext | None = None,
) -> tuple[list[DepositTransaction | Transaction], BlockOrigin]:
    """The deposit prefix of an L2 block whose parent consumed ``parent`` and whose L1
    origin is block ``origin_number``: the L1-info deposit, the settlement ``hub``'s new
    global root if it logged one since the parent's origin (:mod:`.globalroot`), then user
    deposits, then (``forced`` given) the forced transactions due, checked against
    ``context`` (the state the block is built on); and what the block consumes."""
    origin = l1.info(origin_number)
    sequence_number = _sequence_number(parent, origin)
    prefix = [L1Info.of(origin, sequence_number, batcher).deposit()]
    global_root = parent.global_root
    if hub is not None:
        root = hub_root_between(l1, hub, parent.l1.number, origin_number)
        if root is not None and root != global_root:
            global_root = root
            prefix.append(global_root_deposit(root, origin.hash))
    room = gas_limit - sum(d.gas for d in prefix)
    cursor = parent.cursor
    chosen: list[DepositTransaction] = []
    waiting = waiting_deposits(l1, portal, cursor, origin_number)
    for position, deposit in waiting:
        if deposit.gas > room:
            break
        room -= deposit.gas
        chosen.append(deposit)
        cursor = position
    if len(chosen) == len(waiting):
        cursor = max(cursor, (origin_number, END))
    due: list[Transaction] = []
    forced_cursor = parent.forced
    if forced is not None:
        most = gas_limit - prefix[0].gas
        due, forced_cursor = forced.take(
            l1, parent.forced, origin_number, room, most, _required(context)
        )
    consumed = BlockOrigin(origin, sequence_number, cursor, global_root, forced_cursor)
    return [*prefix, *chosen, *due], consumed


def origin_of_block(
    l1: L1ViewAPI,
    portal: Address,
    parent: BlockOrigin,
    block: Block,
    forced: ForcedInclusion | None = None,
    context: ForcedContext | None = None,
) -> BlockOrigin:
    """What an existing L2 block consumed, read from the block itself: the origin from its
    L1-info deposit, the cursor by matching its user deposits' source hashes against the
    portal's logs, the forced cursor by the rule over what its deposits left (``context``:
    the state its parent left, as :func:`block_deposits` takes it).  A block
    without an L1-info deposit (mined with explicit deposits) keeps its parent's origin,
    consumes only logs up to it and no forced transaction."""
    deposits = [tx for tx in block.transactions if tx.type == DEPOSIT_TX_TYPE]
    room = block.header.gas_limit - sum(tx.gas for tx in deposits)
    info = l1_info_of(deposits[0]) if deposits else None
    if info is None:
        origin, sequence_number = parent.l1, parent.sequence_number + 1
    else:
        origin = _recorded_origin(l1, info)
        sequence_number = info.sequence_number
        deposits = deposits[1:]
    global_root = parent.global_root
    if deposits and (recorded := global_root_of(deposits[0])) is not None:
        global_root, deposits = recorded, deposits[1:]
    included = {tx.source_hash for tx in deposits}
    cursor = parent.cursor
    waiting = waiting_deposits(l1, portal, cursor, origin.number)
    taken = 0
    for position, deposit in waiting:
        if deposit.source_hash not in included:
            break
        cursor, taken = position, taken + 1
    if taken == len(waiting):
        cursor = max(cursor, (origin.number, END))
    forced_cursor = parent.forced
    if forced is not None and info is not None:
        most = block.header.gas_limit - block.transactions[0].gas
        forced_cursor = forced.take(
            l1, parent.forced, origin.number, room, most, _required(context)
        )[1]
    return BlockOrigin(origin, sequence_number, cursor, global_root, forced_cursor)


def _required(context: ForcedContext | None) -> ForcedContext:
    if context is None:  # a caller's bug: which forced transactions apply depends on it
        raise ConfigError("forced inclusion needs the state the block is built on")
    return context


def _recorded_origin(l1: L1ViewAPI, info: L1Info) -> L1BlockInfo:
    try:
        known = l1.info(info.number)
    except UnknownBlock:
        known = None
    if known is not None and known.hash == info.hash:
        return known
    # The origin is no longer on the L1 (a reorg the sequencer does not follow): keep what
    # the block recorded; its parent hash was never recorded.
    return L1BlockInfo(
        number=info.number,
        hash=info.hash,
        parent_hash=bytes(32),
        timestamp=info.timestamp,
        base_fee=info.base_fee,
        blob_base_fee=info.blob_base_fee,
    )
