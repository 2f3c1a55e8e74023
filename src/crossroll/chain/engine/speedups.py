"""Targeted replacements of py-evm / trie / pyrlp internals that dominate block
building, each producing exactly the same bytes as the original.

Applied once, by :func:`install` (called when the engine package is imported);
``CROSSROLL_SPEEDUPS=0`` in the environment turns them off, a comma-separated
list of names from :data:`PATCHES` selects some (to measure one at a time).
Every patch is process-wide and keeps the original callable reachable as
``ORIGINALS[name]``; ``tests/unit/chain/test_perf_speedups.py`` checks each one
against the original, and ``test_perf_roots.py`` pins every block of a fixed
workload byte for byte.

1. ``HexaryTrie.get_node``: decoded trie nodes are cached by node hash (a bounded
   LRU shared by every trie and every database in the process).  Safe because
   trie nodes are content-addressed: the hash determines the node, whichever
   database it came from; the cache hands out fresh nested lists because the
   trie mutates the nodes it reads.  Nodes the trie writes are cached too, so
   the next block reads its own root path without RLP decoding.  The one
   behavioural difference: a node missing from a database but cached is still
   found (crossroll never deletes trie nodes, so this cannot happen there).
2. ``HexaryTrie._node_to_db_mapping`` / ``_set_raw_node``: the node's RLP is built
   by a plain bytes/list encoder instead of pyrlp's generic one (ABC isinstance
   checks per item) and without re-validating the node's shape (every node is
   built by the trie from byte strings it validated on the way in).  The pruning
   tries py-evm uses re-hash every node they replace; a node handed out by
   ``get_node`` and still unmodified (compared with its cached frozen copy) gets
   its known hash and encoding back instead.
3. ``rlp.Serializable.copy``: unchanged fields are shared instead of deep-copied.
   Serializable objects are immutable (fields go through ``make_immutable`` and
   ``__setattr__`` refuses changes), so a deep copy is only a slower way to get an
   equal object; sharing also keeps the caches of nested objects (a copied
   block's transactions keep their recovered senders).
4. ``CodeStream.is_valid_opcode`` (JUMP/JUMPI destination check): whether a
   position is PUSH data depends only on the code bytes, so the PUSH-data
   positions are found once per code by a linear scan (LRU keyed by the code)
   instead of by a backwards search per jump and per message call.
5. Trie nibble helpers (``trie.utils.nibbles``, also bound in ``trie.utils.nodes``
   and ``trie.hexary``): pure functions of their input, so decoding/encoding of
   hex-prefix keys is memoised (LRU) and the terminator helpers are written
   without ``to_tuple`` generators.  Same return values (tuples, bytes).
6. Not a patch: :func:`ordered_trie_root` builds the transactions/receipts trie
   root bottom-up in one pass (the engine calls it instead of py-evm's
   ``make_trie_root_and_nodes``, which inserts the items one by one).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import rlp
import trie.hexary
import trie.utils.nibbles
import trie.utils.nodes
from eth.vm.code_stream import CodeStream
from eth.vm.opcode_values import PUSH1, PUSH32
from eth_hash.auto import keccak
from rlp.sedes.serializable import BaseSerializable
from trie import HexaryTrie
from trie.constants import BLANK_NODE, BLANK_NODE_HASH, NIBBLE_TERMINATOR
from trie.utils.nodes import decode_node

ORIGINALS: dict[str, Callable[..., Any]] = {}

#: Decoded trie nodes kept (by node hash).  A branch node costs ~1.5 KB.
NODE_CACHE_SIZE = 65_536
_node_cache: OrderedDict[bytes, Any] = OrderedDict()

_ALL_BYTES = tuple(bytes([i]) for i in range(256))


# ----------------------------------------------------------------- RLP of nodes
def _length_prefix(length: int, offset: int) -> bytes:
    if length < 56:
        return _ALL_BYTES[offset + length]
    length_bytes = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return _ALL_BYTES[offset + 55 + len(length_bytes)] + length_bytes


def encode_node(item: Any) -> bytes:
    """``rlp.codec.encode_raw`` for nested lists/tuples of bytes (what trie nodes are)."""
    t = type(item)
    if t is bytes:
        n = len(item)
        if n == 1 and item[0] < 128:
            return item
        return _length_prefix(n, 128) + item
    if t is not list and t is not tuple:
        return rlp.codec.encode_raw(item)  # anything else
    parts: list[bytes] = []
    append = parts.append
    for x in item:  # inline the common cases: 32-byte hashes, empty and short strings
        if type(x) is bytes:
            n = len(x)
            if n == 32:
                append(b"\xa0")
                append(x)
            elif n == 0:
                append(b"\x80")
            elif n == 1 and x[0] < 128:
                append(x)
            else:
                append(_length_prefix(n, 128))
                append(x)
        else:
            append(encode_node(x))
    payload = b"".join(parts)
    return _length_prefix(len(payload), 192) + payload


def _freeze(node: Any) -> Any:
    """A trie node as nested tuples (immutable, safe to share)."""
    if type(node) is list:
        if list in map(type, node):  # an embedded node inside
            return tuple([_freeze(x) if type(x) is list else x for x in node])
        return tuple(node)
    return node


def _thaw(node: Any) -> Any:
    """Fresh nested lists from a frozen node (the trie mutates what it reads)."""
    if type(node) is tuple:
        if tuple in map(type, node):
            return [_thaw(x) if type(x) is tuple else x for x in node]
        return list(node)
    return node


def _remember(node_hash: bytes, node: Any, encoded: bytes) -> None:
    cache = _node_cache
    if node_hash not in cache:
        cache[node_hash] = (_freeze(node), encoded)
        if len(cache) > NODE_CACHE_SIZE:
            with contextlib.suppress(KeyError):
                cache.popitem(last=False)


def clear_node_cache() -> None:
    _node_cache.clear()
    _handed_out.clear()


#: id(node) -> (node, hash, frozen node, encoding) for nodes get_node handed out,
#: so that hashing one again (the pruning trie computes the key of every node it
#: replaces) needs no RLP encoding or keccak when it is still unmodified.  The
#: entry holds the node itself, so its id cannot be reused while the entry lives.
_handed_out: dict[int, tuple[Any, bytes, Any, bytes]] = {}
_HANDED_OUT_SIZE = 4096


# ------------------------------------------------------------------- the patches
def _get_node(self: HexaryTrie, node_hash: Any) -> Any:
    if node_hash in (BLANK_NODE, BLANK_NODE_HASH):
        return BLANK_NODE
    if len(node_hash) < 32:  # an embedded node (a list) or its short encoding
        return ORIGINALS["get_node"](self, node_hash)
    cache = _node_cache
    found = cache.get(node_hash)
    if found is not None:
        with contextlib.suppress(KeyError):  # evicted meanwhile by another thread
            cache.move_to_end(node_hash)
        frozen, encoded = found
        node = _thaw(frozen)
    else:
        encoded = self.db[node_hash]  # what the original does for a 32-byte key
        node = decode_node(encoded)
        frozen = _freeze(node)
        _remember(node_hash, node, encoded)
    if type(node) is list:
        if len(_handed_out) >= _HANDED_OUT_SIZE:
            _handed_out.clear()
        _handed_out[id(node)] = (node, node_hash, frozen, encoded)
    return node


def _node_to_db_mapping(self: HexaryTrie, node: Any) -> tuple[Any, bytes | None]:
    if node == BLANK_NODE:
        return BLANK_NODE, None
    entry = _handed_out.get(id(node))
    if entry is not None and entry[0] is node and _freeze(node) == entry[2]:
        encoded = entry[3]  # unmodified since get_node: same bytes, same hash
        if len(encoded) < 32:
            return node, None
        return entry[1], encoded
    encoded = encode_node(node)
    if len(encoded) < 32:
        return node, None
    return keccak(encoded), encoded


def _persist_node(self: HexaryTrie, node: Any) -> Any:
    key, value = _node_to_db_mapping(self, node)
    if value is not None:
        self._set_db_value(key, value)
        _remember(key, node, value)
    return key


def _set_raw_node(self: HexaryTrie, raw_node: Any) -> bytes:
    key, value = _node_to_db_mapping(self, raw_node)
    if key == BLANK_NODE:
        return BLANK_NODE_HASH
    if value is None:
        # small nodes are not hashed by _node_to_db_mapping; the root always is
        encoded_node = encode_node(key)
        node_hash = keccak(encoded_node)
    else:
        encoded_node = value
        node_hash = key
    self._set_db_value(node_hash, encoded_node)
    _remember(node_hash, raw_node, encoded_node)
    return node_hash


def _serializable_copy(self: Any, *args: Any, **kwargs: Any) -> Any:
    if args:  # positional overrides: rare, leave them to the original
        return ORIGINALS["serializable_copy"](self, *args, **kwargs)
    names = self._meta.field_names
    values = {}
    for name, attr in zip(names, self._meta.field_attrs, strict=True):
        values[name] = kwargs[name] if name in kwargs else getattr(self, attr)
    if any(k not in values for k in kwargs):
        return ORIGINALS["serializable_copy"](self, **kwargs)  # let it raise
    return type(self)(**values)


_JUMPDEST_CACHE_SIZE = 1024
_push_data_cache: OrderedDict[bytes, frozenset[int]] = OrderedDict()


def push_data_positions(code: bytes) -> frozenset[int]:
    """Positions of ``code`` that are PUSH data (not opcodes), by a linear scan."""
    out: set[int] = set()
    i, n = 0, len(code)
    while i < n:
        op = code[i]
        if PUSH1 <= op <= PUSH32:
            width = op - PUSH1 + 1
            out.update(range(i + 1, min(i + 1 + width, n)))
            i += width + 1
        else:
            i += 1
    return frozenset(out)


def _is_valid_opcode(self: CodeStream, position: int) -> bool:
    if position >= self._length_cache:
        return False
    raw = self._raw_code_bytes
    data = _push_data_cache.get(raw)
    if data is None:
        data = push_data_positions(raw)
        _push_data_cache[raw] = data
        if len(_push_data_cache) > _JUMPDEST_CACHE_SIZE:
            _push_data_cache.popitem(last=False)
    return position not in data


# ---------------------------------------------------------------- nibbles
_NIBBLE_PAIRS = tuple((b >> 4, b & 15) for b in range(256))
# The originals, taken at import (before any patching): the memoised versions
# below call them, and ordered_trie_root uses them whether or not the patch is on.
_original_decode_nibbles = trie.utils.nibbles.decode_nibbles
_original_encode_nibbles = trie.utils.nibbles.encode_nibbles
_NIBBLE_CACHE_SIZE = 65_536


@functools.lru_cache(maxsize=_NIBBLE_CACHE_SIZE)
def bytes_to_nibbles(value: bytes) -> tuple[int, ...]:
    return tuple(itertools.chain.from_iterable(map(_NIBBLE_PAIRS.__getitem__, value)))


def add_nibbles_terminator(nibbles: Any) -> tuple[int, ...]:
    if nibbles and nibbles[-1] == NIBBLE_TERMINATOR:
        return tuple(nibbles)
    return (*nibbles, NIBBLE_TERMINATOR)


def remove_nibbles_terminator(nibbles: Any) -> tuple[int, ...]:
    if nibbles and nibbles[-1] == NIBBLE_TERMINATOR:
        return tuple(nibbles[:-1])
    return tuple(nibbles)


@functools.lru_cache(maxsize=_NIBBLE_CACHE_SIZE)
def _decode_nibbles(value: bytes) -> tuple[int, ...]:
    return _original_decode_nibbles(value)


def decode_nibbles(value: bytes) -> tuple[int, ...]:
    if type(value) is not bytes:  # unhashable or unusual input: the original decides
        return _original_decode_nibbles(value)
    return _decode_nibbles(value)


@functools.lru_cache(maxsize=_NIBBLE_CACHE_SIZE)
def _encode_nibbles(nibbles: tuple[int, ...]) -> bytes:
    return _original_encode_nibbles(nibbles)


def encode_nibbles(nibbles: Any) -> bytes:
    return _encode_nibbles(tuple(nibbles))


_NIBBLE_MODULES = (trie.utils.nibbles, trie.utils.nodes, trie.hexary)
_NIBBLE_FUNCTIONS = {
    "bytes_to_nibbles": bytes_to_nibbles,
    "add_nibbles_terminator": add_nibbles_terminator,
    "remove_nibbles_terminator": remove_nibbles_terminator,
    "decode_nibbles": decode_nibbles,
    "encode_nibbles": encode_nibbles,
}


PATCHES = (
    "trie_node_cache",
    "trie_node_encoding",
    "serializable_copy",
    "jumpdest_analysis",
    "nibbles",
)
_installed: set[str] = set()


def install(names: tuple[str, ...] | None = None) -> None:
    """Apply the patches (all by default; idempotent).  ``CROSSROLL_SPEEDUPS=0`` in
    the environment disables them all, a comma-separated list selects some (for
    measuring one at a time)."""
    if names is None:
        wanted = os.environ.get("CROSSROLL_SPEEDUPS", "all")
        if wanted in ("0", "none", ""):
            return
        names = PATCHES if wanted == "all" else tuple(wanted.split(","))
    for name in names:
        if name in _installed:
            continue
        if name == "trie_node_cache":
            ORIGINALS["get_node"] = HexaryTrie.get_node
            HexaryTrie.get_node = _get_node  # type: ignore[method-assign]
        elif name == "trie_node_encoding":
            ORIGINALS["node_to_db_mapping"] = HexaryTrie._node_to_db_mapping
            ORIGINALS["persist_node"] = HexaryTrie._persist_node
            ORIGINALS["set_raw_node"] = HexaryTrie._set_raw_node
            HexaryTrie._node_to_db_mapping = _node_to_db_mapping  # type: ignore[method-assign]
            HexaryTrie._persist_node = _persist_node  # type: ignore[method-assign]
            HexaryTrie._set_raw_node = _set_raw_node  # type: ignore[method-assign]
        elif name == "serializable_copy":
            ORIGINALS["serializable_copy"] = BaseSerializable.copy
            BaseSerializable.copy = _serializable_copy
        elif name == "jumpdest_analysis":
            ORIGINALS["is_valid_opcode"] = CodeStream.is_valid_opcode
            CodeStream.is_valid_opcode = _is_valid_opcode  # type: ignore[method-assign]
        elif name == "nibbles":
            for fn_name, fast in _NIBBLE_FUNCTIONS.items():
                ORIGINALS.setdefault(fn_name, getattr(trie.utils.nibbles, fn_name))
                for module in _NIBBLE_MODULES:
                    if hasattr(module, fn_name):
                        setattr(module, fn_name, fast)
        else:
            raise ValueError(f"unknown speedup {name!r}")
        _installed.add(name)


# ------------------------------------------------------- ordered trie roots
def _hp(nibbles: tuple[int, ...], leaf: bool) -> bytes:
    return encode_nibbles((*nibbles, NIBBLE_TERMINATOR) if leaf else nibbles)


def _ref(node: list[Any]) -> Any:
    encoded = encode_node(node)
    return node if len(encoded) < 32 else keccak(encoded)


def _build(pairs: list[tuple[tuple[int, ...], bytes]], depth: int) -> Any:
    """The trie node holding ``pairs`` (sorted, distinct keys) below ``depth``."""
    if len(pairs) == 1:
        key, value = pairs[0]
        return [_hp(key[depth:], True), value]
    first, last = pairs[0][0], pairs[-1][0]  # sorted: their common prefix is everyone's
    common = 0
    limit = min(len(first), len(last)) - depth
    while common < limit and first[depth + common] == last[depth + common]:
        common += 1
    if common:
        child = _build(pairs, depth + common)
        return [_hp(first[depth : depth + common], False), _ref(child)]
    branch: list[Any] = [b""] * 17
    start = 0
    if len(first) == depth:  # a key ending here is the branch's value
        branch[16] = pairs[0][1]
        start = 1
    i = start
    while i < len(pairs):
        nibble = pairs[i][0][depth]
        j = i + 1
        while j < len(pairs) and pairs[j][0][depth] == nibble:
            j += 1
        branch[nibble] = _ref(_build(pairs[i:j], depth + 1))
        i = j
    return branch


def ordered_trie_root(items: tuple[bytes, ...]) -> bytes:
    """Root of the trie mapping ``rlp(index) -> item`` (transactions, receipts,
    withdrawals), built bottom-up in one pass instead of by ``len(items)``
    inserts into a HexaryTrie.  Empty values are absent from a trie, as there."""
    pairs = sorted(
        (bytes_to_nibbles(rlp.encode(index)), item) for index, item in enumerate(items) if item
    )
    if not pairs:
        return BLANK_NODE_HASH
    return keccak(encode_node(_build(pairs, 0)))  # the root is always hashed
