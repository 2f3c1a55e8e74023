"""The value codec journal records are written in.

It writes ``None``, booleans, integers, bytes, strings, tuples, :class:`Writes` and the frozen
dataclasses of :data:`CLASSES` with a tag byte each, so a value decodes to exactly the value
that was encoded and nothing else can be built from a file (unlike pickle).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..da.kzg import BlobSidecar
from ..errors import JournalCorrupt
from ..types import AccessListEntry, Block, BlockHeader, Log, Receipt, Transaction

#: Classes a record may hold, by tag.  Append only: a tag names its class forever.
CLASSES: tuple[type, ...] = (
    Block, BlockHeader, Transaction, Receipt, Log, AccessListEntry, BlobSidecar,
)  # fmt: skip
_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in CLASSES}
_CLASS_TAG = {cls: i for i, cls in enumerate(CLASSES)}

_NONE, _FALSE, _TRUE, _INT, _NEG, _BYTES, _TUPLE, _OBJ, _STR, _WRITES = range(10)


class Writes(tuple[tuple[bytes, bytes | None], ...]):
    """Key-value writes (value None: deleted), encoded compactly: a block holds dozens and
    decoding them one generic value at a time dominated the time of a restart."""

    __slots__ = ()


# ------------------------------------------------------------------- codec
def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _put(value: Any, out: list[bytes]) -> None:
    kind = type(value)
    if value is None:
        out.append(b"\x00")
    elif kind is bool:
        out.append(b"\x02" if value else b"\x01")
    elif kind is int:
        raw = abs(value).to_bytes((abs(value).bit_length() + 7) // 8, "big")
        out += (b"\x03" if value >= 0 else b"\x04", _varint(len(raw)), raw)
    elif kind is bytes or kind is bytearray or kind is memoryview:
        out += (b"\x05", _varint(len(value)), bytes(value))
    elif kind is tuple or kind is list:
        out += (b"\x06", _varint(len(value)))
        for item in value:
            _put(item, out)
    elif kind is Writes:
        out += (b"\x09", _varint(len(value)))
        for key, data in value:
            out += (_varint(len(key)), key)
            out += (b"\x00",) if data is None else (_varint(len(data) + 1), data)
    elif kind in _CLASS_TAG:
        names = _FIELDS[kind]
        out += (b"\x07", bytes((_CLASS_TAG[kind],)), _varint(len(names)))
        for name in names:
            _put(getattr(value, name), out)
    elif kind is str:
        raw = value.encode()
        out += (b"\x08", _varint(len(raw)), raw)
    else:
        raise TypeError(f"journal records cannot hold {kind.__name__}")


def encode(value: Any) -> bytes:
    out: list[bytes] = []
    _put(value, out)
    return b"".join(out)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def varint(self) -> int:
        shift = n = 0
        while True:
            byte = self.data[self.pos]
            self.pos += 1
            n |= (byte & 0x7F) << shift
            if byte < 0x80:
                return n
            shift += 7

    def raw(self) -> bytes:
        size = self.varint()
        start, self.pos = self.pos, self.pos + size
        if self.pos > len(self.data):
            raise IndexError("value runs past the record")
        return self.data[start : self.pos]

    def writes(self) -> Writes:
        out: list[tuple[bytes, bytes | None]] = []
        raw, varint, data = self.raw, self.varint, self.data
        for _ in range(varint()):
            key = raw()
            size = varint()
            if size:
                start = self.pos
                self.pos += size - 1
                out.append((key, data[start : self.pos]))
            else:
                out.append((key, None))
        if self.pos > len(data):
            raise IndexError("value runs past the record")
        return Writes(out)

    def value(self) -> Any:
        data, pos = self.data, self.pos
        tag = data[pos]
        if tag == _BYTES and data[pos + 1] < 0x80:  # the common case, inline: a short byte string
            start = pos + 2
            self.pos = end = start + data[pos + 1]
            if end > len(data):
                raise IndexError("value runs past the record")
            return data[start:end]
        self.pos = pos + 1
        if tag == _BYTES:
            return self.raw()
        if tag in (_INT, _NEG):
            n = int.from_bytes(self.raw(), "big")
            return n if tag == _INT else -n
        if tag == _TUPLE:
            return tuple(self.value() for _ in range(self.varint()))
        if tag == _OBJ:
            cls = CLASSES[self.data[self.pos]]
            self.pos += 1
            return cls(*(self.value() for _ in range(self.varint())))
        if tag <= _TRUE:
            return (None, False, True)[tag]
        if tag == _STR:
            return self.raw().decode()
        if tag == _WRITES:
            return self.writes()
        raise ValueError(f"unknown tag {tag}")


def decode(data: bytes) -> Any:
    """The value :func:`encode` made ``data`` from; :class:`JournalCorrupt` otherwise."""
    reader = _Reader(data)
    try:
        value = reader.value()
    except (IndexError, ValueError, TypeError) as exc:
        raise JournalCorrupt(f"undecodable journal record: {exc}") from None
    if reader.pos != len(data):
        raise JournalCorrupt("trailing bytes after a journal record")
    return value
