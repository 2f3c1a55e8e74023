"""The shared-batch envelope: several rollups' batcher data in one L1 payload.

A shared sequencer posts every member rollup's frames for a slot range in one L1
transaction (calldata) or one blob set, so that no rollup's derivation can see its part of
the range without the others' (reference §4.1, "preventing unbundling").  Each payload
(calldata, or one blob's decoded data) is one envelope::

    version (0x01) ‖ entry ‖ entry ‖ …
    entry = chain id (uint64 BE) ‖ length (uint32 BE) ‖ batcher data (length bytes)

where the batcher data is what a rollup's own batcher transaction carries
(:func:`~crossroll.da.frame.batcher_data`).  The version differs from the derivation
version (0x00) so an envelope is never mistaken for plain batcher data, nor the reverse.
Decoding is total: any bytes give the entries or a :class:`~crossroll.errors.DecodingError`
saying why (unknown version, truncated header or data, empty, a chain twice).

:func:`pack_envelopes` fills envelopes with frames and puts every member's *last* frame into
the final envelope: a channel completes only with its last frame, so no member's blocks of
the range derive before the final envelope (hence every member's data) is on L1.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import DecodingError, EncodingError
from .frame import Frame, batcher_data

ENVELOPE_VERSION = 0x01
_ENTRY = struct.Struct(">QI")
#: Bytes an envelope adds around one entry's frames: the version byte, the entry header
#: and the derivation version byte of its batcher data.
ENTRY_OVERHEAD = _ENTRY.size + 1
ENVELOPE_OVERHEAD = 1


@dataclass(frozen=True, slots=True)
class EnvelopeEntry:
    """One rollup's batcher data in an envelope."""

    chain_id: int
    data: bytes


def encode_envelope(entries: Sequence[EnvelopeEntry]) -> bytes:
    """The envelope carrying ``entries`` (in order)."""
    if not entries:
        raise EncodingError("an envelope needs at least one entry")
    seen: set[int] = set()
    out = bytearray([ENVELOPE_VERSION])
    for entry in entries:
        if not 0 <= entry.chain_id < 1 << 64:
            raise EncodingError(f"chain id {entry.chain_id} does not fit in uint64")
        if not 0 < len(entry.data) < 1 << 32:
            raise EncodingError(f"entry of chain {entry.chain_id} must be 1 to 2**32-1 bytes")
        if entry.chain_id in seen:
            raise EncodingError(f"chain {entry.chain_id} twice in one envelope")
        seen.add(entry.chain_id)
        out += _ENTRY.pack(entry.chain_id, len(entry.data)) + entry.data
    return bytes(out)


def decode_envelope(data: bytes) -> tuple[EnvelopeEntry, ...]:
    """Inverse of :func:`encode_envelope`; :class:`DecodingError` for anything else."""
    if not data:
        raise DecodingError("empty envelope")
    if data[0] != ENVELOPE_VERSION:
        raise DecodingError(f"unknown envelope version 0x{data[0]:02x}")
    entries: list[EnvelopeEntry] = []
    seen: set[int] = set()
    pos = 1
    while pos < len(data):
        if pos + _ENTRY.size > len(data):
            raise DecodingError(f"truncated entry header at byte {pos}")
        chain_id, length = _ENTRY.unpack_from(data, pos)
        start = pos + _ENTRY.size
        if length == 0:
            raise DecodingError(f"empty entry for chain {chain_id}")
        if length > len(data) - start:  # clamp: never read past the payload
            raise DecodingError(
                f"entry of chain {chain_id} claims {length} bytes, {len(data) - start} left"
            )
        if chain_id in seen:
            raise DecodingError(f"chain {chain_id} twice in one envelope")
        seen.add(chain_id)
        entries.append(EnvelopeEntry(chain_id, data[start : start + length]))
        pos = start + length
    if not entries:
        raise DecodingError("envelope without entries")
    return tuple(entries)


def frame_room(capacity: int, members: int) -> int:
    """Largest frame (encoded) such that one frame of each of ``members`` rollups fits in
    one envelope of ``capacity`` bytes: what member channel builders are sized to."""
    room = (capacity - ENVELOPE_OVERHEAD) // max(members, 1) - ENTRY_OVERHEAD
    if room < 1:
        raise EncodingError(f"{members} rollups do not fit in {capacity}-byte envelopes")
    return room


def pack_envelopes(frames: Mapping[int, Sequence[Frame]], capacity: int) -> list[bytes]:
    """Envelopes of at most ``capacity`` bytes carrying ``frames`` (per chain id, each
    chain's frames in order); every chain's last frame goes in the final envelope when they
    fit together (see the module notes)."""
    body = [(cid, f) for cid in sorted(frames) for f in frames[cid] if not f.is_last]
    last = [(cid, f) for cid in sorted(frames) for f in frames[cid] if f.is_last]
    groups = [_Group()]
    for cid, frame in body:
        _place(groups, cid, frame, capacity)
    if last and groups[-1].size + sum(groups[-1].cost(c, f) for c, f in last) > capacity:
        groups.append(_Group())  # the last frames together, in an envelope of their own
    for cid, frame in last:
        _place(groups, cid, frame, capacity)
    return [g.encode() for g in groups if g.frames]


class _Group:
    """An envelope being filled."""

    def __init__(self) -> None:
        self.frames: dict[int, list[Frame]] = {}
        self.size = ENVELOPE_OVERHEAD

    def cost(self, cid: int, frame: Frame) -> int:
        return frame.size + (0 if cid in self.frames else ENTRY_OVERHEAD)

    def add(self, cid: int, frame: Frame) -> None:
        self.size += self.cost(cid, frame)
        self.frames.setdefault(cid, []).append(frame)

    def encode(self) -> bytes:
        return encode_envelope(
            [EnvelopeEntry(cid, batcher_data(fs)) for cid, fs in sorted(self.frames.items())]
        )


def _place(groups: list[_Group], cid: int, frame: Frame, capacity: int) -> None:
    if ENVELOPE_OVERHEAD + ENTRY_OVERHEAD + frame.size > capacity:
        raise EncodingError(f"a {frame.size}-byte frame does not fit in {capacity} bytes")
    if groups[-1].size + groups[-1].cost(cid, frame) > capacity:
        groups.append(_Group())
    groups[-1].add(cid, frame)
