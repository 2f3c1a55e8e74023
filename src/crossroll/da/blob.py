"""OP's blob encoding (version 0): bytes ⇄ a 131,072-byte EIP-4844 blob.

A blob is 4,096 field elements of 32 bytes, each a big-endian integer below the
BLS12-381 scalar modulus.  OP fills 254 bits of each element: the top two bits of every
element's first byte stay zero, so every element is canonical.  Four elements carry 127
bytes: 4 x 31 low bytes plus three bytes ``x, y, z`` spread over the four 6-bit first
bytes.  The stream is ``version (0) ‖ length (3 bytes, big-endian) ‖ payload``, zero
padded; so a blob carries at most 1024 x 127 - 4 = 130,044 payload bytes.  Decoding
checks the version, the length, the zero top bits and the zero padding.
"""

from __future__ import annotations

from ..errors import DecodingError, EncodingError

FIELD_ELEMENTS_PER_BLOB = 4096
BYTES_PER_FIELD_ELEMENT = 32
BLOB_SIZE = FIELD_ELEMENTS_PER_BLOB * BYTES_PER_FIELD_ELEMENT  # 131,072
BLS_MODULUS = 52435875175126190479447740508185965837690552500527637822603658699938581184513
ENCODING_VERSION = 0
ROUNDS = FIELD_ELEMENTS_PER_BLOB // 4
ROUND_BYTES = 127
MAX_BLOB_DATA = ROUNDS * ROUND_BYTES - 4  # 130,044


def encode_blob(data: bytes) -> bytes:
    """The blob carrying ``data``; :class:`EncodingError` above :data:`MAX_BLOB_DATA`."""
    if len(data) > MAX_BLOB_DATA:
        raise EncodingError(f"{len(data)} bytes do not fit in a blob (max {MAX_BLOB_DATA})")
    stream = bytes([ENCODING_VERSION]) + len(data).to_bytes(3, "big") + data
    stream += bytes(-len(stream) % ROUND_BYTES)
    out = bytearray()
    for pos in range(0, len(stream), ROUND_BYTES):
        r = stream[pos : pos + ROUND_BYTES]
        x, y, z = r[31], r[63], r[95]
        out.append(x & 0x3F)
        out += r[0:31]
        out.append((y & 0x0F) | ((x & 0xC0) >> 2))
        out += r[32:63]
        out.append(z & 0x3F)
        out += r[64:95]
        out.append(((z & 0xC0) >> 2) | ((y & 0xF0) >> 4))
        out += r[96:127]
    return bytes(out) + bytes(BLOB_SIZE - len(out))


def decode_blob(blob: bytes) -> bytes:
    """Inverse of :func:`encode_blob`; :class:`DecodingError` on anything it would not produce."""
    if len(blob) != BLOB_SIZE:
        raise DecodingError(f"blob must be {BLOB_SIZE} bytes, got {len(blob)}")
    if blob[1] != ENCODING_VERSION:
        raise DecodingError(f"unknown blob encoding version {blob[1]}")
    length = int.from_bytes(blob[2:5], "big")
    if length > MAX_BLOB_DATA:
        raise DecodingError(f"blob length header {length} over {MAX_BLOB_DATA}")
    used = -(-(length + 4) // ROUND_BYTES)  # rounds that hold data
    stream = bytearray()
    for fe in range(0, used * 4 * 32, 128):
        a, b, c, d = blob[fe], blob[fe + 32], blob[fe + 64], blob[fe + 96]
        if (a | b | c | d) & 0xC0:
            raise DecodingError(f"field element {fe // 32}..{fe // 32 + 3} uses its top bits")
        x = (a & 0x3F) | ((b & 0x30) << 2)
        y = (b & 0x0F) | ((d & 0x0F) << 4)
        z = (c & 0x3F) | ((d & 0x30) << 2)
        stream += blob[fe + 1 : fe + 32]
        stream.append(x)
        stream += blob[fe + 33 : fe + 64]
        stream.append(y)
        stream += blob[fe + 65 : fe + 96]
        stream.append(z)
        stream += blob[fe + 97 : fe + 128]
    if any(stream[4 + length :]) or any(blob[used * 128 :]):
        raise DecodingError("non-zero bytes after the blob's payload")
    return bytes(stream[4 : 4 + length])


def is_canonical(blob: bytes) -> bool:
    """Every field element is below the BLS12-381 modulus (what KZG requires)."""
    return len(blob) == BLOB_SIZE and all(
        int.from_bytes(blob[i : i + 32], "big") < BLS_MODULUS for i in range(0, BLOB_SIZE, 32)
    )


def blobs_needed(size: int) -> int:
    return max(1, -(-size // MAX_BLOB_DATA))
