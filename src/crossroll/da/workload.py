"""A deterministic standard L2 workload for DA measurements (no chain needed).

Blocks of signed EIP-1559 transactions from the test mnemonic's dev accounts plus a few
hundred generated keys, in a configurable mix of ETH transfers, ERC-20
``transfer(address,uint256)`` calls to a handful of tokens, and DEX-like
``swapExactTokensForTokens(uint256,uint256,address[],address,uint256)`` calls to a
router.  Nonces are sequential per sender, fees and gas limits vary as on a live L2.
The same :class:`WorkloadConfig` always gives byte-identical transactions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector, keccak

from ..chain.accounts import dev_accounts
from ..chain.config import DEFAULT_MNEMONIC
from .batch import Batch, L2BlockData

TxKind = Literal["eth", "erc20", "swap"]
KINDS: tuple[TxKind, ...] = ("eth", "erc20", "swap")
TRANSFER = function_signature_to_4byte_selector("transfer(address,uint256)")
SWAP = function_signature_to_4byte_selector(
    "swapExactTokensForTokens(uint256,uint256,address[],address,uint256)"
)
GWEI = 10**9


def _address(label: str, i: int) -> bytes:
    return keccak(f"crossroll-workload/{label}/{i}".encode())[12:]


@dataclass(frozen=True, slots=True)
class WorkloadConfig:
    blocks: int = 50
    txs_per_block: int = 100
    mix: tuple[float, float, float] = (0.4, 0.4, 0.2)  # eth, erc20, swap
    chain_id: int = 901
    seed: int = 0
    dev_keys: int = 10
    generated_keys: int = 300
    tokens: int = 8
    recipients: int = 2000
    first_block: int = 1
    genesis_time: int = 1_700_000_000
    block_time: int = 2


@dataclass(frozen=True, slots=True)
class Workload:
    config: WorkloadConfig
    batch: Batch
    kinds: tuple[TxKind, ...]  # one per transaction, in batch order


class _Generator:
    def __init__(self, cfg: WorkloadConfig) -> None:
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)
        keys = [a.private_key for a in dev_accounts(DEFAULT_MNEMONIC, cfg.dev_keys)]
        keys += [keccak(f"crossroll-workload/key/{i}".encode()) for i in range(cfg.generated_keys)]
        self.keys = keys
        self.nonces = [0] * len(keys)
        self.tokens = [_address("token", i) for i in range(cfg.tokens)]
        self.router = _address("router", 0)
        self.base_fee = 50_000_000  # 0.05 gwei, a typical OP-chain base fee

    @cached_property
    def senders(self) -> list[bytes]:
        return [bytes.fromhex(Account.from_key(k).address[2:]) for k in self.keys]

    def recipient(self) -> bytes:
        rng = self.rng
        if rng.random() < 0.3:
            return self.senders[rng.randrange(len(self.senders))]
        return _address("user", int(rng.paretovariate(1.2)) % self.cfg.recipients)

    def token(self) -> bytes:
        return self.tokens[min(int(self.rng.expovariate(0.6)), len(self.tokens) - 1)]

    def amount(self, decimals: int) -> int:
        rng = self.rng
        if rng.random() < 0.5:  # people often send round amounts
            return rng.randint(1, 999) * 10 ** rng.randint(decimals - 4, decimals)
        return rng.randint(1, 10 ** (decimals + 3))

    def tx(self, kind: TxKind, timestamp: int) -> bytes:
        rng = self.rng
        sender = rng.randrange(len(self.keys))
        tip = rng.choice((1_000, 1_000_000, 10_000_000, rng.randint(1, 2 * 10**8)))
        fields: dict[str, object] = {
            "type": 2,
            "chainId": self.cfg.chain_id,
            "nonce": self.nonces[sender],
            "maxPriorityFeePerGas": tip,
            "maxFeePerGas": 2 * self.base_fee + tip,
        }
        if kind == "eth":
            fields |= {"to": self.recipient(), "value": self.amount(18), "gas": 21_000, "data": b""}
        elif kind == "erc20":
            data = TRANSFER + abi_encode(
                ["address", "uint256"], [self.recipient(), self.amount(18)]
            )
            fields |= {
                "to": self.token(),
                "value": 0,
                "gas": rng.randint(45_000, 70_000),
                "data": data,
            }
        else:
            path = (
                [self.token(), self.token()]
                if rng.random() < 0.7
                else [self.token(), self.tokens[0], self.token()]
            )
            amount_in = self.amount(18)
            args = [
                amount_in,
                amount_in * rng.randint(90, 99) // 100 // 3,
                path,
                self.senders[sender],
                timestamp + 1200,
            ]
            data = SWAP + abi_encode(
                ["uint256", "uint256", "address[]", "address", "uint256"], args
            )
            fields |= {
                "to": self.router,
                "value": 0,
                "gas": rng.randint(120_000, 260_000),
                "data": data,
            }
        self.nonces[sender] += 1
        return bytes(Account.sign_transaction(fields, self.keys[sender]).raw_transaction)

    def kind(self) -> TxKind:
        return self.rng.choices(KINDS, weights=self.cfg.mix)[0]


def generate(config: WorkloadConfig | None = None) -> Workload:
    cfg = config or WorkloadConfig()
    gen = _Generator(cfg)
    blocks, kinds = [], []
    parent = keccak(b"crossroll-workload/genesis")
    for i in range(cfg.blocks):
        number = cfg.first_block + i
        timestamp = cfg.genesis_time + number * cfg.block_time
        block_kinds = [gen.kind() for _ in range(cfg.txs_per_block)]
        txs = tuple(gen.tx(k, timestamp) for k in block_kinds)
        blocks.append(L2BlockData(number, timestamp, parent, txs))
        kinds += block_kinds
        parent = keccak(number.to_bytes(8, "big") + b"".join(txs))
        gen.base_fee = max(1, gen.base_fee + gen.rng.randint(-gen.base_fee // 8, gen.base_fee // 8))
    return Workload(cfg, Batch(tuple(blocks)), tuple(kinds))


def erc20_only(count: int = 1000, txs_per_block: int = 100, seed: int = 1) -> Workload:
    """``count`` ERC-20 transfers and nothing else (the headline bytes-per-transfer run)."""
    return generate(
        WorkloadConfig(
            blocks=max(1, count // txs_per_block),
            txs_per_block=txs_per_block,
            mix=(0.0, 1.0, 0.0),
            seed=seed,
        )
    )
