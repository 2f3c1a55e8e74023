"""OP interop's message identifier: where an initiating message (any log) is, and its payload.

An executing message names its initiating message by an :class:`Identifier` and commits to
its content by ``msgHash = keccak256(payload)``, where the payload is the log's topics then
its data (specs/interop/messaging.md, "Message payload").  The ABI shape is OP's
``Identifier`` struct: ``(address origin, uint256 blockNumber, uint256 logIndex,
uint256 timestamp, uint256 chainId)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from eth_hash.auto import keccak

from ..errors import DecodingError
from ..types import Address, Hash32, Log

__all__ = ["Identifier", "msg_hash", "payload"]


def payload(log: Log) -> bytes:
    """The message payload of a log: its topics, then its data."""
    return b"".join(log.topics) + log.data


def msg_hash(message: bytes | Log) -> Hash32:
    """``keccak256(payload)`` of a log or of a payload already built."""
    return keccak(payload(message) if isinstance(message, Log) else bytes(message))


@dataclass(frozen=True, slots=True)
class Identifier:
    """Points at one log: emitter, block, block-wide log index, block timestamp, chain."""

    origin: Address
    block_number: int
    log_index: int
    timestamp: int
    chain_id: int

    #: The Solidity tuple type, for ABI signatures such as ``validateMessage(<T>,bytes32)``.
    ABI_TYPE: ClassVar[str] = "(address,uint256,uint256,uint256,uint256)"
    #: Five static words.
    ENCODED_SIZE: ClassVar[int] = 5 * 32

    @classmethod
    def of_log(cls, log: Log, timestamp: int, chain_id: int) -> Identifier:
        """The identifier of ``log``, mined in a block with ``timestamp`` on ``chain_id``."""
        return cls(log.address, log.block_number, log.log_index, timestamp, chain_id)

    def as_tuple(self) -> tuple[Address, int, int, int, int]:
        """The struct's fields in ABI order (an argument for ABI encoders)."""
        return (self.origin, self.block_number, self.log_index, self.timestamp, self.chain_id)

    def encode(self) -> bytes:
        """``abi.encode(id)``: 160 bytes, as in ``ExecutingMessage``'s data."""
        return self.origin.rjust(32, b"\x00") + b"".join(
            v.to_bytes(32, "big")
            for v in (self.block_number, self.log_index, self.timestamp, self.chain_id)
        )

    @classmethod
    def decode(cls, data: bytes) -> Identifier:
        """The inverse of :meth:`encode` (strict: exactly 160 bytes, a clean address word)."""
        if len(data) != cls.ENCODED_SIZE:
            raise DecodingError(f"an Identifier is {cls.ENCODED_SIZE} bytes, got {len(data)}")
        if any(data[:12]):
            raise DecodingError("Identifier.origin has non-zero high bytes")
        words = [int.from_bytes(data[i : i + 32], "big") for i in range(32, 160, 32)]
        return cls(bytes(data[12:32]), *words)
