"""An independent Merkle-Patricia trie, for checking crossroll from the outside.

Written from the Yellow Paper (appendix D) without the ``trie`` package that
crossroll itself uses, so a bug there cannot hide a bug here.
"""

from __future__ import annotations

import rlp
from eth_hash.auto import keccak

EMPTY_ROOT = keccak(rlp.encode(b""))


def _nibbles(key: bytes) -> list[int]:
    out = []
    for b in key:
        out += [b >> 4, b & 15]
    return out


def _hex_prefix(nibbles: list[int], leaf: bool) -> bytes:
    flag = 2 if leaf else 0
    nibbles = [flag + 1, *nibbles] if len(nibbles) % 2 else [flag, 0, *nibbles]
    return bytes(nibbles[i] * 16 + nibbles[i + 1] for i in range(0, len(nibbles), 2))


def _ref(node: list | bytes) -> bytes | list:
    """A child reference: the node itself when its encoding is < 32 bytes, else its hash."""
    enc = rlp.encode(node)
    return node if len(enc) < 32 else keccak(enc)


def _build(items: list[tuple[list[int], bytes]], depth: int) -> list | bytes:
    if not items:
        return b""
    if len(items) == 1:
        path, value = items[0]
        return [_hex_prefix(path[depth:], True), value]
    # longest common prefix beyond depth -> extension
    first = items[0][0]
    common = len(first)
    for path, _ in items[1:]:
        i = depth
        while i < min(common, len(path)) and path[i] == first[i]:
            i += 1
        common = i
    if common > depth:
        return [_hex_prefix(first[depth:common], False), _ref(_build(items, common))]
    branch: list = [b""] * 17
    for nib in range(16):
        sub = [(p, v) for p, v in items if len(p) > depth and p[depth] == nib]
        if sub:
            branch[nib] = _ref(_build(sub, depth + 1))
    for p, v in items:
        if len(p) == depth:
            branch[16] = v
    return branch


def trie_root(mapping: dict[bytes, bytes]) -> bytes:
    """Root of a trie holding ``mapping`` (keys used as given)."""
    items = sorted((_nibbles(k), v) for k, v in mapping.items() if v != b"")
    if not items:
        return EMPTY_ROOT
    return keccak(rlp.encode(_build(items, 0)))


def secure_root(mapping: dict[bytes, bytes]) -> bytes:
    """Root of a secure trie: keys are hashed with keccak first (state and storage tries)."""
    return trie_root({keccak(k): v for k, v in mapping.items()})


def storage_root(slots: dict[int, int], keep_zero: bool = False) -> bytes:
    """Storage trie root; Ethereum removes zero slots. ``keep_zero`` mimics anvil's quirk
    of keeping a cleared slot as an rlp(0) leaf."""
    return secure_root(
        {k.to_bytes(32, "big"): rlp.encode(v) for k, v in slots.items() if v != 0 or keep_zero}
    )


def account_rlp(nonce: int, balance: int, storage_hash: bytes, code_hash: bytes) -> bytes:
    return rlp.encode([nonce, balance, storage_hash, code_hash])


def verify_proof(root: bytes, key: bytes, proof: list[bytes]) -> bytes:
    """Walk ``proof`` (rlp nodes, root first) from ``root`` along keccak(key).

    Returns the value found, or b"" for a valid proof of absence.  Raises
    ValueError when the proof does not connect to ``root``.  Children shorter
    than 32 bytes are embedded in their parent and are not separate entries.
    """
    if root == EMPTY_ROOT and not proof:
        return b""  # nothing is in an empty trie
    path = _nibbles(keccak(key))
    remaining = list(proof)
    ref: bytes | list = root
    while True:
        if isinstance(ref, list):
            node = ref
        else:
            if not remaining:
                raise ValueError("proof ended before reaching a value")
            enc = remaining.pop(0)
            if keccak(enc) != ref:
                raise ValueError("proof node does not hash to its reference")
            node = rlp.decode(enc)
        if len(node) == 17:
            if not path:
                return node[16]
            ref, path = node[path[0]], path[1:]
            if ref == b"":
                return b""
        elif len(node) == 2:
            hp = _nibbles(node[0])
            part = hp[2:] if hp[0] in (0, 2) else hp[1:]
            if path[: len(part)] != part:
                return b""  # the path diverges: proof of absence
            path = path[len(part) :]
            if hp[0] >= 2:  # leaf
                return node[1] if not path else b""
            ref = node[1]
        else:
            raise ValueError("malformed proof node")
