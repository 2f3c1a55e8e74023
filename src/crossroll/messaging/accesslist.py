"""OP interop's access-list encoding of executing messages (specs/interop/predeploys.md,
"Access-list"; field offsets as op-supervisor's ``Access.lookupEntry``).

A transaction that executes a message declares it as storage keys of CROSS_L2_INBOX:

* type 1, lookup: ``01 | 000000 | chainId low u64 | blockNumber u64 | timestamp u64 |
  logIndex u32`` (a hint to find the initiating message without executing the transaction);
* type 2, chain-ID extension, only when the chain id needs more than 64 bits:
  ``02 | 00 * 7 | upper 24 bytes of the uint256 chain id``;
* type 3, checksum: ``03 | H(H(H(origin ‖ msgHash) ‖ idPacked) ‖ chainId)[1:]``, the only
  entry the contract checks (its slot must be warm), committing to everything else.

:func:`access_list` builds the entries; :func:`parse` reads them back for a pre-execution
checker, which compares each declared checksum with the one recomputed from the chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from eth_hash.auto import keccak

from ..errors import DecodingError
from ..types import AccessListEntry, Hash32
from .addresses import CROSS_L2_INBOX
from .identifier import Identifier

__all__ = [
    "CHAIN_ID_EXTENSION",
    "CHECKSUM",
    "LOOKUP",
    "Access",
    "access_list",
    "chain_id_extension_entry",
    "checksum",
    "declared",
    "lookup_entry",
    "parse",
    "storage_keys",
]

LOOKUP = 1
CHAIN_ID_EXTENSION = 2
CHECKSUM = 3

_U32 = 2**32
_U64 = 2**64


def checksum(identifier: Identifier, msg_hash: Hash32) -> Hash32:
    """The type-3 entry, equal to ``CrossL2Inbox.calculateChecksum(identifier, msg_hash)``."""
    if identifier.block_number >= _U64 or identifier.timestamp >= _U64:
        raise ValueError("block number and timestamp must fit in 64 bits")
    if identifier.log_index >= _U32:
        raise ValueError("log index must fit in 32 bits")
    log_hash = keccak(identifier.origin + msg_hash)
    id_packed = (
        bytes(12)
        + identifier.block_number.to_bytes(8, "big")
        + identifier.timestamp.to_bytes(8, "big")
        + identifier.log_index.to_bytes(4, "big")
    )
    bare = keccak(keccak(log_hash + id_packed) + identifier.chain_id.to_bytes(32, "big"))
    return bytes([CHECKSUM]) + bare[1:]


def lookup_entry(identifier: Identifier) -> Hash32:
    """The type-1 entry (the chain id's low 64 bits only)."""
    return (
        bytes([LOOKUP, 0, 0, 0])
        + (identifier.chain_id % _U64).to_bytes(8, "big")
        + identifier.block_number.to_bytes(8, "big")
        + identifier.timestamp.to_bytes(8, "big")
        + identifier.log_index.to_bytes(4, "big")
    )


def chain_id_extension_entry(chain_id: int) -> Hash32:
    """The type-2 entry: the upper 24 bytes of the 32-byte chain id."""
    return bytes([CHAIN_ID_EXTENSION]) + bytes(7) + chain_id.to_bytes(32, "big")[:24]


def storage_keys(identifier: Identifier, msg_hash: Hash32) -> tuple[Hash32, ...]:
    """Lookup, the extension when the chain id exceeds 64 bits, then the checksum."""
    keys = [lookup_entry(identifier)]
    if identifier.chain_id >= _U64:
        keys.append(chain_id_extension_entry(identifier.chain_id))
    keys.append(checksum(identifier, msg_hash))
    return tuple(keys)


def access_list(identifier: Identifier, msg_hash: Hash32) -> tuple[AccessListEntry, ...]:
    """The access list that lets a transaction execute this one message."""
    return (AccessListEntry(CROSS_L2_INBOX, storage_keys(identifier, msg_hash)),)


@dataclass(frozen=True, slots=True)
class Access:
    """One declared executing message, read back from the access list."""

    chain_id: int
    block_number: int
    timestamp: int
    log_index: int
    checksum: Hash32

    def matches(self, identifier: Identifier, msg_hash: Hash32) -> bool:
        """Whether this declaration is exactly the message ``(identifier, msg_hash)``."""
        return (self.chain_id, self.block_number, self.timestamp, self.log_index) == (
            identifier.chain_id,
            identifier.block_number,
            identifier.timestamp,
            identifier.log_index,
        ) and checksum(identifier, msg_hash) == self.checksum


def _take(keys: Sequence[Hash32], i: int) -> Hash32:
    if i >= len(keys):
        raise DecodingError("access list ends inside an executing-message declaration")
    key = bytes(keys[i])
    if len(key) != 32:
        raise DecodingError(f"access-list storage key of {len(key)} bytes")
    return key


def parse(keys: Sequence[Hash32]) -> tuple[Access, ...]:
    """The declarations in CrossL2Inbox storage keys, strictly in lookup [extension] checksum
    groups (op-supervisor's ``ParseAccess``); raise :class:`DecodingError` otherwise."""
    out: list[Access] = []
    i = 0
    while i < len(keys):
        lookup = _take(keys, i)
        if lookup[0] != LOOKUP:
            raise DecodingError(f"expected a lookup entry, got entry type {lookup[0]}")
        if any(lookup[1:4]):
            raise DecodingError("lookup entry: reserved bytes are not zero")
        chain_id = int.from_bytes(lookup[4:12], "big")
        entry = _take(keys, i + 1)
        i += 2
        if entry[0] == CHAIN_ID_EXTENSION:
            if any(entry[1:8]):
                raise DecodingError("chain-id extension entry: reserved bytes are not zero")
            chain_id = int.from_bytes(entry[8:32] + lookup[4:12], "big")
            entry = _take(keys, i)
            i += 1
        if entry[0] != CHECKSUM:
            raise DecodingError(f"expected a checksum entry, got entry type {entry[0]}")
        out.append(
            Access(
                chain_id=chain_id,
                block_number=int.from_bytes(lookup[12:20], "big"),
                timestamp=int.from_bytes(lookup[20:28], "big"),
                log_index=int.from_bytes(lookup[28:32], "big"),
                checksum=entry,
            )
        )
    return tuple(out)


def declared(entries: Iterable[AccessListEntry]) -> tuple[Access, ...]:
    """Every executing message a transaction's access list declares (CROSS_L2_INBOX entries
    only, in order; several entries for the inbox are read one after the other)."""
    out: list[Access] = []
    for entry in entries:
        if bytes(entry.address) == CROSS_L2_INBOX:
            out.extend(parse(entry.storage_keys))
    return tuple(out)
