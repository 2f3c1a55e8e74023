"""A withdrawal as the L2ToL1MessagePasser records it, found from its L2 transaction.

``initiateWithdrawal`` emits ``MessagePassed(nonce, sender, target, value, gasLimit, data,
withdrawalHash)`` and sets ``sentMessages[withdrawalHash]`` (slot 0 of the passer), which is
what an L1 storage proof shows.  Everything here reads the L2 through JSON-RPC only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eth_hash.auto import keccak

from ...abc import ClientAPI
from ...chain.rules import L2_TO_L1_MESSAGE_PASSER
from ...errors import InvalidParams, WithdrawalNotFound
from ...types import Address, Hash32
from ..abi import abi_encode, decode
from ..addresses import checksum
from ..transact import hexstr, quantity, unhex

MESSAGE_PASSED = keccak(b"MessagePassed(uint256,address,address,uint256,uint256,bytes,bytes32)")
WITHDRAWAL_TYPES = ("uint256", "address", "address", "uint256", "uint256", "bytes")


def withdrawal_hash(
    nonce: int, sender: Address, target: Address, value: int, gas_limit: int, data: bytes
) -> Hash32:
    """OP's ``Hashing.hashWithdrawal``: keccak of the ABI-encoded withdrawal."""
    return keccak(abi_encode(WITHDRAWAL_TYPES, (nonce, sender, target, value, gas_limit, data)))


def withdrawal_slot(whash: Hash32) -> int:
    """The passer's storage slot of ``sentMessages[whash]`` (mapping at slot 0)."""
    return int.from_bytes(keccak(whash + b"\x00" * 32), "big")


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """One withdrawal and where it was initiated."""

    chain_id: int
    nonce: int
    sender: Address
    target: Address
    value: int
    gas_limit: int
    data: bytes
    hash: Hash32
    l2_tx_hash: Hash32
    l2_block: int
    #: Position among the withdrawals of its L2 transaction.
    index: int

    @property
    def abi_tuple(self) -> tuple[int, Address, Address, int, int, bytes]:
        """The portal's ``WithdrawalTransaction`` struct."""
        return (self.nonce, self.sender, self.target, self.value, self.gas_limit, self.data)

    @property
    def slot(self) -> int:
        return withdrawal_slot(self.hash)

    def to_json(self) -> dict[str, Any]:
        return {
            "withdrawalHash": hexstr(self.hash),
            "chainId": self.chain_id,
            "l2TransactionHash": hexstr(self.l2_tx_hash),
            "index": self.index,
            "nonce": hex(self.nonce),
            "sender": checksum(self.sender),
            "target": checksum(self.target),
            "value": hex(self.value),
            "gasLimit": hex(self.gas_limit),
            "data": hexstr(self.data),
        }


def parse_tx_hash(value: bytes | str) -> Hash32:
    """A transaction hash from bytes or ``0x``-hex (InvalidParams if it is not one)."""
    try:
        raw = value if isinstance(value, bytes) else bytes.fromhex(value.removeprefix("0x"))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise InvalidParams(f"not a 32-byte transaction hash: {value!r:.80}")
    return bytes(raw)


def withdrawals_in(l2: ClientAPI, chain_id: int, tx_hash: Hash32) -> list[Withdrawal]:
    """Every withdrawal L2 transaction ``tx_hash`` initiated, in log order (raises
    :class:`WithdrawalNotFound` for an unknown or unmined transaction or one without any)."""
    receipt = l2.request("eth_getTransactionReceipt", [hexstr(tx_hash)])
    if receipt is None:
        raise WithdrawalNotFound(
            f"no mined transaction {hexstr(tx_hash)} on chain {chain_id}", data=hexstr(tx_hash)
        )
    found = [from_log(log, chain_id, i) for i, log in enumerate(_passed_logs(receipt))]
    if not found:
        raise WithdrawalNotFound(
            f"transaction {hexstr(tx_hash)} on chain {chain_id} initiated no withdrawal",
            data=hexstr(tx_hash),
        )
    return found


def _passed_logs(receipt: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    passer = hexstr(L2_TO_L1_MESSAGE_PASSER)
    return [
        log
        for log in receipt.get("logs", [])
        if log["address"].lower() == passer and log["topics"][:1] == [hexstr(MESSAGE_PASSED)]
    ]


def from_log(log: Mapping[str, Any], chain_id: int, index: int) -> Withdrawal:
    """The withdrawal of one ``MessagePassed`` log (JSON-RPC form), the ``index``-th of
    its transaction."""
    topics = [unhex(t) for t in log["topics"]]
    value, gas_limit, data, whash = decode(
        ["uint256", "uint256", "bytes", "bytes32"], unhex(log["data"])
    )
    return Withdrawal(
        chain_id=chain_id,
        nonce=int.from_bytes(topics[1], "big"),
        sender=topics[2][12:],
        target=topics[3][12:],
        value=value,
        gas_limit=gas_limit,
        data=bytes(data),
        hash=bytes(whash),
        l2_tx_hash=unhex(log["transactionHash"]),
        l2_block=quantity(log["blockNumber"]),
        index=index,
    )


def locate(rollups: Mapping[int, ClientAPI], tx_hash: Hash32) -> int:
    """The chain id of the rollup that mined ``tx_hash`` (WithdrawalNotFound if none did)."""
    for chain_id, client in rollups.items():
        if client.request("eth_getTransactionReceipt", [hexstr(tx_hash)]) is not None:
            return chain_id
    known = ", ".join(map(str, rollups))
    raise WithdrawalNotFound(
        f"no mined transaction {hexstr(tx_hash)} on the rollups ({known})", data=hexstr(tx_hash)
    )
