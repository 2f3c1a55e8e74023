"""The settled path's Merkle trees, as ``lib/MessageTree.sol`` hashes them.

Both trees have depth 32 and are eth2-deposit-contract style (leaves filled from the left,
the rest of the tree empty), with domain-separated hashing so that no leaf can pass for an
inner node (a second preimage)::

    message_leaf(msg_hash)          = keccak256(0x00 ‖ msg_hash)
    node(left, right)               = keccak256(0x01 ‖ left ‖ right)
    rollup_leaf(chain_id, outbox)   = keccak256(0x02 ‖ uint256 chain_id ‖ outbox)
    ZERO_HASHES[0] = bytes32(0),  ZERO_HASHES[h + 1] = node(ZERO_HASHES[h], ZERO_HASHES[h])

A proof is exactly :data:`DEPTH` siblings, leaf level first; bit ``h`` of the index says the
path is the right child at height ``h``.  Pure functions: no chain access.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from eth_hash.auto import keccak

from ..errors import MerkleError
from ..types import Hash32

DEPTH = 32
#: Leaf indexes are below this.
MAX_LEAVES = 2**DEPTH


def node(left: Hash32, right: Hash32) -> Hash32:
    return keccak(b"\x01" + left + right)


def message_leaf(msg_hash: Hash32) -> Hash32:
    """The outbox leaf of a message hash."""
    return keccak(b"\x00" + msg_hash)


def rollup_leaf(chain_id: int, outbox_root: Hash32) -> Hash32:
    """The L1 hub's leaf for a rollup's settled outbox root."""
    return keccak(b"\x02" + chain_id.to_bytes(32, "big") + outbox_root)


def _zero_hashes() -> tuple[Hash32, ...]:
    out = [bytes(32)]
    for _ in range(DEPTH):
        out.append(node(out[-1], out[-1]))
    return tuple(out)


#: Roots of empty subtrees by height; ``ZERO_HASHES[DEPTH]`` is the empty tree's root.
ZERO_HASHES: tuple[Hash32, ...] = _zero_hashes()


def root_from_proof(leaf: Hash32, proof: Sequence[Hash32], index: int) -> Hash32:
    """The root ``proof`` leads to from ``leaf`` at ``index`` (MerkleError if malformed)."""
    if len(proof) != DEPTH:
        raise MerkleError(f"a proof has {DEPTH} siblings, got {len(proof)}")
    if not 0 <= index < MAX_LEAVES:
        raise MerkleError(f"leaf index {index} is out of range")
    cur = leaf
    for height, sibling in enumerate(proof):
        cur = node(sibling, cur) if (index >> height) & 1 else node(cur, sibling)
    return cur


def verify(leaf: Hash32, proof: Sequence[Hash32], index: int, root: Hash32) -> bool:
    """Whether ``proof`` shows ``leaf`` at ``index`` under ``root`` (False if malformed)."""
    try:
        return root_from_proof(leaf, proof, index) == root
    except MerkleError:
        return False


class MessageTree:
    """A depth-32 tree of leaf values (already hashed: :func:`message_leaf` or
    :func:`rollup_leaf`), filled from the left.  The outbox only appends; the L1 hub also
    replaces a rollup's leaf in place (:meth:`set`)."""

    def __init__(self, leaves: Iterable[Hash32] = ()) -> None:
        self._leaves: list[Hash32] = list(leaves)
        if len(self._leaves) > MAX_LEAVES:
            raise MerkleError("too many leaves for a depth-32 tree")
        self._layers: list[list[Hash32]] | None = None  # built on demand, dropped on change

    def __len__(self) -> int:
        return len(self._leaves)

    @property
    def leaves(self) -> tuple[Hash32, ...]:
        return tuple(self._leaves)

    def append(self, leaf: Hash32) -> int:
        """Add ``leaf`` after the last one; return its index."""
        if len(self._leaves) >= MAX_LEAVES:
            raise MerkleError("the tree is full")
        self._leaves.append(leaf)
        self._layers = None
        return len(self._leaves) - 1

    def set(self, index: int, leaf: Hash32) -> None:
        """Replace leaf ``index``, or append it when ``index`` is the next free one."""
        if index == len(self._leaves):
            self.append(leaf)
            return
        if not 0 <= index < len(self._leaves):
            raise MerkleError(f"no leaf {index} in a tree of {len(self._leaves)}")
        self._leaves[index] = leaf
        self._layers = None

    def root(self) -> Hash32:
        return self._built()[DEPTH][0]

    def proof(self, index: int) -> tuple[Hash32, ...]:
        """The :data:`DEPTH` siblings of leaf ``index``, leaf level first."""
        if not 0 <= index < len(self._leaves):
            raise MerkleError(f"no leaf {index} in a tree of {len(self._leaves)}")
        layers = self._built()
        siblings = []
        for height in range(DEPTH):
            layer, i = layers[height], (index >> height) ^ 1
            siblings.append(layer[i] if i < len(layer) else ZERO_HASHES[height])
        return tuple(siblings)

    def _built(self) -> list[list[Hash32]]:
        """Every level's non-empty prefix, leaves first; the top one holds the root."""
        if self._layers is None:
            layers = [list(self._leaves)]
            for height in range(DEPTH):
                below = layers[-1]
                if len(below) % 2:
                    below = [*below, ZERO_HASHES[height]]
                layers.append([node(below[i], below[i + 1]) for i in range(0, len(below), 2)])
            if not layers[DEPTH]:
                layers[DEPTH] = [ZERO_HASHES[DEPTH]]
            self._layers = layers
        return self._layers
