"""The pre-check of forced inclusion (:mod:`.forced` states the rule): whether a due forced
transaction could apply in the block being built, judged from the state that block is built
on, before it takes any of the block's room.

Without it, entries that can never run (a nonce far ahead, no funds) but declare a block's
worth of gas would each take a block's forced room and push every entry behind them one L2
block later, for nothing but the L1 gas of queueing them: a censored account's transaction
would miss its deadline for as long as the junk keeps coming.  The checks are the pool's
(:func:`crossroll.chain.txpool.check_transaction`), with the nonce required exactly and the
sender's earlier forced transactions of the block counted, so each rejection is cheap and
the same for the sequencer and every node deriving the block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..chain.fees import child_base_fee
from ..chain.validation import MAX_INITCODE_SIZE, intrinsic_gas
from ..messaging.addresses import CROSS_L2_INBOX
from ..types import Account, Address, BlockHeader, Hash32, Transaction

#: Address -> its account in the state a block is built on.
AccountReader = Callable[[Address], Account]


@dataclass(frozen=True, slots=True)
class ForcedContext:
    """What a block checks its due forced transactions against before they take room: the
    accounts of the state it is built on, and its base fee."""

    account: AccountReader
    base_fee: int

    @classmethod
    def on(cls, chain: Any, parent: BlockHeader, state_root: Hash32 | None = None) -> ForcedContext:
        """The context of the block ``chain`` builds on ``parent``, on ``state_root``: by
        default the parent's, which derivation knows (a sequencer passes its working state,
        the same unless ``anvil_set*`` changed it)."""
        root = parent.state_root if state_root is None else state_root
        return cls(partial(chain.engine.account, root), child_base_fee(parent))


class Precheck:
    """The pre-check of one block: each sender's next nonce and funds left, after its forced
    transactions placed so far (at their most: gas x fee cap + value)."""

    def __init__(self, context: ForcedContext) -> None:
        self.context = context
        self.senders: dict[Address, tuple[int, int]] = {}

    def _state(self, sender: Address) -> tuple[int, int]:
        if sender not in self.senders:
            account = self.context.account(sender)
            self.senders[sender] = (account.nonce, account.balance)
        return self.senders[sender]

    def refusal(self, tx: Transaction | str, most: int) -> str | None:
        """Why ``tx`` (or why it did not decode) is left out without taking room; None: it
        passes."""
        if not isinstance(tx, Transaction):
            return f"does not decode: {tx}"
        if tx.gas > most:
            return f"gas {tx.gas} above what a block holds ({most})"
        if executes_messages(tx):
            return "a forced transaction may not execute cross-rollup messages"
        nonce, funds = self._state(tx.sender)
        base_fee = self.context.base_fee
        intrinsic = intrinsic_gas(
            tx.data,
            tx.to is None,
            len(tx.access_list),
            sum(len(e.storage_keys) for e in tx.access_list),
        )
        cost = tx.gas * tx.fee_cap + tx.value
        checks = (
            (tx.nonce != nonce, f"nonce {tx.nonce}, account at {nonce}"),
            (tx.fee_cap < base_fee, f"fee cap {tx.fee_cap} below base fee {base_fee}"),
            (tx.tip_cap > tx.fee_cap, f"tip cap {tx.tip_cap} above fee cap {tx.fee_cap}"),
            (tx.gas < intrinsic, f"gas {tx.gas} below intrinsic gas {intrinsic}"),
            (
                tx.to is None and len(tx.data) > MAX_INITCODE_SIZE,
                f"initcode of {len(tx.data)} bytes above {MAX_INITCODE_SIZE}",
            ),
            (cost > funds, f"cannot pay gas x fee cap + value = {cost} wei with {funds}"),
        )
        return next((why for failed, why in checks if failed), None)

    def spend(self, tx: Transaction) -> None:
        nonce, funds = self._state(tx.sender)
        self.senders[tx.sender] = (nonce + 1, funds - tx.gas * tx.fee_cap - tx.value)


def executes_messages(tx: Transaction) -> bool:
    """Whether ``tx`` could execute a cross-rollup message: the CrossL2Inbox emits only for
    messages whose checksum slot the transaction access-lists."""
    return any(entry.address == CROSS_L2_INBOX for entry in tx.access_list)
