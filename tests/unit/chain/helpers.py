"""Fixtures and helpers for the chain tests (real py-evm, virtual time)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_abi import decode, encode
from eth_account import Account
from eth_hash.auto import keccak

from crossroll.chain import Chain, ChainConfig
from crossroll.clock import VirtualClock
from crossroll.contracts import load
from crossroll.types import CallRequest, DevAccount

GWEI = 10**9
START = 1_700_000_000


def selector(signature: str) -> bytes:
    return keccak(signature.encode())[:4]


def calldata(signature: str, types: list[str], args: list[Any]) -> bytes:
    return selector(signature) + encode(types, args)


def sign(key: bytes, **fields: Any) -> bytes:
    tx: dict[str, Any] = {"gas": 21_000, "value": 0, "chainId": 31337}
    if "gasPrice" not in fields:
        tx.update(maxFeePerGas=3 * GWEI, maxPriorityFeePerGas=GWEI)
    tx.update(fields)
    if tx.get("chainId") is None:
        tx.pop("chainId")
    return bytes(Account.sign_transaction(tx, key).raw_transaction)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=START)


@pytest.fixture
def chain(clock: VirtualClock) -> Iterator[Chain]:
    c = Chain(ChainConfig(), clock)
    yield c
    c.close()


@pytest.fixture
def alice(chain: Chain) -> DevAccount:
    return chain.dev_accounts[0]


@pytest.fixture
def bob(chain: Chain) -> DevAccount:
    return chain.dev_accounts[1]


def deploy(chain: Chain, sender: DevAccount, name: str, ctor: bytes = b"") -> bytes:
    art = load(name)
    tx_hash = chain.send_transaction(CallRequest(sender=sender.address, data=art.bytecode + ctor))
    receipt = chain.receipt(tx_hash)
    assert receipt is not None and receipt.status == 1
    assert receipt.contract_address is not None
    return receipt.contract_address


@pytest.fixture
def probe(chain: Chain, alice: DevAccount) -> bytes:
    return deploy(chain, alice, "Probe")


@pytest.fixture
def token(chain: Chain, alice: DevAccount) -> bytes:
    ctor = encode(["string", "string", "uint8", "uint256"], ["Test", "TST", 18, 10**24])
    return deploy(chain, alice, "TestToken", ctor)


def balance_of(chain: Chain, token: bytes, who: bytes, ref: Any = "latest") -> int:
    out = chain.call(
        CallRequest(to=token, data=calldata("balanceOf(address)", ["address"], [who])), ref
    ).output
    return int(decode(["uint256"], out)[0])
