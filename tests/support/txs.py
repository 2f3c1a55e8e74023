"""Signed transactions built by hand (eth_account), identical for every node they go to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_abi import encode
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

from crossroll.contracts import load

# The first dev accounts of the test mnemonic (anvil's, Supersim's, crossroll's).
KEYS = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
]
ADDRS = [Account.from_key(k).address for k in KEYS]


def calldata(signature: str, *args: Any) -> bytes:
    types = signature[signature.index("(") + 1 : -1]
    arg_types = [t for t in types.split(",") if t]
    return function_signature_to_4byte_selector(signature) + encode(arg_types, list(args))


def create_address(sender: str, nonce: int) -> str:
    import rlp

    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


def deploy_data(name: str, types: list[str] | None = None, args: list[Any] | None = None) -> bytes:
    art = load(name)
    return art.bytecode + (encode(types, args) if types else b"")


@dataclass
class Signer:
    """Signs transactions for one key, tracking its nonce."""

    key: str
    chain_id: int = 31337
    nonce: int = 0
    sent: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return Account.from_key(self.key).address

    def sign(
        self,
        tx_type: int,
        to: str | None,
        data: bytes = b"",
        value: int = 0,
        gas: int = 200_000,
        access_list: list[dict[str, Any]] | None = None,
        protected: bool = True,
    ) -> bytes:
        tx: dict[str, Any] = {"nonce": self.nonce, "gas": gas, "value": value, "data": data}
        if to is not None:
            tx["to"] = to
        if tx_type == 2:
            tx |= {
                "type": 2,
                "maxFeePerGas": 10**10,
                "maxPriorityFeePerGas": 10**9,
                "chainId": self.chain_id,
            }
        elif tx_type == 1:
            tx |= {
                "type": 1,
                "gasPrice": 2 * 10**9,
                "chainId": self.chain_id,
                "accessList": access_list or [],
            }
        else:
            tx |= {"gasPrice": 2 * 10**9}
            if protected:
                tx["chainId"] = self.chain_id
        signed = Account.sign_transaction(tx, self.key)
        self.nonce += 1
        return bytes(signed.raw_transaction)
