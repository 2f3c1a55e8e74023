"""Just enough ABI for the settlement contracts: calldata from a signature, results decoded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_hash.auto import keccak


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
    return selector(signature) + abi_encode(argument_types(signature), list(args))


def constructor(bytecode: bytes, types: Sequence[str], *args: Any) -> bytes:
    """Creation code with ABI-encoded constructor arguments appended."""
    return bytecode + abi_encode(list(types), list(args))


def decode(types: Sequence[str], data: bytes) -> tuple[Any, ...]:
    return tuple(abi_decode(list(types), data))
