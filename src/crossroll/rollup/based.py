"""Based sequencing: a rollup whose blocks follow the L1's (docs/based.md).

No sequencer orders a based rollup: whoever proposes an L1 block does, by choosing the L1
transactions that post L2 transactions (the "total anarchy" model of based rollups).
Anyone may post to the rollup's based inbox (:func:`~crossroll.sequencing.addresses.
based_inbox`) a calldata transaction holding a *post*: ``0x00 ‖ rlp([raw_tx, ...])``.

The rule, for every L1 block ``n ≥ 1``: the rollup has exactly one L2 block with L1 origin
``n``, timestamp ``max(L1 block n's, its parent's)`` (equal to L1 block n's on any L1 whose
clock does not run backwards), and as transactions the deposit prefix of origin ``n``
(:meth:`Derivation.prefix`, the function every mode shares), then the L2 transactions posted
in L1 block ``n``, in L1 order and within a post in list order, from every sender.  A
transaction that does not apply (bad nonce, cannot pay, over the block's gas, undecodable,
another chain's, a deposit, or executing a message the fast-path guard refuses) is left out;
the rest of the block is unaffected.  The L2 genesis has origin 0, so L2 block ``n`` has L1
origin ``n``.

:class:`BasedBuilder` applies the rule on a chain.  The rollup's own node and a verifier run
the same code on the same L1 data, so they agree by construction (given the same source
chains for executing messages); a block is safe as soon as it exists, since its data is the
L1's.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import rlp
from eth_hash.auto import keccak

from ..abc import L1ViewAPI, SchedulerAPI, TxGuardAPI
from ..errors import CrossrollError, DataError, DerivationError
from ..types import Block, Hash32, L1BlockInfo, Transaction
from .derivation import Counters, Derivation, DerivedBlock
from .forcedcheck import ForcedContext, executes_messages
from .origin import origin_of_block

if TYPE_CHECKING:
    from ..da import L2BlockData

log = logging.getLogger(__name__)

#: First byte of a post (a later format would take another).
POST_VERSION = 0
#: How many left-out transactions a builder remembers (with their reasons).
REMEMBERED = 4096


def encode_post(raw_txs: Sequence[bytes]) -> bytes:
    """The calldata of one post: ``0x00 ‖ rlp([raw_tx, ...])``."""
    return bytes([POST_VERSION]) + rlp.encode(list(raw_txs))


def decode_post(data: bytes) -> list[bytes]:
    """The raw transactions of a post; :class:`DataError` if it is not one."""
    if not data or data[0] != POST_VERSION:
        raise DataError(f"not a based post: version byte {data[:1].hex() or 'missing'}")
    try:
        items = rlp.decode(data[1:], strict=True)
    except Exception as exc:  # pyrlp's own errors: the post is anyone's bytes
        raise DataError(f"a based post does not decode: {exc}") from None
    if not isinstance(items, list) or not all(isinstance(i, bytes) for i in items):
        raise DataError("a based post is not a list of transactions")
    return list(items)


@dataclass(slots=True)
class BasedCounters(Counters):
    """Derivation's counters (a post counts as a batcher transaction) and the posts'."""

    posted_transactions: int = 0  # in posts, decodable or not
    left_out: int = 0  # posted transactions that did not get into their block

    def to_json(self) -> dict[str, int]:
        return {
            **Counters.to_json(self),
            "postedTransactions": self.posted_transactions,
            "leftOut": self.left_out,
        }


#: Rebuilds of one block for executing messages the fast-path check refuses, before every
#: transaction that could execute one is left out of it (a bound on the work a post can cause).
MAX_GUARD_ROUNDS = 4
TOO_MANY_ROUNDS = (
    f"left out: executing messages were refused in {MAX_GUARD_ROUNDS} rebuilds of this block,"
    " so no transaction of it may execute one"
)


class BasedBuilder(Derivation):
    """Builds a based rollup's blocks from the L1 (see the module notes): the block producer
    of the rollup's node, its safe-head tracker, and a verifier's derivation."""

    def __init__(
        self,
        chain_id: int,
        l1: L1ViewAPI,
        l2: Any,
        scheduler: SchedulerAPI,
        *,
        guard: TxGuardAPI | None = None,
        **inputs: Any,
    ) -> None:
        """``inputs``: as :class:`Derivation` takes them, ``inbox`` being the based inbox
        (``batcher`` only goes into the L1-info deposit: every sender may post);
        ``guard``: the fast-path guard whose refusals leave transactions out (settable
        later as ``.guard``)."""
        super().__init__(chain_id, l1, l2, scheduler, **inputs)
        self.guard = guard
        self.counters: BasedCounters = BasedCounters()
        #: Recently left-out transactions: hash -> (L1 block, reason).
        self.left_out: OrderedDict[Hash32, tuple[int, str]] = OrderedDict()
        self._recover()

    def _recover(self) -> None:
        """Take the blocks a chain already holds (a data dir's) as built: they came from
        the L1 by this rule, and the L1 they came from is where reading resumes."""
        head = self.l2.head().number
        for number in range(1, head + 1):
            block = self.l2.block(number)
            parent = self.l2.block(number - 1).header
            context = None if self.forced is None else ForcedContext.on(self.l2, parent)
            origin = origin_of_block(
                self.l1, self.portal, self.head.origin, block, self.forced, context
            )
            self.blocks.append(
                DerivedBlock(number, block.hash, block.header.timestamp, origin.l1.number, origin)
            )
        self.next_l1 = self.head.origin.l1.number + 1 if head else 0

    # ------------------------------------------------------------------ work
    def apply(self, data: L2BlockData, deposits: list[Transaction]) -> Block:
        raise DerivationError("a based rollup has no batches: its blocks follow L1 blocks")

    def _read_l1_block(self, number: int) -> None:
        info = self._follow(number)
        if number <= self.head.origin.l1.number:
            return  # L1 block 0: the L2 genesis's origin
        self._build(info, self._posted(number))

    def _posted(self, number: int) -> list[Transaction]:
        """The L2 transactions posted in L1 block ``number``, in order (undecodable posts
        and transactions skipped)."""
        decode = self.l2.engine.decode_transaction
        out = []
        for post in self.l1.inbox_transactions(number, self.inbox):
            try:
                if post.blob_hashes:
                    raise DataError("posts are calldata, not blobs")
                raws = decode_post(post.data)
            except DataError as exc:
                self.counters.ignored_transactions += 1
                log.info("based-%s: post 0x%s ignored: %s", self.chain_id, post.hash.hex(), exc)
                continue
            self.counters.batcher_transactions += 1
            self.counters.posted_transactions += len(raws)
            for raw in raws:
                try:
                    tx = decode(raw)
                except CrossrollError as exc:
                    self._leave_out(None, number, exc.message, raw)
                    continue
                except Exception as exc:  # py-evm's own decoding errors: anyone's bytes
                    self._leave_out(None, number, str(exc), raw)
                    continue
                if tx.is_deposit:  # only the L1 portal makes deposits
                    self._leave_out(tx.hash, number, "a deposit cannot be posted", raw)
                    continue
                out.append(tx)
        return out

    def _build(self, info: L1BlockInfo, posted: list[Transaction]) -> None:
        parent = self.head
        if self.l2.head().hash != parent.hash:
            raise DerivationError(
                f"the chain's head is not L2 block {parent.number} of L1 block"
                f" {parent.origin.l1.number}: a based rollup is built from L1 blocks only"
            )
        prefix, origin = self.prefix(parent, info.number)
        timestamp = max(info.timestamp, parent.timestamp)
        candidates = [*prefix, *posted]
        refused: dict[Hash32, str] = {}
        rounds = 0
        while True:
            txs = [tx for tx in candidates if tx.hash not in refused]
            block, rejected = self.l2.build(txs, timestamp)
            bad = [(tx, exc) for tx, exc in rejected if tx.is_deposit]
            if bad:  # the L1's deposits always apply; if not, stop rather than diverge
                raise DerivationError(
                    f"deposit 0x{bad[0][0].hash.hex()} of L1 block {info.number} does not"
                    f" apply: {bad[0][1]}"
                )
            checked = {} if self.guard is None else self.guard.reject(block)
            if not checked:
                break
            # Left out like any transaction that does not apply; later ones may now fail
            # (a sender's next nonce), which the rebuild decides.
            refused.update({h: exc.message for h, exc in checked.items()})
            rounds += 1
            if rounds == MAX_GUARD_ROUNDS:
                # Posts that refuse one message per rebuild would cost every node a rebuild
                # per transaction: after a few rounds, every transaction that could execute
                # a message (it access-lists the CrossL2Inbox) is left out of this block.
                refused.update(
                    {
                        tx.hash: TOO_MANY_ROUNDS
                        for tx in candidates
                        if tx.hash not in refused and executes_messages(tx)
                    }
                )
        self.l2.append_block(block)
        reasons = {tx.hash: str(exc) for tx, exc in rejected} | refused
        included = {tx.hash for tx in block.transactions}
        left_out = {
            tx.hash: reasons.get(tx.hash, "not applied")
            for tx in candidates
            if tx.hash not in included
        }
        for tx_hash, reason in left_out.items():
            self._leave_out(tx_hash, info.number, reason)
        self.blocks.append(DerivedBlock(block.number, block.hash, timestamp, info.number, origin))
        self.counters.derived_blocks += 1

    def _leave_out(
        self, tx_hash: Hash32 | None, l1_block: int, reason: str, raw: bytes = b""
    ) -> None:
        self.counters.left_out += 1
        if tx_hash is None:  # undecodable: a transaction's hash is its encoding's
            tx_hash = keccak(raw)
        log.info("based-%s: 0x%s left out: %s", self.chain_id, tx_hash.hex(), reason)
        self.left_out[tx_hash] = (l1_block, reason)
        while len(self.left_out) > REMEMBERED:
            self.left_out.popitem(last=False)
