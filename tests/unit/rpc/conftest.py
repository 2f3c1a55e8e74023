"""A tiny in-memory ChainAPI double, so the RPC layer is testable without an EVM."""

from __future__ import annotations

import copy
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

try:
    import crossroll  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "src"))

from eth_hash.auto import keccak

from crossroll.abc import ChainAPI, SchedulerAPI, TimerAPI
from crossroll.errors import (
    ExecutionReverted,
    NonceTooLow,
    UnknownBlock,
    UnknownSnapshot,
)
from crossroll.rpc.filters import log_matches
from crossroll.types import (
    Account,
    AccountProof,
    Address,
    Block,
    BlockHeader,
    BlockRef,
    CallRequest,
    CallResult,
    DevAccount,
    FeeHistory,
    Hash32,
    Log,
    LogFilter,
    Receipt,
    StorageProof,
    Transaction,
)

EMPTY_ROOT = bytes.fromhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
EMPTY_UNCLES = bytes.fromhex("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")
EMITTER = bytes.fromhex("11" * 20)
TOPIC = keccak(b"Ping()")
REVERT_DATA = "0x08c379a0" + "20".rjust(64, "0") + "4".rjust(64, "0") + b"nope".hex().ljust(64, "0")


class ManualClock(SchedulerAPI):
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self._now = now

    @property
    def virtual(self) -> bool:
        return True

    def now(self) -> float:
        return self._now

    def call_at(self, when: float, action: Callable[[], object]) -> TimerAPI:
        raise NotImplementedError

    def call_later(self, delay: float, action: Callable[[], object]) -> TimerAPI:
        raise NotImplementedError

    def every(self, interval: float, action: Callable[[], object]) -> TimerAPI:
        raise NotImplementedError

    def advance(self, seconds: float) -> int:
        self._now += seconds
        return 0


class FakeChain(ChainAPI):
    """Every raw transaction is "executed" as a transfer that emits one log
    (address EMITTER, topic TOPIC, data = the raw bytes). ``0xdead`` is rejected
    with NonceTooLow. eth_call echoes its input; input ``0xfe`` reverts and
    ``0xff`` raises a plain RuntimeError (a bug)."""

    def __init__(self) -> None:
        self.chain_id = 31337
        self.accounts = [
            DevAccount(address=bytes([0xAA] * 20), private_key=b"\x01" * 32, index=0),
            DevAccount(address=bytes([0xBB] * 20), private_key=b"\x02" * 32, index=1),
        ]
        self.balances: dict[Address, int] = {a.address: 10**22 for a in self.accounts}
        self.nonces: dict[Address, int] = {}
        self.codes: dict[Address, bytes] = {}
        self.storages: dict[tuple[Address, int], int] = {}
        self.blocks: list[Block] = []
        self.pending: list[Transaction] = []
        self.automine = True
        self.interval = 0.0
        self.time_offset = 0
        self.next_timestamp: int | None = None
        self.listeners: list[Callable[[Block], None]] = []
        self.snapshots: dict[int, tuple[object, ...]] = {}
        self._seal([], 1_700_000_000)

    # ------------------------------------------------------------ helpers
    def _seal(self, txs: list[Transaction], timestamp: int | None = None) -> Block:
        number = len(self.blocks)
        parent = self.blocks[-1].hash if self.blocks else b"\x00" * 32
        if timestamp is None:
            timestamp = self.next_timestamp or (self.blocks[-1].header.timestamp + 1)
            self.next_timestamp = None
        block_hash = keccak(parent + number.to_bytes(8, "big") + b"".join(t.hash for t in txs))
        receipts = []
        for i, tx in enumerate(txs):
            log = Log(
                address=EMITTER,
                topics=(TOPIC,),
                data=tx.data,
                block_number=number,
                block_hash=block_hash,
                transaction_hash=tx.hash,
                transaction_index=i,
                log_index=i,
            )
            receipts.append(
                Receipt(
                    transaction_hash=tx.hash,
                    transaction_index=i,
                    block_hash=block_hash,
                    block_number=number,
                    sender=tx.sender,
                    to=tx.to,
                    contract_address=None,
                    status=1,
                    gas_used=21000,
                    cumulative_gas_used=21000 * (i + 1),
                    effective_gas_price=tx.effective_gas_price(10**9),
                    logs=(log,),
                    logs_bloom=b"\x00" * 256,
                    type=tx.type,
                )
            )
        header = BlockHeader(
            number=number,
            hash=block_hash,
            parent_hash=parent,
            uncles_hash=EMPTY_UNCLES,
            coinbase=b"\x00" * 20,
            state_root=b"\x01" * 32,
            transactions_root=EMPTY_ROOT,
            receipts_root=EMPTY_ROOT,
            logs_bloom=b"\x00" * 256,
            difficulty=0,
            gas_limit=30_000_000,
            gas_used=21000 * len(txs),
            timestamp=timestamp,
            extra_data=b"",
            mix_hash=b"\x00" * 32,
            nonce=b"\x00" * 8,
            base_fee_per_gas=10**9,
            withdrawals_root=EMPTY_ROOT,
            blob_gas_used=0,
            excess_blob_gas=0,
            parent_beacon_block_root=b"\x00" * 32,
            size=0x246,
        )
        block = Block(header, tuple(txs), tuple(receipts))
        self.blocks.append(block)
        for listener in list(self.listeners):
            listener(block)
        return block

    def _resolve(self, ref: BlockRef) -> Block:
        if ref in ("latest", "safe", "finalized"):
            return self.blocks[-1]
        if ref == "earliest":
            return self.blocks[0]
        if ref == "pending":
            return Block(
                self.blocks[-1].header, tuple(self.pending), ()
            )  # good enough for the RPC layer
        if isinstance(ref, int):
            if ref < len(self.blocks):
                return self.blocks[ref]
            raise UnknownBlock(f"block height is {len(self.blocks) - 1} but requested was {ref}")
        for b in self.blocks:
            if b.hash == ref:
                return b
        raise UnknownBlock("unknown block")

    # ------------------------------------------------------------ ChainAPI
    def head(self) -> Block:
        return self.blocks[-1]

    def block(self, ref: BlockRef) -> Block:
        return self._resolve(ref)

    def transaction(self, tx_hash: Hash32) -> tuple[Transaction, Block | None]:
        for b in self.blocks:
            for tx in b.transactions:
                if tx.hash == tx_hash:
                    return tx, b
        for tx in self.pending:
            if tx.hash == tx_hash:
                return tx, None
        raise KeyError(tx_hash)

    def receipt(self, tx_hash: Hash32) -> Receipt | None:
        for b in self.blocks:
            for r in b.receipts:
                if r.transaction_hash == tx_hash:
                    return r
        return None

    def logs(self, flt: LogFilter) -> list[Log]:
        out = []
        for b in self.blocks[flt.from_block : flt.to_block + 1]:
            for r in b.receipts:
                out.extend(lg for lg in r.logs if log_matches(lg, flt.addresses, flt.topics))
        return out

    def account(self, address: Address, ref: BlockRef = "latest") -> Account:
        self._resolve(ref)
        return Account(
            nonce=self.nonces.get(address, 0),
            balance=self.balances.get(address, 0),
            code_hash=keccak(self.codes.get(address, b"")),
            storage_root=EMPTY_ROOT,
        )

    def code(self, address: Address, ref: BlockRef = "latest") -> bytes:
        self._resolve(ref)
        return self.codes.get(address, b"")

    def storage(self, address: Address, slot: int, ref: BlockRef = "latest") -> int:
        self._resolve(ref)
        return self.storages.get((address, slot), 0)

    def proof(
        self, address: Address, slots: Sequence[int], ref: BlockRef = "latest"
    ) -> AccountProof:
        acct = self.account(address, ref)
        return AccountProof(
            address=address,
            balance=acct.balance,
            nonce=acct.nonce,
            code_hash=acct.code_hash,
            storage_hash=acct.storage_root,
            account_proof=(b"\xc0",),
            storage_proof=tuple(
                StorageProof(key=s, value=self.storages.get((address, s), 0), proof=())
                for s in slots
            ),
        )

    def call(self, request: CallRequest, ref: BlockRef = "latest") -> CallResult:
        self._resolve(ref)
        if request.data == b"\xfe":
            raise ExecutionReverted("execution reverted: nope", data=REVERT_DATA)
        if request.data == b"\xff":
            raise RuntimeError("boom\nsecond line of a traceback")
        return CallResult(success=True, output=request.data, gas_used=21000)

    def estimate_gas(self, request: CallRequest, ref: BlockRef = "pending") -> int:
        self.call(request, "latest" if ref == "pending" else ref)
        return 21000

    def gas_price(self) -> int:
        return 2 * 10**9

    def max_priority_fee(self) -> int:
        return 10**9

    def fee_history(self, count: int, newest: BlockRef, percentiles: Sequence[float]) -> FeeHistory:
        last = self._resolve(newest).number
        oldest = max(0, last - count + 1)
        n = last - oldest + 1
        return FeeHistory(
            oldest_block=oldest,
            base_fee_per_gas=(10**9,) * (n + 1),
            gas_used_ratio=(0.0,) * n,
            reward=tuple((1,) * len(percentiles) for _ in range(n)) if percentiles else None,
        )

    def send_raw_transaction(self, raw: bytes) -> Hash32:
        if raw == b"\xde\xad":
            raise NonceTooLow("nonce too low")
        sender = self.accounts[0].address
        nonce = self.nonces.get(sender, 0)
        tx = Transaction(
            hash=keccak(raw),
            type=2,
            sender=sender,
            nonce=nonce,
            to=self.accounts[1].address,
            value=1,
            gas=21000,
            data=raw,
            chain_id=self.chain_id,
            gas_price=None,
            max_fee_per_gas=3 * 10**9,
            max_priority_fee_per_gas=10**9,
            access_list=(),
            v=1,
            r=5,
            s=7,
            raw=raw,
        )
        self.nonces[sender] = nonce + 1
        self.pending.append(tx)
        if self.automine:
            self.mine()
        return tx.hash

    def send_transaction(self, request: CallRequest) -> Hash32:
        return self.send_raw_transaction(
            b"\x02" + request.data + len(self.blocks).to_bytes(4, "big")
        )

    @property
    def dev_accounts(self) -> Sequence[DevAccount]:
        return self.accounts

    def mine(self, blocks: int = 1, timestamp: int | None = None) -> list[Block]:
        mined = []
        for _ in range(blocks):
            txs, self.pending = self.pending, []
            mined.append(self._seal(txs, timestamp))
            timestamp = None
        return mined

    def set_automine(self, enabled: bool) -> None:
        self.automine = enabled

    def set_interval_mining(self, seconds: float) -> None:
        self.interval = seconds

    def increase_time(self, seconds: int) -> int:
        self.time_offset += seconds
        return self.time_offset

    def set_next_block_timestamp(self, timestamp: int) -> None:
        self.next_timestamp = timestamp

    def snapshot(self) -> int:
        sid = len(self.snapshots) + 1
        self.snapshots[sid] = copy.deepcopy(
            (self.balances, self.nonces, self.codes, self.storages, len(self.blocks))
        )
        return sid

    def revert(self, snapshot_id: int) -> bool:
        if snapshot_id not in self.snapshots:
            raise UnknownSnapshot("no such snapshot")
        state = self.snapshots.pop(snapshot_id)
        self.balances, self.nonces, self.codes, self.storages, n = state  # type: ignore[assignment]
        del self.blocks[n:]  # type: ignore[misc]
        return True

    def set_balance(self, address: Address, balance: int) -> None:
        self.balances[address] = balance

    def set_code(self, address: Address, code: bytes) -> None:
        self.codes[address] = code

    def set_storage_at(self, address: Address, slot: int, value: int) -> None:
        self.storages[(address, slot)] = value

    def set_nonce(self, address: Address, nonce: int) -> None:
        self.nonces[address] = nonce

    def on_block(self, listener: Callable[[Block], None]) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)


@pytest.fixture
def chain() -> FakeChain:
    return FakeChain()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def lock() -> threading.RLock:
    return threading.RLock()


@pytest.fixture
def dispatcher(chain: FakeChain, clock: ManualClock, lock: threading.RLock) -> Iterator[object]:
    from crossroll.rpc import make_dispatcher

    d = make_dispatcher(chain, clock, lock)
    try:
        yield d
    finally:
        d.context.filters.close()


@pytest.fixture
def client(dispatcher: object, lock: threading.RLock) -> object:
    from crossroll.rpc.inproc import InProcessClient

    return InProcessClient(dispatcher, lock)  # type: ignore[arg-type]
