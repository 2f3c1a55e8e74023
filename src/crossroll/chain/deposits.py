"""OP-Stack deposit transactions (EIP-2718 type 0x7E): values, encoding, parsing.

Facts from the OP specs (``specs/protocol/deposits.md``):

* encoding ``0x7E ‖ rlp([sourceHash, from, to, mint, value, gas, isSystemTx, data])``,
  ``to`` empty for a contract creation; no nonce, no signature; hash = keccak(encoding);
* user-deposit source hash
  ``keccak256(bytes32(0) ‖ keccak256(l1BlockHash ‖ bytes32(uint256(logIndex))))``;
* the Portal's ``TransactionDeposited(from, to, version, opaqueData)`` event, version 0:
  ``opaqueData = abi.encodePacked(mint uint256, value uint256, gasLimit uint64,
  isCreation bool, data)``.

Deposits are accepted only from the rollup-node path
(:meth:`crossroll.chain.chain.Chain.mine_with_deposits`), never from
``eth_sendRawTransaction``.
"""

from __future__ import annotations

from dataclasses import dataclass

import rlp
from eth_hash.auto import keccak

from ..types import Address, Hash32, Log, Transaction
from .rules import L2_TO_L1_MESSAGE_PASSER

__all__ = ["L2_TO_L1_MESSAGE_PASSER"]

DEPOSIT_TX_TYPE = 0x7E
#: Canyon+ receipts carry ``depositReceiptVersion = 1``.
DEPOSIT_RECEIPT_VERSION = 1

#: keccak256("TransactionDeposited(address,address,uint256,bytes)")
TRANSACTION_DEPOSITED_TOPIC = keccak(b"TransactionDeposited(address,address,uint256,bytes)")

#: Source-hash domains (deposits.md "Source hash computation").
USER_DEPOSIT_DOMAIN = 0
L1_INFO_DEPOSIT_DOMAIN = 1
UPGRADE_DEPOSIT_DOMAIN = 2


class DepositError(ValueError):
    """A malformed deposit encoding or Portal log."""


def source_hash(domain: int, inner: bytes) -> Hash32:
    """``keccak256(bytes32(uint256(domain)) ‖ inner)`` (inner is itself a keccak)."""
    return keccak(domain.to_bytes(32, "big") + inner)


def user_deposit_source_hash(l1_block_hash: Hash32, log_index: int) -> Hash32:
    return source_hash(USER_DEPOSIT_DOMAIN, keccak(l1_block_hash + log_index.to_bytes(32, "big")))


def _uint(field: bytes, name: str) -> int:
    if field[:1] == b"\x00":
        raise DepositError(f"non-canonical integer for {name}")
    return int.from_bytes(field, "big")


@dataclass(frozen=True, slots=True)
class DepositTransaction:
    """A deposited transaction as the rollup node derives it from L1."""

    source_hash: Hash32
    sender: Address  # ``from``
    to: Address | None  # None: contract creation
    mint: int
    value: int
    gas: int
    is_system_tx: bool
    data: bytes

    def encode(self) -> bytes:
        fields = [
            self.source_hash,
            self.sender,
            self.to if self.to is not None else b"",
            self.mint,
            self.value,
            self.gas,
            self.is_system_tx,
            self.data,
        ]
        return bytes([DEPOSIT_TX_TYPE]) + rlp.encode(fields)

    @property
    def hash(self) -> Hash32:
        return keccak(self.encode())

    @classmethod
    def decode(cls, raw: bytes) -> DepositTransaction:
        if not raw or raw[0] != DEPOSIT_TX_TYPE:
            raise DepositError("not a deposit transaction (type byte 0x7e)")
        try:
            items = rlp.decode(raw[1:], strict=True)
        except rlp.exceptions.DecodingError as exc:
            raise DepositError(f"bad RLP: {exc}") from None
        if not isinstance(items, list) or len(items) != 8:
            raise DepositError("a deposit is an RLP list of 8 fields")
        if any(not isinstance(i, bytes) for i in items):
            raise DepositError("deposit fields are byte strings")
        src, sender, to, mint, value, gas, system, data = items
        if len(src) != 32 or len(sender) != 20 or len(to) not in (0, 20):
            raise DepositError("bad sourceHash/from/to length")
        if system not in (b"", b"\x01"):
            raise DepositError("isSystemTx must be a boolean")
        return cls(
            source_hash=src,
            sender=sender,
            to=to or None,
            mint=_uint(mint, "mint"),
            value=_uint(value, "value"),
            gas=_uint(gas, "gas"),
            is_system_tx=system == b"\x01",
            data=data,
        )

    def to_transaction(self, nonce: int = 0) -> Transaction:
        """Our block-level :class:`Transaction` value (``nonce`` is the deposit nonce,
        filled in when the deposit executes)."""
        return Transaction(
            hash=self.hash,
            type=DEPOSIT_TX_TYPE,
            chain_id=None,
            sender=self.sender,
            nonce=nonce,
            gas_price=0,  # deposits pay no fee
            to=self.to,
            value=self.value,
            gas=self.gas,
            data=self.data,
            max_fee_per_gas=None,
            max_priority_fee_per_gas=None,
            access_list=(),
            v=0,
            r=0,
            s=0,  # and carry no signature
            raw=self.encode(),
            source_hash=self.source_hash,
            mint=self.mint,
            is_system_tx=self.is_system_tx,
        )


def deposit_of(tx: Transaction) -> DepositTransaction:
    """The deposit a deposit-typed :class:`Transaction` value carries."""
    if tx.type != DEPOSIT_TX_TYPE or tx.source_hash is None:
        raise DepositError("not a deposit transaction")
    return DepositTransaction(
        source_hash=tx.source_hash,
        sender=tx.sender,
        to=tx.to,
        mint=tx.mint or 0,
        value=tx.value,
        gas=tx.gas,
        is_system_tx=tx.is_system_tx,
        data=tx.data,
    )


def parse_opaque_data(opaque: bytes) -> tuple[int, int, int, bool, bytes]:
    """Version-0 ``opaqueData``: (mint, value, gasLimit, isCreation, data)."""
    if len(opaque) < 73:
        raise DepositError(f"opaqueData too short ({len(opaque)} < 73 bytes)")
    mint = int.from_bytes(opaque[0:32], "big")
    value = int.from_bytes(opaque[32:64], "big")
    gas = int.from_bytes(opaque[64:72], "big")
    flag = opaque[72]
    if flag > 1:
        raise DepositError("isCreation byte must be 0 or 1")
    return mint, value, gas, flag == 1, opaque[73:]


def _abi_bytes(data: bytes) -> bytes:
    """Decode a lone ABI-encoded ``bytes`` (the non-indexed event payload)."""
    if len(data) < 64:
        raise DepositError("log data too short for an ABI bytes value")
    offset = int.from_bytes(data[0:32], "big")
    if offset + 32 > len(data):
        raise DepositError("bad ABI offset")
    length = int.from_bytes(data[offset : offset + 32], "big")
    start = offset + 32
    if start + length > len(data):
        raise DepositError("bad ABI length")
    return data[start : start + length]


def deposit_from_log(log: Log, l1_block_hash: Hash32 | None = None) -> DepositTransaction:
    """A Portal ``TransactionDeposited`` log as the L2 deposit it requests.

    ``l1_block_hash`` defaults to the log's own block hash; the source hash uses the
    log's block-level ``log_index``."""
    if len(log.topics) != 4 or log.topics[0] != TRANSACTION_DEPOSITED_TOPIC:
        raise DepositError("not a TransactionDeposited log")
    version = int.from_bytes(log.topics[3], "big")
    if version != 0:
        raise DepositError(f"unsupported deposit version {version}")
    sender = log.topics[1][12:]
    to = log.topics[2][12:]
    mint, value, gas, is_creation, data = parse_opaque_data(_abi_bytes(log.data))
    block_hash = l1_block_hash if l1_block_hash is not None else log.block_hash
    return DepositTransaction(
        source_hash=user_deposit_source_hash(block_hash, log.log_index),
        sender=sender,
        to=None if is_creation else to,
        mint=mint,
        value=value,
        gas=gas,
        is_system_tx=False,
        data=data,
    )


def deposits_from_logs(
    logs: list[Log] | tuple[Log, ...], portal: Address | None = None
) -> list[DepositTransaction]:
    """Every ``TransactionDeposited`` log (of ``portal`` if given), in order, as deposits."""
    return [
        deposit_from_log(log)
        for log in logs
        if log.topics
        and log.topics[0] == TRANSACTION_DEPOSITED_TOPIC
        and (portal is None or log.address == portal)
    ]
