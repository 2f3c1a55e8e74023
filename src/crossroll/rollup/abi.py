"""Just enough ABI for the settlement contracts: calldata from a signature, results decoded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_hash.auto import keccak

# Static ABI types are one 32-byte word each (tuples of them, several words), which is all
# the deployment and the proposer's start-up need: encoding those by hand keeps eth_abi
# (~50 ms to import) out of `crossroll up`'s start-up.  Anything else goes to eth_abi.
_STATIC_PREFIXES = ("uint", "int", "address", "bool", "bytes")


def _static_word(typ: str, value: Any) -> bytes | None:
    if typ == "address":
        raw = bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)
        return raw.rjust(32, b"\x00") if len(raw) == 20 else None
    if typ == "bool":
        return int(bool(value)).to_bytes(32, "big")
    if typ.startswith("uint") and isinstance(value, int) and value >= 0:
        return value.to_bytes(32, "big")
    if typ.startswith("bytes") and typ[5:].isdigit() and isinstance(value, bytes):
        return value.ljust(32, b"\x00") if len(value) == int(typ[5:]) else None
    return None


def _encode_static(types: Sequence[str], args: Sequence[Any]) -> bytes | None:
    """The ABI encoding of static ``types``, or None when any type needs eth_abi."""
    words = []
    for typ, value in zip(types, args, strict=True):
        if typ.startswith("(") and typ.endswith(")"):
            inner = _encode_static(argument_types("f" + typ), value)
            if inner is None:
                return None
            words.append(inner)
            continue
        word = _static_word(typ, value) if typ.startswith(_STATIC_PREFIXES) else None
        if word is None or typ.endswith("]") or typ in ("bytes", "string"):
            return None
        words.append(word)
    return b"".join(words)


def abi_encode(types: Sequence[str], args: Sequence[Any]) -> bytes:
    fast = _encode_static(types, args)
    if fast is not None:
        return fast
    from eth_abi import encode

    return encode(list(types), list(args))


def abi_decode(types: Sequence[str], data: bytes) -> tuple[Any, ...]:
    if all(t.startswith("uint") and not t.endswith("]") for t in types) and len(data) == 32 * len(
        types
    ):
        return tuple(int.from_bytes(data[32 * i : 32 * i + 32], "big") for i in range(len(types)))
    from eth_abi import decode

    return tuple(decode(list(types), data))


def argument_types(signature: str) -> list[str]:
    """Top-level argument types of ``name(t1,(t2,t3),t4[])``."""
    inner = signature[signature.index("(") + 1 : -1]
    types: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(inner):
        if ch in "()":
            depth += 1 if ch == "(" else -1
        elif ch == "," and depth == 0:
            types.append(inner[start:i])
            start = i + 1
    if inner:
        types.append(inner[start:])
    return types


def selector(signature: str) -> bytes:
    return keccak(signature.encode())[:4]


def calldata(signature: str, *args: Any) -> bytes:
    """``selector ‖ abi.encode(args)`` for a function signature such as ``f(uint256,address)``."""
    return selector(signature) + abi_encode(argument_types(signature), args)


def constructor(bytecode: bytes, types: Sequence[str], *args: Any) -> bytes:
    """Creation code with ABI-encoded constructor arguments appended."""
    return bytecode + abi_encode(types, args)


def decode(types: Sequence[str], data: bytes) -> tuple[Any, ...]:
    return abi_decode(types, data)
