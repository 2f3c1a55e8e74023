"""Rollup DA and settlement on L1: bytes, compression and L1 gas per L2 transaction, measured
on the real pipeline (no model).

One process, one VirtualClock: an L1 (L1Rules, 12 s blocks) with the settlement contracts
(``deploy_rollups``), an L2 (2 s blocks) with the DepositSequencer (L1-info deposit in every
block), the Proposer (an output every 10 L2 blocks) and one Batcher per variant (codec x
compressor x DA x interval, through ``builder=``), all posting the same L2 blocks.

The L2 runs real traffic: 300 accounts send signed EIP-1559 transactions through the L2 pool,
100 per 2 s block, with four tip levels, varied gas limits, skewed recipients (30% other
senders, the rest Pareto over 2,000 addresses), skewed token choice and round amounts half
the time (the distributions of ``crossroll.da.workload``).  ERC-20 transfers go to four
TestToken contracts, swaps (``swapExactTokensForTokens``, 70% two-hop paths) to a
hand-assembled router (:func:`router_runtime`) that makes two real token transfers per swap.
Tokens and router are in the L2 genesis with the accounts' balances and approvals, so every
measured block is traffic.  Mixes run one after the other on the same chains (ERC-20 only, ETH
only, the standard 40/40/20 mix) with a drain between them: the L2 pauses until every batcher
has posted and every derivation has caught up, so no channel mixes two workloads.

The L1-info deposit names one batcher, so one variant per pipeline is the rollup's registered
batcher, followed by the real SafeHeadTracker (which the proposer follows) and, at the end, by
a Verifier that re-executes every block from L1 data alone and must reach the sequencer's
state root.  Every other variant posts from its own key and has its own derivation (the same
ChannelReader, inbox and sender filter, batch checks and deposit rebuild) whose ``apply``
checks each derived block's user transactions against the sequencer's block (:class:`Follower`).
A variant's numbers are reported only if its derivation rebuilt every block.

Two pipelines: "matrix" (2 DA x 2 codecs x 2 compressors at the 12 s default interval, all
mixes) and "batch size" (columnar + brotli-11 at 12, 36 and 72 s, standard mix); separate
because Cancun allows 6 blobs per L1 block and the blob variants of both would not fit in one.
The "validity proofs only" row (UnsignedColumnarCodec + brotli) is encoded outside the batcher
on the block ranges of the registered batcher's channels: it has no signatures, so derivation
cannot rebuild signed transactions from it.

Run: ``python bench/rollup_da.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coincurve import PublicKey
from eth_abi import encode as abi_encode
from eth_hash.auto import keccak

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from common import save
from crossroll.chain import Chain, ChainConfig
from crossroll.chain.rules import L1Rules, L2Rules
from crossroll.clock import VirtualClock
from crossroll.contracts import load
from crossroll.da import MAX_BLOB_DATA, Batch, ChannelBuilder, L2BlockData
from crossroll.da.batch import BatchCodec, RlpCodec
from crossroll.da.columnar import ColumnarCodec, UnsignedColumnarCodec
from crossroll.da.compress import BROTLI, ZLIB, Compressor
from crossroll.errors import DerivationError
from crossroll.l1.blobs import BlobStore
from crossroll.l1.view import LocalL1View
from crossroll.rollup import RollupConfig, deploy_rollups
from crossroll.rollup.batcher import CALLDATA_FRAME_SIZE, Batcher, BatchRecord
from crossroll.rollup.config import Role, role_account
from crossroll.rollup.derivation import Derivation, SafeHeadTracker, Verifier
from crossroll.rollup.proposer import Proposer
from crossroll.rollup.sequencer import DepositSequencer
from crossroll.rollup.transact import receipt, sign_1559
from crossroll.rpc.context import make_dispatcher
from crossroll.rpc.inproc import InProcessClient
from crossroll.types import Address, Block, CallRequest, GenesisAccount, Transaction

START = 1_700_000_000
L1_ID, L2_ID = 900, 901
ETHER = 10**18
GWEI = 10**9
TXS_PER_BLOCK = 100
SENDERS = 300
TOKENS = 4
MIXES = {"erc20": (0.0, 1.0, 0.0), "eth": (1.0, 0.0, 0.0), "standard": (0.4, 0.4, 0.2)}
KINDS = ("eth", "erc20", "swap")
# Cost assumptions (stated in the docs): L1 base fee, and two blob base fees.
BASE_FEE = 10 * GWEI
BLOB_FEES = {"1 wei": 1, "1 gwei": GWEI}
OP_RATIO = 2.77  # ../shared/reference/keystore_proofs_da.md §3.5 (OP Mainnet, zlib span batches)
GOAL_RATIO, GOAL_ERC20_BYTES = 3.5, 40


def selector(signature: str) -> bytes:
    return keccak(signature.encode())[:4]


TRANSFER = selector("transfer(address,uint256)")
SWAP = selector("swapExactTokensForTokens(uint256,uint256,address[],address,uint256)")


# ------------------------------------------------------------------ the swap router
def _push(value: int, width: int = 1) -> str:
    return f"{0x5F + width:02x}{value:0{2 * width}x}"


def router_runtime() -> bytes:
    """``swapExactTokensForTokens(amountIn, amountOutMin, path, to, deadline)`` with the ABI's
    layout (``path`` length at 0xa4): ``transferFrom(caller, this, amountIn)`` on ``path[0]``,
    then ``transfer(to, amountOutMin)`` on ``path[-1]``; a failed call reverts with its data."""
    fail = "{fail}"

    def call(args_size: int, token: str) -> str:  # CALL(gas, token, 0, 0, size, 0, 32)
        args = _push(32) + _push(0) + _push(args_size) + _push(0) + _push(0)
        return args + token + "5a" + "f1" + "15" + "60" + fail + "57"  # ISZERO -> JUMPI fail

    code = (
        _push(0x23B872DD, 4) + _push(0xE0) + "1b" + _push(0) + "52"  # transferFrom selector
        + "33" + _push(4) + "52"  # from: caller
        + "30" + _push(0x24) + "52"  # to: this router
        + _push(4) + "35" + _push(0x44) + "52"  # amountIn
        + call(0x64, _push(0xC4) + "35")  # on path[0]
        + _push(0xA9059CBB, 4) + _push(0xE0) + "1b" + _push(0) + "52"  # transfer selector
        + _push(0x64) + "35" + _push(4) + "52"  # to
        + _push(0x24) + "35" + _push(0x24) + "52"  # amountOutMin
        + call(0x44, _push(0xA4) + "35" + _push(5) + "1b" + _push(0xA4) + "01" + "35")  # path[-1]
        + "00"
    )  # fmt: skip
    where = len(code.replace(fail, "00")) // 2
    code = code.replace(fail, f"{where:02x}")
    code += "5b" + "3d" + _push(0) + _push(0) + "3e" + "3d" + _push(0) + "fd"  # bubble revert
    return bytes.fromhex(code)


# ------------------------------------------------------------------ the L2 genesis
def _word(value: int | bytes) -> bytes:
    return value.rjust(32, b"\0") if isinstance(value, bytes) else value.to_bytes(32, "big")


def _short_string(text: str) -> int:
    raw = text.encode()
    return int.from_bytes(raw.ljust(31, b"\0") + bytes([2 * len(raw)]), "big")


def token_storage(balances: dict[Address, int], spender: Address) -> tuple[tuple[int, int], ...]:
    """TestToken's storage (name, symbol, decimals, totalSupply, balanceOf at slot 4,
    allowance at slot 5) with ``balances`` and every holder approving ``spender`` in full."""
    slots = {0: _short_string("Bench"), 1: _short_string("BNC"), 2: 18, 3: sum(balances.values())}
    for holder, amount in balances.items():
        slots[int.from_bytes(keccak(_word(holder) + _word(4)), "big")] = amount
        inner = keccak(_word(holder) + _word(5))
        slots[int.from_bytes(keccak(_word(spender) + inner), "big")] = 2**256 - 1
    return tuple(sorted(slots.items()))


def address_of(key: bytes) -> Address:
    return keccak(PublicKey.from_secret(key).format(compressed=False)[1:])[12:]


def _label(text: str) -> Address:
    return keccak(f"crossroll-bench/rollup-da/{text}".encode())[12:]


# ------------------------------------------------------------------ the traffic
class Traffic:
    """Signed L2 transactions from :data:`SENDERS` accounts (see the module notes)."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.keys = [keccak(f"crossroll-bench/rollup-da/key/{i}".encode()) for i in range(SENDERS)]
        self.addresses = [address_of(k) for k in self.keys]
        self.nonces = [0] * SENDERS
        self.users = [_label(f"user/{i}") for i in range(2000)]
        self.tokens = [_label(f"token/{i}") for i in range(TOKENS)]
        self.router = _label("router")
        self.l2: Chain | None = None

    def alloc(self) -> tuple[tuple[Address, GenesisAccount], ...]:
        token_code = load("TestToken").deployed_bytecode
        balances = {a: 10**30 for a in self.addresses} | {self.router: 10**40}
        storage = token_storage(balances, self.router)
        out = [(a, GenesisAccount(balance=10**6 * ETHER)) for a in self.addresses]
        out += [(t, GenesisAccount(code=token_code, storage=storage)) for t in self.tokens]
        out.append((self.router, GenesisAccount(code=router_runtime())))
        return tuple(out)

    def check(self, l2: Chain) -> None:
        """The genesis layout is right: a swap succeeds and moves both tokens."""
        path = [self.tokens[1], self.tokens[2]]
        args = [10**18, 10**17, path, self.addresses[0], 2**40]
        result = l2.call(
            CallRequest(sender=self.addresses[0], to=self.router, data=self._swap_data(args))
        )
        assert result.success and len(result.logs) == 2, result

    def sign(self, i: int, to: Address, data: bytes, gas: int, value: int = 0) -> bytes:
        assert self.l2 is not None
        rng = self.rng
        tip = rng.choice((1_000, 1_000_000, 10_000_000, rng.randint(1, 2 * 10**8)))
        base = self.l2.head().header.base_fee_per_gas or 0
        raw = sign_1559(
            self.keys[i], chain_id=L2_ID, nonce=self.nonces[i], tip=tip,
            max_fee=2 * base + tip, gas=gas, to=to, value=value, data=data,
        )  # fmt: skip
        self.nonces[i] += 1
        return raw

    def recipient(self) -> Address:
        rng = self.rng
        if rng.random() < 0.3:
            return self.addresses[rng.randrange(SENDERS)]
        return self.users[int(rng.paretovariate(1.2)) % len(self.users)]

    def token(self) -> Address:
        return self.tokens[min(int(self.rng.expovariate(0.6)), TOKENS - 1)]

    def amount(self) -> int:
        rng = self.rng
        if rng.random() < 0.5:  # people often send round amounts
            return rng.randint(1, 999) * 10 ** rng.randint(14, 18)
        return rng.randint(1, 10**21)

    @staticmethod
    def _swap_data(args: list[Any]) -> bytes:
        types = ["uint256", "uint256", "address[]", "address", "uint256"]
        return SWAP + abi_encode(types, args)

    def tx(self, kind: str) -> bytes:
        assert self.l2 is not None
        rng = self.rng
        i = rng.randrange(SENDERS)
        if kind == "eth":
            return self.sign(i, self.recipient(), b"", 21_000, value=self.amount())
        if kind == "erc20":
            args = [self.recipient(), self.amount()]
            data = TRANSFER + abi_encode(["address", "uint256"], args)
            return self.sign(i, self.token(), data, rng.randint(55_000, 80_000))
        first, last = self.token(), self.token()
        path = [first, last] if rng.random() < 0.7 else [first, self.tokens[0], last]
        amount_in = self.amount()
        deadline = self.l2.head().header.timestamp + 1200
        args = [
            amount_in,
            amount_in * rng.randint(90, 99) // 300,
            path,
            self.addresses[i],
            deadline,
        ]
        return self.sign(i, self.router, self._swap_data(args), rng.randint(120_000, 200_000))

    def send_block(self, mix: tuple[float, float, float]) -> list[bytes]:
        assert self.l2 is not None
        kinds = self.rng.choices(KINDS, weights=mix, k=TXS_PER_BLOCK)
        return [self.l2.send_raw_transaction(self.tx(k)) for k in kinds]


# ------------------------------------------------------------------ the pipeline
@dataclass(frozen=True)
class Variant:
    codec: BatchCodec
    compressor: Compressor
    da: str
    interval: float = 12.0

    @property
    def label(self) -> str:
        return f"{self.codec.name}+{self.compressor.name} {self.da} {self.interval:g}s"

    def builder(self) -> ChannelBuilder:
        if self.da == "calldata":
            return ChannelBuilder(self.codec, self.compressor, CALLDATA_FRAME_SIZE)
        return ChannelBuilder(self.codec, self.compressor)


class Follower(Derivation):
    """Derivation of a variant that is not the registered batcher: the L1-info deposit it
    rebuilds names another batcher, so it checks what the batch carries (the user
    transactions), the block's place and its number of deposits against the sequencer's."""

    def apply(self, data: L2BlockData, deposits: list[Transaction]) -> Block:
        if data.number > self.l2.head().number:
            raise DerivationError(f"the sequencer has no L2 block {data.number}")
        block: Block = self.l2.block(data.number)
        users = [tx.hash for tx in block.transactions if not tx.is_deposit]
        if (
            block.header.parent_hash != data.parent_hash
            or block.header.timestamp != data.timestamp
            or users != [keccak(raw) for raw in data.transactions]
            or len(block.transactions) - len(users) != len(deposits)
        ):
            raise DerivationError(f"L2 block {data.number} on L1 differs from the sequencer's")
        return block


def _head_of(derivation: Derivation) -> Callable[[], int]:
    return lambda: derivation.head.number


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@dataclass(frozen=True)
class Phase:
    mix: str
    first: int
    last: int
    txs: int
    raw_bytes: int
    kinds: dict[str, int]
    seconds: float


class Pipeline:
    """L1 + L2 + sequencer + proposer + one batcher and one derivation per variant; the
    first variant is the registered batcher."""

    def __init__(self, variants: Sequence[Variant]) -> None:
        self.variants = variants
        self.clock = clock = VirtualClock(start=START)
        config = RollupConfig.for_rollup(L2_ID, 0, block_time=2, challenge_window=60)
        keys = [config.batcher] + [
            role_account(100 + i, Role.BATCHER) for i in range(1, len(variants))
        ]
        fund = tuple((k.address, GenesisAccount(balance=1000 * ETHER)) for k in keys)
        self.l1 = Chain(
            ChainConfig(
                chain_id=L1_ID, rules=L1Rules, block_time=12.0, automine=False,
                genesis_timestamp=START, alloc=fund,
            ),
            clock,
        )  # fmt: skip
        self.traffic = Traffic()
        self.l2 = Chain(self.l2_config(2.0), clock)
        self.traffic.l2 = self.l2
        self.traffic.check(self.l2)
        self.client = InProcessClient(make_dispatcher(self.l1, clock))
        addrs = deploy_rollups(self.client, [config], {L2_ID: START}, self.l1.dev_accounts[0])
        where = addrs.rollup(L2_ID)
        self.config, self.portal = config, where.optimism_portal
        store = BlobStore(clock)
        self.l1.on_sidecars(lambda n, ts, sidecars: store.add(n, ts, sidecars))
        self.view = LocalL1View(self.l1, store)
        self.sequencer = DepositSequencer(
            L2_ID, self.portal, self.view, self.l2, clock, config.batcher.address
        )
        self.batchers: list[Batcher] = []
        self.derivations: list[Derivation] = []
        for i, (variant, key) in enumerate(zip(variants, keys, strict=True)):
            kind = SafeHeadTracker if i == 0 else Follower
            derivation = kind(
                L2_ID, self.view, self.l2, clock, portal=self.portal,
                inbox=config.batch_inbox, batcher=key.address,
            )  # fmt: skip
            self.derivations.append(derivation)
            self.batchers.append(
                Batcher(
                    RollupConfig(L2_ID, key, config.proposer, config.challenger),
                    self.client, self.l2, clock,
                    origin=self.origin, safe_head=_head_of(derivation),
                    da=variant.da, interval=variant.interval,  # type: ignore[arg-type]
                    builder=variant.builder(),
                )
            )  # fmt: skip
        tracker = self.derivations[0]
        self.proposer = Proposer(
            config, where.l2_output_oracle, self.client, self.l2, clock,
            safe_head=lambda: tracker.head.number,
        )  # fmt: skip
        for service in (self.sequencer, *self.batchers, *self.derivations, self.proposer):
            run(service.start())
        self.started = clock.now()  # every batcher ticks at started + k * its interval
        self.period = math.lcm(*(int(v.interval) for v in variants))
        self.phases: list[Phase] = []

    def origin(self, block: Block) -> int:
        return self.sequencer.origin(block).l1.number

    def l2_config(self, block_time: float | None) -> ChainConfig:
        return ChainConfig(
            chain_id=L2_ID, rules=L2Rules, block_time=block_time, automine=False,
            genesis_timestamp=START, alloc=self.traffic.alloc(),
        )  # fmt: skip

    def drain(self, limit: int = 100) -> None:
        """Pause the L2 until every batcher has posted it all and every derivation caught up."""
        self.l2.set_interval_mining(0)
        head = self.l2.head().number
        for _ in range(limit):
            if all(d.head.number == head for d in self.derivations) and all(
                b.idle() for b in self.batchers
            ):
                break
            self.clock.advance(12.0)
        else:
            errors = [b.last_error for b in self.batchers]
            errors += [d.last_error for d in self.derivations]
            raise RuntimeError(f"the pipeline did not drain: {errors}")
        # Resume 1 s before a tick of every batcher: L2 blocks then fall at tick + 1, + 3,
        # ..., so each channel holds exactly interval / 2 blocks, as in a steady state.
        elapsed = self.clock.now() - self.started
        self.clock.advance(self.period - 1 - elapsed % self.period)
        self.l2.set_interval_mining(2.0)

    def phase(self, mix: str, blocks: int) -> Phase:
        if not self.phases:
            self.drain()  # aligns the first phase too
        first = self.l2.head().number + 1
        t = time.perf_counter()
        hashes: list[bytes] = []
        for _ in range(blocks):
            hashes += self.traffic.send_block(MIXES[mix])
            self.clock.advance(2.0)
        last = self.l2.head().number
        seconds = time.perf_counter() - t
        assert last == first + blocks - 1
        kinds = dict.fromkeys(KINDS, 0)
        raw = 0
        for n in range(first, last + 1):
            for tx in self.l2.block(n).transactions:
                if not tx.is_deposit:
                    kinds[self.kind(tx)] += 1
                    raw += len(tx.raw)
        assert sum(kinds.values()) == len(hashes), "a transaction missed its block"
        failed = [h for h in hashes if self.l2.receipt(h).status != 1]  # type: ignore[union-attr]
        assert not failed, f"{len(failed)} workload transactions failed"
        self.drain()
        phase = Phase(mix, first, last, len(hashes), raw, kinds, seconds)
        self.phases.append(phase)
        return phase

    def kind(self, tx: Transaction) -> str:
        if tx.to == self.traffic.router:
            return "swap"
        return "erc20" if tx.to in self.traffic.tokens else "eth"

    def batch(self, first: int, last: int) -> Batch:
        """The batch a batcher makes of L2 blocks ``first..last``."""
        out = []
        for n in range(first, last + 1):
            block = self.l2.block(n)
            txs = tuple(tx.raw for tx in block.transactions if not tx.is_deposit)
            out.append(
                L2BlockData(
                    n, block.header.timestamp, block.header.parent_hash, txs, self.origin(block)
                )
            )
        return Batch(tuple(out))

    def verify(self) -> dict[str, Any]:
        """A Verifier from the same genesis, reading only the L1, reaches the same head."""
        chain = Chain(self.l2_config(None), self.clock)
        verifier = Verifier(
            L2_ID, self.view, chain, self.clock, portal=self.portal,
            inbox=self.config.batch_inbox, batcher=self.config.batcher.address,
        )  # fmt: skip
        t = time.perf_counter()
        run(verifier.start())
        seconds = time.perf_counter() - t
        head = verifier.head.number
        ours, theirs = self.l2.block(head), chain.block(head)
        chain.close()
        assert head == self.l2.head().number, (head, verifier.last_error)
        assert (theirs.hash, theirs.header.state_root) == (ours.hash, ours.header.state_root)
        return {"verifiedBlocks": head, "seconds": round(seconds, 2), "stateRootsMatch": True}

    def close(self) -> None:
        for service in (self.proposer, *self.derivations, *self.batchers, self.sequencer):
            run(service.stop())
        self.l2.close()
        self.l1.close()


# ------------------------------------------------------------------ measurements
def per_phase(records: Sequence[BatchRecord], phase: Phase) -> list[BatchRecord]:
    inside = [r for r in records if phase.first <= r.first_block <= phase.last]
    assert all(r.last_block <= phase.last for r in inside), "a channel spans two mixes"
    assert sum(r.l2_transactions for r in inside) == phase.txs, "a block was not posted"
    return inside


def row(variant: Variant, phase: Phase, records: Sequence[BatchRecord]) -> dict[str, Any]:
    txs = phase.txs
    posted = sum(r.posted_bytes for r in records)
    raw = sum(r.raw_bytes for r in records)
    gas = sum(r.l1_gas for r in records)
    blob_gas = sum(r.blob_gas for r in records)
    blobs = sum(r.blobs for r in records)
    out: dict[str, Any] = {
        "mix": phase.mix,
        "codec": variant.codec.name,
        "compressor": variant.compressor.name,
        "da": variant.da,
        "interval_s": variant.interval,
        "l2_txs": txs,
        "channels": len(records),
        "blocks_per_channel": (phase.last - phase.first + 1) / len(records),
        "raw_bytes_per_tx": raw / txs,
        "posted_bytes_per_tx": posted / txs,
        "compression_ratio": raw / posted,
        "l1_gas_per_tx": gas / txs,
        "blob_gas_per_tx": blob_gas / txs,
        "blobs": blobs,
        "blob_fill": posted / (blobs * MAX_BLOB_DATA) if blobs else None,
        "l1_transactions": sum(len(r.l1_tx_hashes) for r in records),
    }
    for name, fee in BLOB_FEES.items():
        out[f"gwei_per_tx_blob_fee_{name.replace(' ', '_')}"] = (
            (gas * BASE_FEE + blob_gas * fee) / txs / GWEI
        )
    return out


OFFLINE = {
    "columnar-nosig+brotli-11": ChannelBuilder(UnsignedColumnarCodec(), BROTLI),
    "columnar+brotli-11": ChannelBuilder(ColumnarCodec(), BROTLI),
    "columnar+zlib-9": ChannelBuilder(ColumnarCodec(), ZLIB),
}


def offline_rows(
    pipe: Pipeline, phase: Phase, records: Sequence[BatchRecord]
) -> list[dict[str, Any]]:
    """Channels re-built outside the batcher on the registered batcher's block ranges: the
    signature-less codec (validity proofs only: derivation cannot rebuild signed
    transactions from it), and the CPU time of encoding + compressing each channel."""
    out = []
    batches = [pipe.batch(r.first_block, r.last_block) for r in records]
    for name, builder in OFFLINE.items():
        size, seconds = 0, 0.0
        for batch in batches:
            t = time.perf_counter()
            size += len(builder.build(batch).data)
            seconds += time.perf_counter() - t
        out.append(
            {
                "mix": phase.mix,
                "channel": name,
                "channels": len(batches),
                "blocks_per_channel": (phase.last - phase.first + 1) / len(batches),
                "posted_bytes_per_tx": size / phase.txs,
                "compression_ratio": phase.raw_bytes / size,
                "build_ms_per_channel": 1e3 * seconds / len(batches),
                "validity_proofs_only": "nosig" in name,
            }
        )
    return out


def outputs(pipe: Pipeline, phase: Phase) -> dict[str, Any]:
    """proposeL2Output gas for outputs inside the phase, per L2 transaction (the oracle's
    first output, which fills empty storage, is reported apart)."""
    mine = [p for p in pipe.proposer.proposals if phase.first <= p.l2_block_number <= phase.last]
    gases, first = [], None
    for p in mine:
        got = receipt(pipe.client, p.l1_tx_hash)
        assert got is not None and got.status == 1
        if p.index == 0:
            first = got.gas_used
        else:
            gases.append(got.gas_used)
    interval = pipe.config.submission_interval
    txs_per_output = phase.txs / (phase.last - phase.first + 1) * interval
    mean = sum(gases) / len(gases) if gases else 0.0
    return {
        "mix": phase.mix,
        "outputs": len(gases),
        "first_output_gas": first,
        "gas_per_output": mean,
        "submission_interval_blocks": interval,
        "l2_txs_per_output": txs_per_output,
        "l1_gas_per_tx": mean / txs_per_output,
    }


def run_pipeline(
    name: str, variants: Sequence[Variant], mixes: Sequence[str], blocks: int, verify: bool
) -> dict[str, Any]:
    t = time.perf_counter()
    pipe = Pipeline(variants)
    try:
        for mix in mixes:
            phase = pipe.phase(mix, blocks)
            print(f"  {name}: {mix} {phase.txs} txs executed in {phase.seconds:.1f} s", flush=True)
        head = pipe.l2.head().number
        for variant, d in zip(variants, pipe.derivations, strict=True):
            assert d.head.number == head and d.counters.dropped_blocks == 0, (variant, d.counters)
        rows, extra, outs = [], [], []
        for phase in pipe.phases:
            for variant, batcher in zip(variants, pipe.batchers, strict=True):
                rows.append(row(variant, phase, per_phase(batcher.records, phase)))
            registered = per_phase(pipe.batchers[0].records, phase)
            extra += offline_rows(pipe, phase, registered)
            outs.append(outputs(pipe, phase))
        checked = pipe.verify() if verify else None
        counters = [d.counters.to_json() for d in pipe.derivations]
    finally:
        pipe.close()
    return {
        "name": name,
        "registered_batcher": variants[0].label,
        "phases": [p.__dict__ for p in pipe.phases],
        "rows": rows,
        "offline": extra,
        "outputs": outs,
        "verifier": checked,
        "derivation_counters": counters,
        "seconds": round(time.perf_counter() - t, 1),
    }


# ------------------------------------------------------------------ report
def table(rows: Sequence[dict[str, Any]]) -> str:
    head = (
        "| mix | codec + compressor | DA | interval | blocks/ch | B/tx | ratio | L1 gas/tx "
        "| blob gas/tx | blobs | fill | gwei/tx (1 wei / 1 gwei blob) |"
    )
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        fill = f"{r['blob_fill']:.0%}" if r["blob_fill"] is not None else "-"
        lines.append(
            f"| {r['mix']} | {r['codec']}+{r['compressor']} | {r['da']} | {r['interval_s']:g} s "
            f"| {r['blocks_per_channel']:.1f} | {r['posted_bytes_per_tx']:.1f} "
            f"| {r['compression_ratio']:.2f}x | {r['l1_gas_per_tx']:.0f} "
            f"| {r['blob_gas_per_tx']:.0f} | {r['blobs']} | {fill} "
            f"| {r['gwei_per_tx_blob_fee_1_wei']:.0f} / {r['gwei_per_tx_blob_fee_1_gwei']:.0f} |"
        )
    return "\n".join(lines)


def matrix_variants() -> list[Variant]:
    default = Variant(ColumnarCodec(), BROTLI, "blobs")
    rest = [
        Variant(codec, comp, da)
        for da in ("calldata", "blobs")
        for codec in (ColumnarCodec(), RlpCodec())
        for comp in (BROTLI, ZLIB)
    ]
    return [default, *[v for v in rest if v.label != default.label]]


def size_variants(intervals: Sequence[float]) -> list[Variant]:
    # Blobs only: a calldata channel over one frame (120 kB) is not posted by the batcher
    # (every frame's transaction gets the same nonce), and bytes per transaction are the
    # same for both DA at a given batch size.
    return [Variant(ColumnarCodec(), BROTLI, "blobs", interval) for interval in intervals]


def main(argv: Sequence[str] | None = None, report: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="12-block mixes, 24-block sweep")
    args = parser.parse_args(argv)
    blocks, sweep, intervals = (12, 24, (12.0, 24.0, 48.0)) if args.quick else (
        30, 72, (12.0, 36.0, 72.0)
    )  # fmt: skip
    t = time.perf_counter()
    matrix = run_pipeline("matrix", matrix_variants(), list(MIXES), blocks, verify=True)
    sizes = run_pipeline("batch size", size_variants(intervals), ["standard"], sweep, False)
    total = time.perf_counter() - t
    report(table(matrix["rows"]))
    report("")
    report(table(sizes["rows"]))
    report("")
    for r in matrix["offline"]:
        report(
            f"offline {r['mix']} {r['channel']}: {r['posted_bytes_per_tx']:.1f} B/tx, "
            f"{r['compression_ratio']:.2f}x, {r['build_ms_per_channel']:.0f} ms per channel"
            + (" (validity proofs only: not derivable)" if r["validity_proofs_only"] else "")
        )
    for o in matrix["outputs"]:
        report(
            f"outputs, {o['mix']}: {o['gas_per_output']:.0f} gas per output, "
            f"{o['l2_txs_per_output']:.0f} L2 txs per output: {o['l1_gas_per_tx']:.1f} gas/tx"
        )
    report(f"verifier: {matrix['verifier']}; total {total:.0f} s")
    path = save(
        "rollup_da",
        {
            "command": "python bench/rollup_da.py" + (" --quick" if args.quick else ""),
            "seconds": round(total, 1),
            "load_average_after": os.getloadavg(),
            "assumptions": {
                "l1_base_fee_gwei": BASE_FEE / GWEI,
                "blob_base_fees_wei": BLOB_FEES,
                "blob_capacity_bytes": MAX_BLOB_DATA,
                "l1": "Cancun (no EIP-7623 calldata floor)",
            },
            "workload": {
                "txs_per_block": TXS_PER_BLOCK,
                "l2_block_time_s": 2,
                "l1_block_time_s": 12,
                "senders": SENDERS,
                "tokens": TOKENS,
                "mixes": MIXES,
                "blocks_per_mix": blocks,
                "sweep_blocks": sweep,
            },
            "goals": {"compression_ratio": GOAL_RATIO, "erc20_bytes": GOAL_ERC20_BYTES},
            "op_reference_ratio": OP_RATIO,
            "pipelines": [matrix, sizes],
        },
    )
    report(f"saved {path}")


if __name__ == "__main__":
    main()
