"""Fixtures for the settlement-contract tests: an "L1" chain (900) and an "L2" chain (901), both
real in-process crossroll chains on one virtual clock, driven with transactions signed by
eth_account. The L2ToL1MessagePasser is put at its predeploy address with ``set_code``."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from eth_abi import decode, encode
from eth_account import Account
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.rules import L1Rules, L2Rules
from crossroll.clock import VirtualClock
from crossroll.contracts import load
from crossroll.errors import ChainError, ExecutionReverted
from crossroll.types import CallRequest, CallResult, Log, Receipt

# The test modules import their helpers from here. pytest loads this file as a conftest under
# another module name; registering it under its package path too keeps one copy of every class
# (so ``pytest.raises(Reverted)`` catches what the fixtures raise).
sys.modules.setdefault("tests.unit.contracts.conftest", sys.modules[__name__])

START = 1_700_000_000
L1_CHAIN_ID = 900
L2_CHAIN_ID = 901
GWEI = 10**9
ETHER = 10**18
FINALIZATION_PERIOD = 7 * 24 * 3600  # OP's standard proof maturity delay
SUBMISSION_INTERVAL = 4  # an output every 4 L2 blocks

PASSER = bytes.fromhex("4200000000000000000000000000000000000016")
ALIAS_OFFSET = 0x1111000000000000000000000000000000001111
DEFAULT_L2_SENDER = bytes.fromhex("000000000000000000000000000000000000dead")

# Dev keys of the test mnemonic ("test test ... junk"), as anvil and Supersim use them.
KEYS = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",  # deployer / owner
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",  # proposer
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",  # challenger
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",  # alice
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",  # bob
)
DEPLOYER, PROPOSER, CHALLENGER, ALICE, BOB = KEYS

WITHDRAWAL_TUPLE = "(uint256,address,address,uint256,uint256,bytes)"
OUTPUT_ROOT_PROOF_TUPLE = "(bytes32,bytes32,bytes32,bytes32)"


def address_of(key: str) -> bytes:
    return bytes.fromhex(Account.from_key(key).address[2:])


def alias(address: bytes) -> bytes:
    return ((int.from_bytes(address, "big") + ALIAS_OFFSET) % 2**160).to_bytes(20, "big")


def split_types(signature: str) -> list[str]:
    """Top-level argument types of ``name(t1,(t2,t3),t4[])``."""
    inner = signature[signature.index("(") + 1 : -1]
    out, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    if cur:
        out.append(cur)
    return out


def selector(signature: str) -> bytes:
    return keccak(signature.encode())[:4]


def calldata(signature: str, *args: Any) -> bytes:
    return selector(signature) + encode(split_types(signature), list(args))


def topic(signature: str) -> bytes:
    return keccak(signature.encode())


def revert_reason(output: bytes) -> str:
    """Error(string) message, custom-error selector as ``0x........``, or the raw hex."""
    if output[:4] == selector("Error(string)"):
        return decode(["string"], output[4:])[0]
    return "0x" + output.hex()


def withdrawal_hash(w: tuple) -> bytes:
    return keccak(encode(["uint256", "address", "address", "uint256", "uint256", "bytes"], list(w)))


def withdrawal_slot(whash: bytes) -> int:
    return int.from_bytes(keccak(whash + b"\x00" * 32), "big")


class Reverted(AssertionError):
    def __init__(self, reason: str, result: CallResult) -> None:
        super().__init__(reason)
        self.reason = reason
        self.result = result


def eth_call(chain: Chain, request: CallRequest, ref: Any = "latest") -> CallResult:
    """chain.call, with a failure returned as an unsuccessful CallResult (revert data as output)."""
    try:
        return chain.call(request, ref)
    except ExecutionReverted as exc:
        return CallResult(False, bytes.fromhex(str(exc.data)[2:]), 0, error="Revert")
    except ChainError as exc:
        return CallResult(False, b"", 0, error=str(exc))


@dataclass
class Node:
    """A Chain plus signing and ABI helpers."""

    chain: Chain
    chain_id: int

    def nonce(self, key: str) -> int:
        return self.chain.account(address_of(key)).nonce

    def balance(self, address: bytes) -> int:
        return self.chain.account(address).balance

    def sign(
        self,
        key: str,
        to: bytes | None,
        data: bytes = b"",
        value: int = 0,
        gas: int = 3_000_000,
        nonce: int | None = None,
    ) -> bytes:
        """A signed EIP-1559 transaction (nonce: the account's current one unless given)."""
        tx: dict[str, Any] = {
            "type": 2,
            "chainId": self.chain_id,
            "nonce": self.nonce(key) if nonce is None else nonce,
            "gas": gas,
            "value": value,
            "data": data,
            "maxFeePerGas": 50 * GWEI,
            "maxPriorityFeePerGas": GWEI,
        }
        if to is not None:
            tx["to"] = to_checksum_address(to)
        return bytes(Account.sign_transaction(tx, key).raw_transaction)

    def send(
        self, key: str, to: bytes | None, data: bytes = b"", value: int = 0, gas: int = 3_000_000
    ) -> Receipt:
        """Sign, send and (automine) mine a transaction; returns its receipt, whatever its status."""
        receipt = self.chain.receipt(
            self.chain.send_raw_transaction(self.sign(key, to, data, value, gas))
        )
        assert receipt is not None
        return receipt

    def transact(
        self, key: str, to: bytes, signature: str, *args: Any, value: int = 0, gas: int = 3_000_000
    ) -> Receipt:
        """Call ``signature`` in a transaction that must succeed (the reason is shown if not)."""
        data = calldata(signature, *args)
        pre = eth_call(
            self.chain,
            CallRequest(sender=address_of(key), to=to, data=data, value=value, gas=gas),
            "pending",
        )
        if not pre.success:
            raise Reverted(revert_reason(pre.output), pre)
        receipt = self.send(key, to, data, value, gas)
        assert receipt.status == 1, f"{signature} failed on chain"
        return receipt

    def reverts(
        self, key: str, to: bytes, signature: str, *args: Any, value: int = 0, gas: int = 3_000_000
    ) -> str:
        """Assert ``signature`` reverts, both in eth_call and mined; returns the reason."""
        data = calldata(signature, *args)
        res = eth_call(
            self.chain,
            CallRequest(sender=address_of(key), to=to, data=data, value=value, gas=gas),
            "pending",
        )
        assert not res.success, f"{signature} did not revert"
        receipt = self.send(key, to, data, value, gas)
        assert receipt.status == 0
        return revert_reason(res.output)

    def view(
        self,
        to: bytes,
        signature: str,
        *args: Any,
        returns: Sequence[str] = (),
        ref: Any = "latest",
    ) -> Any:
        res = eth_call(self.chain, CallRequest(to=to, data=calldata(signature, *args)), ref)
        if not res.success:
            raise Reverted(revert_reason(res.output), res)
        out = decode(list(returns), res.output)
        return out[0] if len(out) == 1 else out

    def deploy(
        self, key: str, name: str, types: Sequence[str] = (), args: Sequence[Any] = ()
    ) -> bytes:
        receipt = self.send(
            key, None, load(name).bytecode + encode(list(types), list(args)), gas=10_000_000
        )
        assert receipt.status == 1 and receipt.contract_address is not None, name
        return receipt.contract_address


def logs_of(receipt: Receipt, address: bytes, event: str) -> list[Log]:
    t0 = topic(event)
    return [lg for lg in receipt.logs if lg.address == address and lg.topics and lg.topics[0] == t0]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=START)


@pytest.fixture
def l1(clock: VirtualClock) -> Iterator[Node]:
    chain = Chain(ChainConfig(chain_id=L1_CHAIN_ID, rules=L1Rules), clock)
    yield Node(chain, L1_CHAIN_ID)
    chain.close()


@pytest.fixture
def l2(clock: VirtualClock) -> Iterator[Node]:
    chain = Chain(ChainConfig(chain_id=L2_CHAIN_ID, rules=L2Rules), clock)
    chain.set_code(PASSER, load("L2ToL1MessagePasser").deployed_bytecode)
    yield Node(chain, L2_CHAIN_ID)
    chain.close()


@dataclass
class Settlement:
    """The L1 contracts of one rollup, and the helpers that move a withdrawal through them."""

    l1: Node
    l2: Node
    clock: VirtualClock
    oracle: bytes
    portal: bytes
    bridge: bytes
    gas: dict[str, int] = field(default_factory=dict)

    def output_root_proof(self, block_number: int) -> tuple[bytes, bytes, bytes, bytes]:
        header = self.l2.chain.block(block_number).header
        storage_root = self.l2.chain.proof(PASSER, [], block_number).storage_hash
        return (b"\x00" * 32, header.state_root, storage_root, header.hash)

    def propose_next(self) -> tuple[int, int, tuple[bytes, bytes, bytes, bytes]]:
        """Mine L2 up to the oracle's next block, propose its output; (index, block, proof)."""
        number = self.l1.view(self.oracle, "nextBlockNumber()", returns=["uint256"])
        while self.l2.chain.head().number < number:
            self.l2.chain.mine()
        proof = self.output_root_proof(number)
        root = keccak(b"".join(proof))
        index = self.l1.view(self.oracle, "nextOutputIndex()", returns=["uint256"])
        self.l1.transact(
            PROPOSER,
            self.oracle,
            "proposeL2Output(bytes32,uint256,bytes32,uint256)",
            root,
            number,
            b"\x00" * 32,
            0,
        )
        return index, number, proof

    def withdraw(
        self, key: str, target: bytes, value: int, gas_limit: int, data: bytes = b""
    ) -> tuple[tuple, bytes, Receipt]:
        """initiateWithdrawal on L2; returns (withdrawal tuple, hash, receipt)."""
        nonce = self.l2.view(PASSER, "messageNonce()", returns=["uint256"])
        receipt = self.l2.transact(
            key,
            PASSER,
            "initiateWithdrawal(address,uint256,bytes)",
            target,
            gas_limit,
            data,
            value=value,
        )
        w = (nonce, address_of(key), target, value, gas_limit, data)
        return w, withdrawal_hash(w), receipt

    def storage_proof(
        self, whash: bytes, block_number: int, slot: int | None = None
    ) -> list[bytes]:
        slot = withdrawal_slot(whash) if slot is None else slot
        return list(self.l2.chain.proof(PASSER, [slot], block_number).storage_proof[0].proof)

    def elapse(self, seconds: int) -> None:
        """Move the shared clock to ``seconds`` after L1's head block and mine an L1 block then.
        (Automine gives each block at least parent + 1 s, so the head can be ahead of the clock.)"""
        target = self.l1.chain.head().header.timestamp + seconds
        self.clock.advance(max(0, target - self.clock.now()))
        self.l1.chain.mine()


PROVE = f"proveWithdrawalTransaction({WITHDRAWAL_TUPLE},uint256,{OUTPUT_ROOT_PROOF_TUPLE},bytes[])"
FINALIZE = f"finalizeWithdrawalTransaction({WITHDRAWAL_TUPLE})"


@pytest.fixture
def settlement(l1: Node, l2: Node, clock: VirtualClock) -> Settlement:
    """Oracle (outputs every 4 L2 blocks, irregular block time, 7-day window), portal, bridge."""
    genesis = l2.chain.block(0).header
    oracle = l1.deploy(
        DEPLOYER,
        "L2OutputOracle",
        ["uint256", "uint256", "uint256", "uint256", "address", "address", "uint256"],
        [
            SUBMISSION_INTERVAL,
            0,
            0,
            genesis.timestamp,
            address_of(PROPOSER),
            address_of(CHALLENGER),
            FINALIZATION_PERIOD,
        ],
    )
    portal = l1.deploy(DEPLOYER, "OptimismPortal", ["address"], [oracle])
    bridge = l1.deploy(DEPLOYER, "L1StandardBridge", ["address"], [portal])
    return Settlement(l1, l2, clock, oracle, portal, bridge)


@pytest.fixture
def probe_l1(l1: Node) -> bytes:
    return l1.deploy(DEPLOYER, "SettlementProbe")


def abi_surface(name: str) -> set[str]:
    """``function f(t1,t2)`` / ``event E(t1,t2)`` / ``error X(t)`` entries of an artifact's ABI."""

    def typ(p: dict[str, Any]) -> str:
        t = p["type"]
        if t.startswith("tuple"):
            return "(" + ",".join(typ(c) for c in p["components"]) + ")" + t[len("tuple") :]
        return t

    out = set()
    for e in load(name).abi:
        if e["type"] in ("function", "event", "error"):
            out.add(f"{e['type']} {e['name']}({','.join(typ(i) for i in e['inputs'])})")
    return out
