"""Byte columns for the columnar batch codec: unsigned LEB128 varints, zigzag for signed
deltas, bit fields, and a bounds-checked reader that turns every overrun into a
:class:`~crossroll.errors.DecodingError` (never an ``IndexError``)."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import DecodingError

# A 256-bit integer needs at most 37 LEB128 bytes; anything longer is corrupt input.
MAX_VARINT_BYTES = 37


def write_uvarint(out: bytearray, value: int) -> None:
    if value < 0:
        raise ValueError("uvarint of a negative number")
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return


def zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


def unzigzag(value: int) -> int:
    return value // 2 if value % 2 == 0 else -(value + 1) // 2


def pack_bits(bits: Iterable[bool]) -> bytes:
    out = bytearray()
    for i, bit in enumerate(bits):
        if i % 8 == 0:
            out.append(0)
        if bit:
            out[-1] |= 1 << (i % 8)
    return bytes(out)


def unpack_bits(data: bytes, count: int) -> list[bool]:
    if len(data) != (count + 7) // 8:
        raise DecodingError(f"bit field of {len(data)} bytes for {count} bits")
    return [bool(data[i // 8] >> (i % 8) & 1) for i in range(count)]


class Reader:
    """Sequential reads over one column with strict bounds."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise DecodingError(
                f"column truncated: need {n} bytes at {self.pos} of {len(self.data)}"
            )
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def uvarint(self) -> int:
        value = shift = 0
        for _ in range(MAX_VARINT_BYTES):
            if self.pos >= len(self.data):
                raise DecodingError("varint truncated")
            byte = self.data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                if byte == 0 and shift > 7:
                    raise DecodingError("non-canonical varint")
                return value
        raise DecodingError("varint too long")

    def svarint(self) -> int:
        return unzigzag(self.uvarint())

    def done(self) -> None:
        if self.pos != len(self.data):
            raise DecodingError(f"{len(self.data) - self.pos} trailing bytes in column")
