"""An append-only file of checksummed records (their payloads: :mod:`.records`).

Layout: an 8-byte magic, then records, each ``length:u32 | crc32(payload):u32 |
crc32(the first 8 bytes):u32 | payload``.  A record is written with one ``os.write`` of the
whole frame, so once it returns the record is in the OS page cache and survives the process
being killed (SIGKILL); ``fsync=True`` also survives a power cut, at the price of a disk
flush per record.

Reading stops at the first record that is incomplete or fails a checksum: that is the torn
tail of a write the process did not finish, and it is cut off before new records are
appended.  A complete record with a good header whose payload fails its checksum while more
data follows is corruption, not a tear: :class:`JournalCorrupt`, nothing is dropped.
"""

from __future__ import annotations

import logging
import os
import struct
import zlib
from pathlib import Path

from ..errors import JournalCorrupt

log = logging.getLogger(__name__)

MAGIC = b"CRLJRNL1"
_HEADER = struct.Struct("<III")


# ------------------------------------------------------------------- file
def frame(payload: bytes) -> bytes:
    head = struct.pack("<II", len(payload), zlib.crc32(payload))
    return head + struct.pack("<I", zlib.crc32(head)) + payload


def scan(data: bytes, where: str = "journal") -> tuple[list[bytes], int]:
    """The payloads of the records in ``data`` (a whole file) and where the valid part ends."""
    if data[: len(MAGIC)] != MAGIC:
        raise JournalCorrupt(f"{where} is not a crossroll journal")
    payloads: list[bytes] = []
    pos, size = len(MAGIC), len(data)
    while pos + _HEADER.size <= size:
        length, crc, head_crc = _HEADER.unpack_from(data, pos)
        if zlib.crc32(data[pos : pos + 8]) != head_crc:
            break
        end = pos + _HEADER.size + length
        if end > size:
            break
        payload = data[pos + _HEADER.size : end]
        if zlib.crc32(payload) != crc:
            if end < size:
                raise JournalCorrupt(f"{where}: record at byte {pos} fails its checksum")
            break
        payloads.append(payload)
        pos = end
    return payloads, pos


class Journal:
    """One append-only record file.  :meth:`open` reads what is there and cuts a torn tail."""

    def __init__(self, path: Path, fd: int, *, fsync: bool = False) -> None:
        self.path, self._fd, self.fsync = path, fd, fsync

    @classmethod
    def open(cls, path: Path, *, fsync: bool = False) -> tuple[Journal, list[bytes]]:
        """The journal at ``path`` (created if missing) and the payloads already in it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            data = _read_all(fd)
            if not data:
                _write_all(fd, MAGIC)
                payloads: list[bytes] = []
                end = len(MAGIC)
            else:
                payloads, end = scan(data, str(path))
                if end < len(data):
                    log.warning("%s: dropped a torn last record (%d bytes)", path, len(data) - end)
                    os.ftruncate(fd, end)
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd, fsync=fsync), payloads

    def append(self, payload: bytes) -> None:
        """Write one record; on return it survives the process being killed."""
        _write_all(self._fd, frame(payload))
        if self.fsync:
            os.fsync(self._fd)

    def close(self) -> None:
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 24):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
