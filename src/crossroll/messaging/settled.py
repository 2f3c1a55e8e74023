"""Proofs of the settled path, built from chain data.

- :func:`outbox_root_proof`: what the L1 ``SettlementHub.proveOutboxRoot`` takes to learn a
  rollup's outbox root: the output root preimage of an L2 block, the account proof of the
  ``MessageOutbox`` predeploy under its state root and the storage proof of its slot 0.
- :func:`outbox_proof`: a message's leaf index and siblings in its rollup's outbox, rebuilt
  from the outbox's ``MessageAppended`` logs.
- :func:`settled_proof`: the :class:`SettledProof` a destination's ``relaySettledMessage``
  checks: the message to the source's settled outbox root, and that rollup's leaf to a global
  root the destination knows, the hub's tree replayed from its ``GlobalRootUpdated`` logs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_hash.auto import keccak

from ..abc import ChainAPI, L1ViewAPI
from ..errors import MerkleError, MessageNotSettled
from ..rollup.abi import calldata
from ..rollup.globalroot import GLOBAL_ROOT_UPDATED_TOPIC
from ..rollup.output import output_at, output_root
from ..types import Address, BlockRef, Hash32, LogFilter
from .addresses import MESSAGE_OUTBOX, SETTLED_INBOX
from .merkle import MessageTree, message_leaf, rollup_leaf

MESSAGE_APPENDED = keccak(b"MessageAppended(uint256,bytes32,bytes32)")
GLOBAL_ROOT_UPDATED = GLOBAL_ROOT_UPDATED_TOPIC
PROVE_OUTBOX_ROOT = (
    "proveOutboxRoot(uint256,uint256,(bytes32,bytes32,bytes32,bytes32),bytes[],bytes[],bytes32)"
)
#: SettledInbox storage: slot 1 holds the latest global root.
LATEST_GLOBAL_ROOT_SLOT = 1


@dataclass(frozen=True, slots=True)
class OutboxProof:
    """A message's place in its rollup's outbox at one L2 block."""

    leaf_index: int
    siblings: tuple[Hash32, ...]
    root: Hash32


@dataclass(frozen=True, slots=True)
class OutboxRootProof:
    """The arguments of ``proveOutboxRoot`` for L2 block ``block_number`` (the chain id and
    the oracle's output index come from the L1)."""

    block_number: int
    output_root_proof: tuple[Hash32, Hash32, Hash32, Hash32]
    account_proof: tuple[bytes, ...]
    storage_proof: tuple[bytes, ...]
    outbox_root: Hash32

    @property
    def output_root(self) -> Hash32:
        _, state_root, passer_root, block_hash = self.output_root_proof
        return output_root(state_root, passer_root, block_hash)

    def calldata(self, chain_id: int, output_index: int) -> bytes:
        return calldata(
            PROVE_OUTBOX_ROOT,
            chain_id,
            output_index,
            self.output_root_proof,
            list(self.account_proof),
            list(self.storage_proof),
            self.outbox_root,
        )


@dataclass(frozen=True, slots=True)
class SettledProof:
    """``ISettled.sol``'s ``struct SettledProof``."""

    global_root: Hash32
    leaf_index: int
    outbox_proof: tuple[Hash32, ...]
    rollup_index: int
    rollup_proof: tuple[Hash32, ...]

    #: Its ABI type, for signatures such as ``relaySettledMessage(...,<ABI_TYPE>)``.
    ABI_TYPE = "(bytes32,uint256,bytes32[],uint256,bytes32[])"

    def as_abi(self) -> tuple[Any, ...]:
        return (
            self.global_root,
            self.leaf_index,
            list(self.outbox_proof),
            self.rollup_index,
            list(self.rollup_proof),
        )


@dataclass(frozen=True, slots=True)
class HubUpdate:
    """One ``GlobalRootUpdated`` of the L1 hub: a rollup's outbox root proven."""

    global_root: Hash32
    chain_id: int
    outbox_root: Hash32
    l2_output_index: int
    l2_block_number: int
    l1_block_number: int


def outbox_tree(l2: ChainAPI, at_block: int) -> MessageTree:
    """The outbox of ``l2`` as of block ``at_block``, rebuilt from its logs and checked
    against the root in its slot 0 (MerkleError if they differ)."""
    flt = LogFilter(0, at_block, (MESSAGE_OUTBOX,), ((MESSAGE_APPENDED,),))
    tree = MessageTree()
    for entry in l2.logs(flt):
        index = int.from_bytes(entry.topics[1], "big")
        if tree.append(message_leaf(entry.topics[2])) != index:
            raise MerkleError(f"outbox of chain {l2.chain_id}: leaf {index} logged out of order")
    stored = l2.storage(MESSAGE_OUTBOX, 0, at_block).to_bytes(32, "big")
    if len(tree) and tree.root() != stored:
        raise MerkleError(
            f"outbox of chain {l2.chain_id} at block {at_block}: the logs rebuild root "
            f"0x{tree.root().hex()}, slot 0 holds 0x{stored.hex()}"
        )
    return tree


def outbox_proof(l2: ChainAPI, msg_hash: Hash32, at_block: int) -> OutboxProof:
    """Where ``msg_hash`` is in the outbox of ``l2`` at block ``at_block``
    (MessageNotSettled if it was not sent by then)."""
    tree = outbox_tree(l2, at_block)
    leaf = message_leaf(msg_hash)
    try:
        index = tree.leaves.index(leaf)
    except ValueError:
        raise MessageNotSettled(
            f"message 0x{msg_hash.hex()} is not in the outbox of chain {l2.chain_id} "
            f"at block {at_block}"
        ) from None
    return OutboxProof(index, tree.proof(index), tree.root())


def outbox_root_proof(l2: ChainAPI, block_number: int) -> OutboxRootProof:
    """The ``proveOutboxRoot`` arguments for L2 block ``block_number``."""
    output = output_at(l2, block_number)
    account = l2.proof(MESSAGE_OUTBOX, [0], block_number)
    [slot] = account.storage_proof
    return OutboxRootProof(
        block_number=block_number,
        output_root_proof=output.proof,
        account_proof=account.account_proof,
        storage_proof=slot.proof,
        outbox_root=slot.value.to_bytes(32, "big"),
    )


def hub_updates(l1: L1ViewAPI, hub: Address, to_block: int | None = None) -> list[HubUpdate]:
    """The hub's ``GlobalRootUpdated`` logs up to ``to_block`` (the L1 head), oldest first."""
    last = l1.head_number() if to_block is None else to_block
    flt = LogFilter(0, last, (hub,), ((GLOBAL_ROOT_UPDATED,),))
    out = []
    for entry in l1.logs(flt):
        if entry.removed:
            continue
        words = [entry.data[i : i + 32] for i in range(0, 96, 32)]
        out.append(
            HubUpdate(
                global_root=entry.topics[1],
                chain_id=int.from_bytes(entry.topics[2], "big"),
                outbox_root=words[0],
                l2_output_index=int.from_bytes(words[1], "big"),
                l2_block_number=int.from_bytes(words[2], "big"),
                l1_block_number=entry.block_number,
            )
        )
    return out


def known_global_root(destination: ChainAPI, ref: BlockRef = "latest") -> Hash32:
    """The latest global root the destination's SettledInbox holds (zero: none yet)."""
    return destination.storage(SETTLED_INBOX, LATEST_GLOBAL_ROOT_SLOT, ref).to_bytes(32, "big")


def settled_proof(
    source: ChainAPI, msg_hash: Hash32, global_root: Hash32, updates: Sequence[HubUpdate]
) -> SettledProof:
    """The proof that ``msg_hash`` was sent on ``source``, against ``global_root``: the hub's
    tree as it stood when it reached that root (``updates`` from :func:`hub_updates`).
    MessageNotSettled if the hub never reached the root, or had not settled the source's
    block holding the message by then."""
    tree = MessageTree()
    index: dict[int, int] = {}
    latest: dict[int, HubUpdate] = {}
    for update in updates:
        position = index.setdefault(update.chain_id, len(index))
        tree.set(position, rollup_leaf(update.chain_id, update.outbox_root))
        latest[update.chain_id] = update
        if update.global_root == global_root:
            break
    else:
        raise MessageNotSettled(f"the L1 hub never reached global root 0x{global_root.hex()}")
    settled = latest.get(source.chain_id)
    if settled is None:
        raise MessageNotSettled(f"chain {source.chain_id} had no settled outbox at that root")
    inner = outbox_proof(source, msg_hash, settled.l2_block_number)
    if inner.root != settled.outbox_root:
        raise MerkleError(
            f"chain {source.chain_id}'s outbox at block {settled.l2_block_number} differs from "
            "the root the L1 hub settled (was the L2 reset?)"
        )
    position = index[source.chain_id]
    return SettledProof(
        global_root=global_root,
        leaf_index=inner.leaf_index,
        outbox_proof=inner.siblings,
        rollup_index=position,
        rollup_proof=tree.proof(position),
    )
