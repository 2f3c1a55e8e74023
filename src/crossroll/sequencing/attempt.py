"""Trying one bundle on a slot's drafts: every leg runs and succeeds, or nothing is kept.

The legs run in order, each on its rollup's draft (:mod:`.draft`); the bundle is dropped,
with the reason, as soon as a leg

* comes from a sender the rollup's sequencer censors (``sequencing.censor``),
* is refused by the engine (nonce, balance, fees, intrinsic gas),
* would overflow its block's gas limit,
* reverts (unless its hash is in ``revertingTxHashes``),
* emits an executing message the fast path refuses (:func:`.inslot.refusal`), or
* sends a message to another rollup of the slot whose in-slot relay fails (:mod:`.inslot`),
  e.g. runs out of its gas (at most :data:`~.inslot.MAX_RELAY_GAS`).

Nothing is written anywhere while trying: the drafts are immutable values, so dropping a
bundle is forgetting the drafts it produced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..chain.chain import Chain
from ..chain.revert import call_error
from ..errors import SequencingError
from ..messaging.fastpath import InteropGuard, InteropRules
from ..types import CallRequest, DevAccount, Hash32, Receipt, Transaction
from .bundle import Bundle
from .draft import Draft, as_block, run
from .inslot import MAX_RELAY_GAS, refusal, relay_transaction, sent_messages

#: Most in-slot relays one bundle may cause (messages answered by messages would loop).
MAX_RELAYS = 64


@dataclass(frozen=True, slots=True)
class Relay:
    """An in-slot relay the shared sequencer added for a bundle."""

    source: int  # where the message was sent
    chain_id: int  # its destination, where the relay runs
    tx: Transaction
    msg_hash: Hash32


@dataclass(frozen=True, slots=True)
class SlotContext:
    """What trying bundles needs besides the drafts."""

    members: Mapping[int, Chain]  # the shared rollups, by chain id
    guards: Mapping[int, InteropGuard]  # their fast-path guards (none: no messaging)
    rules: InteropRules
    key: DevAccount  # the shared sequencer's: signs in-slot relays


class Dropped(SequencingError):
    """A bundle cannot be included; the message says why (never leaves the slot builder:
    the bundle's record keeps the reason)."""


def attempt(
    ctx: SlotContext, bundle: Bundle, drafts: Mapping[int, Draft]
) -> tuple[dict[int, Draft], tuple[Relay, ...]]:
    """The drafts with every leg of ``bundle`` (and its in-slot relays) added, and those
    relays; raise :class:`Dropped` if any leg fails (module notes)."""
    work = dict(drafts)
    relays: list[Relay] = []
    for i, leg in enumerate(bundle.legs):
        label = f"leg {i} (chain {leg.chain_id}, tx 0x{leg.tx.hash.hex()})"
        if leg.tx.sender in ctx.members[leg.chain_id].censored:  # fault injection
            raise Dropped(f"{label}: sender 0x{leg.tx.sender.hex()} is censored")
        _apply(ctx, work, relays, leg.chain_id, leg.tx, label, leg.tx.hash in bundle.reverting)
    return work, tuple(relays)


def _apply(
    ctx: SlotContext,
    drafts: dict[int, Draft],
    relays: list[Relay],
    chain_id: int,
    tx: Transaction,
    label: str,
    may_revert: bool = False,
    relay: bool = False,
) -> None:
    chain, draft = ctx.members[chain_id], drafts[chain_id]
    if not draft.fits(tx):
        raise Dropped(
            f"{label} would overflow the block gas limit (gas {tx.gas}, {draft.gas_left} left)"
        )
    chunk = run(chain, draft, [tx])
    if chunk.rejected:
        raise Dropped(f"{label} refused: {chunk.rejected[0][1]}")
    receipt = chunk.receipts[0]
    # A call keeps 1/64 of the gas back: a relay that used more than the rest burnt its gas.
    if receipt.status == 0 and relay and receipt.gas_used * 64 >= tx.gas * 63:
        raise Dropped(
            f"{label} ran out of gas: used {receipt.gas_used:,} of its gas limit {tx.gas:,}"
            f" (an in-slot relay gets at most {MAX_RELAY_GAS:,}, or the gas left in the block)"
        )
    if receipt.status == 0 and not may_revert:
        raise Dropped(f"{label} reverted: {_revert_reason(chain, draft, tx)}")
    drafts[chain_id] = chunk.draft
    guard = ctx.guards.get(chain_id)
    why = None if guard is None else refusal(receipt, guard, drafts, ctx.members)
    if why is not None:
        raise Dropped(f"{label}: executing message refused: {why}")
    _relay_messages(ctx, drafts, relays, chain_id, receipt)


def _relay_messages(
    ctx: SlotContext,
    drafts: dict[int, Draft],
    relays: list[Relay],
    source: int,
    receipt: Receipt,
) -> None:
    """Relay at once the messages ``receipt`` sent to other rollups of the slot."""
    for log, message in sent_messages(receipt, source):
        dest = message.destination
        if dest == source or dest not in drafts or ctx.rules.delay:
            continue  # not ours, or it must wait: the ordinary relayer takes it
        if not ctx.rules.allows(source, dest):
            continue
        label = f"in-slot relay of message 0x{message.hash.hex()}"
        if len(relays) >= MAX_RELAYS:
            raise Dropped(f"{label} failed: more than {MAX_RELAYS} in-slot relays")
        tx = relay_transaction(ctx.members[dest], drafts[dest], source, log, ctx.key)
        relays.append(Relay(source, dest, tx, message.hash))
        try:
            _apply(ctx, drafts, relays, dest, tx, label, relay=True)
        except Dropped as exc:
            reason = exc.message.removeprefix(label).lstrip(": ")
            raise Dropped(f"{label} failed: {reason}") from None


def _revert_reason(chain: Chain, draft: Draft, tx: Transaction) -> str:
    """Why ``tx`` reverts on ``draft``: it run again as a call there (failures only)."""
    result = chain.engine.call(as_block(chain, draft).header, draft.root, CallRequest.of(tx))
    return "out of gas or halted" if result.success else call_error(result).message
