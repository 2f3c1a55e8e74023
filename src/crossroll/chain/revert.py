"""Turn failed calls into the errors anvil answers (messages included)."""

from __future__ import annotations

from ..errors import ChainError, ExecutionReverted
from ..types import CallResult
from .validation import evm_error

ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)

# Solidity panic codes, worded as anvil (alloy) prints them.
PANIC_KINDS = {
    0x00: "generic/unspecified error",
    0x01: "assertion failed",
    0x11: "arithmetic underflow or overflow",
    0x12: "division or modulo by zero",
    0x21: "failed to convert value into enum type",
    0x22: "storage byte array incorrectly encoded",
    0x31: "called `.pop()` on an empty array",
    0x32: "array out-of-bounds access",
    0x41: "memory allocation error",
    0x51: "called an invalid internal function",
}

# py-evm exception names -> revm's (anvil's) halt reasons.
_HALT_NAMES = {
    "InvalidInstruction": "InvalidFEOpcode",
    "InvalidJumpDestination": "InvalidJump",
    "InsufficientStack": "StackUnderflow",
    "StackDepthLimit": "CallTooDeep",
    "FullStack": "StackOverflow",
    "WriteProtection": "StateChangeDuringStaticCall",
    "OutOfBoundsRead": "OutOfOffset",
}


def decode_error_string(output: bytes) -> str | None:
    """The reason of an ``Error(string)`` revert, or None."""
    if len(output) < 68 or output[:4] != ERROR_SELECTOR:
        return None
    try:
        offset = int.from_bytes(output[4:36], "big")
        length = int.from_bytes(output[4 + offset : 36 + offset], "big")
        raw = output[36 + offset : 36 + offset + length]
        if len(raw) != length:
            return None
        return raw.decode("utf-8", errors="replace")
    except (ValueError, OverflowError):
        return None


def revert_message(output: bytes) -> str:
    if not output:
        return "execution reverted"
    reason = decode_error_string(output)
    if reason is not None:
        return f"execution reverted: {reason}"
    if len(output) == 36 and output[:4] == PANIC_SELECTOR:
        code = int.from_bytes(output[4:], "big")
        kind = PANIC_KINDS.get(code, "unknown code")
        return f"execution reverted: panic: {kind} (0x{code:02x})"
    if len(output) < 4:  # too short for a selector: shown as text
        return f"execution reverted: {output.decode('utf-8', errors='replace')}"
    return f"execution reverted: custom error 0x{output.hex()}"


def call_error(result: CallResult) -> ChainError:
    """The exception for an unsuccessful :class:`CallResult`."""
    if result.error == "Revert":
        return ExecutionReverted(revert_message(result.output), data="0x" + result.output.hex())
    name = result.error or "Unknown"
    return evm_error(_HALT_NAMES.get(name, name))
