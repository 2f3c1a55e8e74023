"""The L2ToL2CrossDomainMessenger's messages: hash, SentMessage decoding, relay calldata, and
the topics of the messaging events.

A message's hash is OP's ``Hashing.hashL2toL2CrossDomainMessage``:
``keccak256(abi.encode(destination, source, nonce, sender, target, message))``.  It is the
relay nullifier (``successfulMessages``), the value ``sentMessages[nonce]`` records on the
source, and the leaf preimage of crossroll's outbox tree (the settled path).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_hash.auto import keccak

from ..errors import DecodingError
from ..rollup.abi import abi_decode, abi_encode, calldata
from ..types import Address, Hash32, Log
from .addresses import CROSS_L2_INBOX, L2_TO_L2_MESSENGER
from .identifier import Identifier, payload

__all__ = [
    "EXECUTING_MESSAGE_TOPIC",
    "RELAYED_MESSAGE_TOPIC",
    "RELAY_MESSAGE",
    "RELAY_SETTLED_MESSAGE",
    "SEND_MESSAGE",
    "SENT_MESSAGE_TOPIC",
    "SETTLED_PROOF_TYPE",
    "L2ToL2Message",
    "Relayed",
    "executing_of_log",
    "relay_calldata",
    "relayed_of_log",
]

SENT_MESSAGE_TOPIC = keccak(b"SentMessage(uint256,address,uint256,address,bytes)")
RELAYED_MESSAGE_TOPIC = keccak(b"RelayedMessage(uint256,uint256,bytes32,bytes32)")
EXECUTING_MESSAGE_TOPIC = keccak(f"ExecutingMessage(bytes32,{Identifier.ABI_TYPE})".encode())

SEND_MESSAGE = "sendMessage(uint256,address,bytes)"
RELAY_MESSAGE = f"relayMessage({Identifier.ABI_TYPE},bytes)"
#: ``SettledProof(globalRoot, leafIndex, outboxProof, rollupIndex, rollupProof)`` (ISettled.sol).
SETTLED_PROOF_TYPE = "(bytes32,uint256,bytes32[],uint256,bytes32[])"
RELAY_SETTLED_MESSAGE = (
    f"relaySettledMessage(uint256,uint256,address,address,bytes,{SETTLED_PROOF_TYPE})"
)

_HASH_TYPES = ("uint256", "uint256", "uint256", "address", "address", "bytes")


def _address(value: str | bytes) -> Address:
    return bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)


@dataclass(frozen=True, slots=True)
class L2ToL2Message:
    """One message of the messenger, as its SentMessage log carries it (plus the source)."""

    destination: int
    source: int
    nonce: int
    sender: Address
    target: Address
    message: bytes

    @property
    def hash(self) -> Hash32:
        """``hashL2toL2CrossDomainMessage``: what both relay paths nullify."""
        fields = (self.destination, self.source, self.nonce, self.sender, self.target)
        return keccak(abi_encode(_HASH_TYPES, (*fields, self.message)))

    @classmethod
    def from_payload(cls, data: bytes, source: int) -> L2ToL2Message:
        """Decode a SentMessage payload (4 topics, then ``abi.encode(sender, message)``)."""
        if len(data) < 128 or data[:32] != SENT_MESSAGE_TOPIC:
            raise DecodingError("not a SentMessage payload")
        if any(data[64:76]):
            raise DecodingError("SentMessage target topic is not an address")
        try:
            sender, message = abi_decode(("address", "bytes"), data[128:])
        except Exception as exc:  # eth_abi's several decoding errors
            raise DecodingError(f"SentMessage data does not decode: {exc}") from exc
        return cls(
            destination=int.from_bytes(data[32:64], "big"),
            source=source,
            nonce=int.from_bytes(data[96:128], "big"),
            sender=_address(sender),
            target=bytes(data[76:96]),
            message=bytes(message),
        )

    @classmethod
    def from_sent_log(cls, log: Log, source: int) -> L2ToL2Message:
        """The message of a SentMessage log the messenger emitted on chain ``source``."""
        if log.address != L2_TO_L2_MESSENGER:
            raise DecodingError("log not emitted by the L2ToL2CrossDomainMessenger")
        return cls.from_payload(payload(log), source)

    def payload(self) -> bytes:
        """The SentMessage payload this message is relayed with (topics, then data)."""
        topics = (
            SENT_MESSAGE_TOPIC
            + self.destination.to_bytes(32, "big")
            + self.target.rjust(32, b"\x00")
            + self.nonce.to_bytes(32, "big")
        )
        return topics + abi_encode(("address", "bytes"), (self.sender, self.message))

    def relay_settled_calldata(
        self, proof: tuple[Hash32, int, Sequence[Hash32], int, Sequence[Hash32]]
    ) -> bytes:
        """Calldata of ``relaySettledMessage`` with ``proof`` as the SettledProof tuple
        ``(globalRoot, leafIndex, outboxProof, rollupIndex, rollupProof)``."""
        root, leaf_index, outbox_proof, rollup_index, rollup_proof = proof
        args = (root, leaf_index, list(outbox_proof), rollup_index, list(rollup_proof))
        fields = (self.source, self.nonce, self.sender, self.target, self.message)
        return calldata(RELAY_SETTLED_MESSAGE, *fields, args)


def relay_calldata(identifier: Identifier, sent_payload: bytes) -> bytes:
    """Calldata of ``relayMessage(identifier, payload)`` (the fast path)."""
    return calldata(RELAY_MESSAGE, identifier.as_tuple(), sent_payload)


@dataclass(frozen=True, slots=True)
class Relayed:
    """A RelayedMessage log: which message relayed here, and a hash of what it returned."""

    source: int
    nonce: int
    message_hash: Hash32
    return_data_hash: Hash32


def relayed_of_log(log: Log) -> Relayed:
    """Decode a RelayedMessage log of the messenger."""
    if log.address != L2_TO_L2_MESSENGER or log.topics[:1] != (RELAYED_MESSAGE_TOPIC,):
        raise DecodingError("not a RelayedMessage log of the L2ToL2CrossDomainMessenger")
    if len(log.topics) != 4 or len(log.data) != 32:
        raise DecodingError("malformed RelayedMessage log")
    return Relayed(
        source=int.from_bytes(log.topics[1], "big"),
        nonce=int.from_bytes(log.topics[2], "big"),
        message_hash=log.topics[3],
        return_data_hash=log.data,
    )


def executing_of_log(log: Log) -> tuple[Hash32, Identifier]:
    """Decode an ExecutingMessage log of the CrossL2Inbox: ``(msg_hash, identifier)``."""
    if log.address != CROSS_L2_INBOX or log.topics[:1] != (EXECUTING_MESSAGE_TOPIC,):
        raise DecodingError("not an ExecutingMessage log of the CrossL2Inbox")
    if len(log.topics) != 2:
        raise DecodingError("malformed ExecutingMessage log")
    return log.topics[1], Identifier.decode(log.data)
