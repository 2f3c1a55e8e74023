"""Cross-rollup messages inside one slot: synchronous composability.

When a bundle's leg sends an L2ToL2CrossDomainMessenger message to another rollup of the
slot, the shared sequencer relays it at once, in the same slot, on the destination's draft
(so before the bundle's later legs there): ``relayMessage(id, payload)`` signed by the shared
sequencer's key, with the CrossL2Inbox access list, where ``id`` names the SentMessage log at
its final place (the slot's block number, the log's block-wide index, the slot's timestamp).
Its gas limit is :data:`MAX_RELAY_GAS`, or the gas left in the destination's block if less:
the shared sequencer's key pays for it and the slot is built under the network's lock, so a
message to a contract that burns all the gas it gets must not cost a whole block.

Executing messages in a slot, the relays' and any leg's, are checked by the fast path's own
rule (:func:`~crossroll.messaging.fastpath.check_message`) against the source chains *as
they will be once the slot is appended*: a source that is a member of the slot shows its
draft at the slot's block number.  Only when the rules allow it (the dependency set, and
no interop delay: with one, the message waits for the relayer like any other).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import cast

from ..abc import ChainAPI
from ..chain.chain import Chain
from ..chain.fees import child_base_fee
from ..errors import DecodingError, InteropRejected
from ..messaging.accesslist import access_list
from ..messaging.addresses import L2_TO_L2_MESSENGER
from ..messaging.fastpath import InteropGuard, check_message, executing_messages
from ..messaging.identifier import Identifier, msg_hash, payload
from ..messaging.l2tol2 import SENT_MESSAGE_TOPIC, L2ToL2Message
from ..messaging.relaycall import fast_calldata
from ..rollup.transact import sign_1559
from ..types import Block, BlockRef, DevAccount, Log, Receipt, Transaction
from .draft import Draft, as_block

#: The gas limit of an in-slot relay (a token bridge's mint takes ~100,000).  A message whose
#: call needs more fails its relay, which drops the bundle; sent in a plain transaction
#: instead, it waits for the ordinary relayer.
MAX_RELAY_GAS = 3_000_000


class _AsAppended:
    """A source chain as it will be once the slot is appended: its draft is the block at
    the slot's number (only ``block`` is used by ``check_message``)."""

    def __init__(self, chain: ChainAPI, draft: Block | None) -> None:
        self.chain, self.draft = chain, draft

    def block(self, ref: BlockRef) -> Block:
        if self.draft is not None and ref == self.draft.number:
            return self.draft
        return self.chain.block(ref)


def refusal(
    receipt: Receipt, guard: InteropGuard, drafts: Mapping[int, Draft], members: Mapping[int, Chain]
) -> str | None:
    """Why the executing messages ``receipt`` emitted may not run in the slot (None: all
    may; see the module notes)."""
    found = executing_messages(receipt.logs)
    if not found:
        return None
    sources = {
        cid: _AsAppended(chain, as_block(members[cid], drafts[cid]) if cid in drafts else None)
        for cid, chain in guard.sources.items()
    }
    for msg in found:
        try:
            check_message(
                msg,
                destination=guard.chain_id,
                exec_timestamp=drafts[guard.chain_id].timestamp,
                sources=cast(Mapping[int, ChainAPI], sources),  # only .block() is read
                rules=guard.rules,
            )
        except InteropRejected as exc:
            return exc.message
    return None


def sent_messages(receipt: Receipt, source: int) -> Iterator[tuple[Log, L2ToL2Message]]:
    """The messenger's SentMessage logs of ``receipt`` with their messages."""
    for log in receipt.logs:
        if log.address == L2_TO_L2_MESSENGER and log.topics[:1] == (SENT_MESSAGE_TOPIC,):
            try:
                yield log, L2ToL2Message.from_sent_log(log, source)
            except DecodingError:
                continue


def relay_transaction(
    chain: Chain, draft: Draft, source: int, log: Log, key: DevAccount
) -> Transaction:
    """The relay of the message ``log`` (at its place in the slot's block on ``source``),
    signed by ``key`` with its nonce on the destination's draft."""
    identifier = Identifier.of_log(log, draft.timestamp, source)
    data = fast_calldata(identifier, payload(log))
    tip = chain.max_priority_fee()
    base = child_base_fee(chain.head().header)
    raw = sign_1559(
        key.private_key,
        chain_id=chain.chain_id,
        nonce=chain.engine.account(draft.root, key.address).nonce,
        tip=tip,
        max_fee=2 * base + tip,
        gas=min(draft.gas_left, MAX_RELAY_GAS),
        to=L2_TO_L2_MESSENGER,
        value=0,
        data=data,
        access_list=access_list(identifier, msg_hash(log)),
    )
    return chain.engine.decode_transaction(raw)
