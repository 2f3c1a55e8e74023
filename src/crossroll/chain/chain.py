"""One EVM chain: block store, pool, mining modes and anvil-style controls.

Not thread-safe (neither is py-evm): drive a Chain from one thread only; the
network holds its lock around every call.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .. import types as t
from ..abc import ChainAPI, EngineAPI, SchedulerAPI, TimerAPI, TxGuardAPI
from ..da.kzg import BlobSidecar
from ..errors import MiningLocked, TransactionRejected, UnknownBlock
from ..types import Address, Block, BlockRef, Hash32
from . import blobtx
from . import validation as v
from .accounts import dev_accounts
from .blobgas import blob_base_fee, next_excess_blob_gas
from .config import ChainConfig
from .deposits import DepositTransaction
from .fees import block_rewards, child_base_fee
from .gas import estimate_gas
from .revert import call_error
from .signing import sign_request
from .store import BlockStore
from .txpool import TxPool, check_transaction

if TYPE_CHECKING:
    from .persist import ChainJournalAPI

log = logging.getLogger(__name__)

_LATEST_TAGS = ("latest", "safe", "finalized")

#: Receives ``(block_number, timestamp, sidecars)`` for each block with blobs.
SidecarSink = Callable[[int, int, list[BlobSidecar]], object]
#: Given the timestamp of the block being built, the deposits that go first in it (the
#: rollup node's sequencer; see :meth:`Chain.set_deposit_source`).
DepositSource = Callable[[int], Sequence[DepositTransaction | t.Transaction]]


def _as_transactions(
    deposits: Sequence[DepositTransaction | t.Transaction],
) -> list[t.Transaction]:
    return [d.to_transaction() if isinstance(d, DepositTransaction) else d for d in deposits]


def _subscribe(listeners: list[Any], listener: Any) -> Callable[[], None]:
    listeners.append(listener)

    def unsubscribe() -> None:
        if listener in listeners:
            listeners.remove(listener)

    return unsubscribe


@dataclasses.dataclass(frozen=True)
class _Snapshot:
    head: int
    state_root: Hash32
    pool: TxPool
    time_offset: int
    next_timestamp: int | None


class Chain(ChainAPI):
    """:class:`ChainAPI` over an :class:`EngineAPI` (py-evm by default)."""

    def __init__(
        self,
        config: ChainConfig,
        scheduler: SchedulerAPI,
        engine: EngineAPI | None = None,
        on_sidecars: SidecarSink | None = None,
    ) -> None:
        """``on_sidecars(block_number, timestamp, sidecars)`` receives the blob
        sidecars of every mined block that carries blob transactions (see also
        :meth:`on_sidecars`)."""
        self.config = config
        self.rules = config.rules
        self.chain_id = config.chain_id
        self.scheduler = scheduler
        self._accounts = dev_accounts(config.mnemonic, config.account_count)
        self._keys = {a.address: a for a in self._accounts}
        if engine is None:
            from .engine import PyEvmEngine

            engine = PyEvmEngine(config, self._accounts)
        self.engine = engine
        ts = config.genesis_timestamp
        header, root = engine.genesis(int(scheduler.now()) if ts is None else ts)
        self.store = BlockStore(Block(header, (), ()))
        self.state_root = root  # working state: head's root plus anvil_set* changes
        self.pool = TxPool()
        self.automine = config.automine
        self.time_offset = 0
        self.next_timestamp: int | None = None
        self._snapshots: dict[int, _Snapshot] = {}
        self._next_snapshot = 0
        self._listeners: list[Callable[[Block], None]] = []
        self._sidecar_sinks: list[SidecarSink] = [on_sidecars] if on_sidecars else []
        self._timer: TimerAPI | None = None
        self._deposit_source: DepositSource | None = None
        self._busy: Callable[[], bool] | None = None
        self._safety: Callable[[str], int] | None = None
        self._guard: TxGuardAPI | None = None
        #: Senders whose pool transactions no block built here takes (fault injection:
        #: a censoring sequencer; see :meth:`set_censored`).
        self.censored: frozenset[Address] = frozenset()
        #: Told of every change before it becomes visible (a data dir: crossroll.chain.persist).
        self.journal: ChainJournalAPI | None = None
        #: Why the mining controls are refused (None: they are not); see :meth:`lock_mining`.
        self.mining_lock: str | None = None
        if config.block_time:
            self.set_interval_mining(config.block_time)

    # ------------------------------------------------------------- blocks
    def head(self) -> Block:
        return self.store.head

    def _pending_header(self) -> t.BlockHeader:
        head = self.store.head.header
        return dataclasses.replace(
            head,
            number=head.number + 1,
            hash=b"\x00" * 32,
            parent_hash=head.hash,
            timestamp=self._next_block_timestamp(),
            base_fee_per_gas=child_base_fee(head),
            gas_used=0,
            state_root=self.state_root,
        )

    def block(self, ref: BlockRef) -> Block:
        if ref == "pending":
            env = t.BlockEnv(self._next_block_timestamp(), self.config.coinbase)
            block, _ = self.engine.build_block(
                self.store.head.header, self.state_root, self._ready(), env
            )
            return block
        if ref in _LATEST_TAGS:
            blocks = self.store.blocks
            return blocks[max(0, len(blocks) - 1 - self._tag_depth(ref))]
        if ref == "earliest":
            return self.store.blocks[0]
        if isinstance(ref, int):
            found = self.store.get(ref)
        elif isinstance(ref, bytes):
            found = self.store.by_hash.get(ref)
        else:
            raise UnknownBlock(f"unknown block tag {ref!r}")
        if found is None:
            raise UnknownBlock("header not found")
        return found

    def _tag_depth(self, tag: str) -> int:
        """Blocks behind the head that ``latest`` / ``safe`` / ``finalized`` resolve to."""
        if tag != "latest" and self._safety is not None:  # a rollup node's safety heads
            head = self.store.head.number
            return head - max(0, min(self._safety(tag), head))
        if tag == "safe":
            return self.rules.safe_depth
        if tag == "finalized":
            return self.rules.finalized_depth
        return 0

    def _context(self, ref: BlockRef) -> tuple[t.BlockHeader, Hash32]:
        """Header and state root that reads at ``ref`` run against."""
        if ref == "pending":
            return self._pending_header(), self.state_root
        if ref in _LATEST_TAGS and self._tag_depth(ref) == 0:
            return self.store.head.header, self.state_root
        header = self.block(ref).header
        return header, header.state_root

    def transaction(self, tx_hash: Hash32) -> tuple[t.Transaction, Block | None]:
        found = self.store.transaction(tx_hash)
        if found is not None:
            return found[0], found[2]
        pooled = self.pool.get(tx_hash)
        if pooled is None:
            raise KeyError(tx_hash)
        return pooled, None

    def receipt(self, tx_hash: Hash32) -> t.Receipt | None:
        found = self.store.transaction(tx_hash)
        return found[1] if found is not None else None

    def logs(self, flt: t.LogFilter) -> list[t.Log]:
        return self.store.logs(flt)

    # -------------------------------------------------------------- state
    def account(self, address: Address, ref: BlockRef = "latest") -> t.Account:
        return self.engine.account(self._context(ref)[1], address)

    def code(self, address: Address, ref: BlockRef = "latest") -> bytes:
        return self.engine.code(self._context(ref)[1], address)

    def storage(self, address: Address, slot: int, ref: BlockRef = "latest") -> int:
        return self.engine.storage(self._context(ref)[1], address, slot)

    def proof(
        self, address: Address, slots: Sequence[int], ref: BlockRef = "latest"
    ) -> t.AccountProof:
        return self.engine.proof(self._context(ref)[1], address, slots)

    def _run(self, request: t.CallRequest, ref: BlockRef) -> t.CallResult:
        header, root = self._context(ref)
        return self.engine.call(header, root, request)

    def call(self, request: t.CallRequest, ref: BlockRef = "latest") -> t.CallResult:
        result = self._run(request, ref)
        if not result.success:
            raise call_error(result)
        return result

    def estimate_gas(self, request: t.CallRequest, ref: BlockRef = "pending") -> int:
        """Smallest gas limit that succeeds (binary search, as geth/anvil)."""
        header, root = self._context(ref)
        cap = request.gas if request.gas is not None else header.gas_limit

        def run(gas: int) -> t.CallResult:
            return self.engine.call(header, root, dataclasses.replace(request, gas=gas))

        return estimate_gas(run, cap)

    # --------------------------------------------------------------- fees
    def gas_price(self) -> int:
        return child_base_fee(self.store.head.header) + self.rules.default_priority_fee

    def max_priority_fee(self) -> int:
        return self.rules.default_priority_fee

    def fee_history(
        self, count: int, newest: BlockRef, percentiles: Sequence[float]
    ) -> t.FeeHistory:
        last = self.store.head.number if newest == "pending" else self.block(newest).number
        count = max(0, min(count, last + 1, 1024))
        blocks = self.store.blocks[last - count + 1 : last + 1]
        base_fees = [b.header.base_fee_per_gas or 0 for b in blocks]
        base_fees.append(child_base_fee(self.store.blocks[last].header))
        return t.FeeHistory(
            oldest_block=last - count + 1,
            base_fee_per_gas=tuple(base_fees),
            gas_used_ratio=tuple(b.header.gas_used / b.header.gas_limit for b in blocks),
            reward=tuple(block_rewards(b, percentiles) for b in blocks) if percentiles else None,
        )

    # ------------------------------------------------------------- writes
    def _nonce(self, address: Address) -> int:
        return self.engine.account(self.state_root, address).nonce

    def blob_base_fee(self) -> int:
        """Wei per blob gas of the next block (EIP-4844; 1 before any blobs)."""
        head = self.store.head.header
        excess = next_excess_blob_gas(head.excess_blob_gas or 0, head.blob_gas_used or 0)
        return blob_base_fee(excess)

    def send_raw_transaction(self, raw: bytes) -> Hash32:
        network_form, sidecar = raw, None
        blob = raw[:1] == b"\x03" and blobtx.BLOB_TX_TYPE in self.rules.tx_types
        if blob:  # the network form: the canonical transaction plus its sidecar
            raw, sidecar = blobtx.unwrap(raw)
        tx = self.engine.decode_transaction(raw)
        sidecars: tuple[BlobSidecar, ...] = ()
        blob_cost = 0
        if blob:
            blobtx.check_blob_transaction(tx)
            sidecars = blobtx.check_sidecars(tx, sidecar)
            blob_cost = (blobtx.blob_gas(tx) or 0) * (blobtx.max_fee_per_blob_gas(tx) or 0)
        if tx.hash in self.pool or tx.hash in self.store.tx_index:
            raise v.reject("already_known")
        head = self.store.head.header
        sender = self.engine.account(self.state_root, tx.sender)
        check_transaction(
            tx,
            sender,
            base_fee=child_base_fee(head),
            gas_limit=head.gas_limit,
            blob_cost=blob_cost,
        )
        if blob:
            blobtx.check_blob_fee(tx, self.blob_base_fee())
        if self._guard is not None:
            self._guard.admit(tx)
        self.pool.add(tx, sidecars)
        # Like anvil, automine mines when a transaction becomes ready; one with a
        # nonce gap waits in the pool.
        if self.automine and tx.nonce < self.pool.pending_nonce(tx.sender, sender.nonce):
            self._mine_one(self._next_block_timestamp())
        if self.journal is not None and tx.hash in self.pool:
            self.journal.pooled(tx.hash, network_form)
        return tx.hash

    def send_transaction(self, request: t.CallRequest) -> Hash32:
        if request.sender is None or request.sender not in self._keys:
            raise v.reject("no_signer")
        key = self._keys[request.sender]
        nonce = request.nonce
        if nonce is None:
            nonce = self.pool.pending_nonce(request.sender, self._nonce(request.sender))
        gas = request.gas if request.gas is not None else self.estimate_gas(request)
        raw = sign_request(
            request,
            key.private_key,
            nonce=nonce,
            gas=gas,
            chain_id=self.chain_id,
            default_tip=self.rules.default_priority_fee,
            base_fee=child_base_fee(self.store.head.header),
        )
        return self.send_raw_transaction(raw)

    @property
    def dev_accounts(self) -> Sequence[t.DevAccount]:
        return self._accounts

    # ------------------------------------------------------ mining & time
    def _next_block_timestamp(self) -> int:
        if self.next_timestamp is not None:
            return self.next_timestamp
        parent = self.store.head.header.timestamp
        return max(parent + 1, int(self.scheduler.now()) + self.time_offset)

    def _blob_limit(self) -> int:
        return blobtx.MAX_BLOBS_PER_BLOCK if blobtx.BLOB_TX_TYPE in self.rules.tx_types else 0

    def _ready(self) -> list[t.Transaction]:
        return self.ready_transactions(self.store.head.header.gas_limit)

    def ready_transactions(self, gas: int) -> list[t.Transaction]:
        """The pool transactions the next block would take, in order, within ``gas``
        (declared gas) and the blob limit; none from censored senders."""
        return self.pool.ready(self._nonce, max(gas, 0), self._blob_limit(), self.censored)

    def _block_transactions(self, deposits: Sequence[t.Transaction]) -> list[t.Transaction]:
        if deposits:  # deposits first, then pool transactions in the gas left
            room = self.store.head.header.gas_limit - sum(d.gas for d in deposits)
            return [*deposits, *self.ready_transactions(room)]
        return self._ready()

    def _mine_one(self, timestamp: int, deposits: Sequence[t.Transaction] = ()) -> Block:
        env = t.BlockEnv(timestamp, self.config.coinbase)
        if not deposits and self._deposit_source is not None:
            deposits = _as_transactions(self._deposit_source(timestamp))
        txs = self._block_transactions(deposits)
        block, rejected = self.engine.build_block(self.store.head.header, self.state_root, txs, env)
        prefix = {tx.hash for tx in deposits}
        while self._guard is not None and (refused := self._guard.reject(block)):
            # Drop the refused pool transactions and rebuild from the pool, so a sender's
            # later nonces wait for the gap instead of failing in this block.
            dropped = [tx for tx in block.transactions if tx.hash in refused.keys() - prefix]
            if not dropped:  # only the rollup node's prefix: not the sequencer's to drop
                break
            for tx in dropped:
                log.warning(
                    "chain %d: dropped 0x%s: %s", self.chain_id, tx.hash.hex(), refused[tx.hash]
                )
            self.pool.remove(dropped)
            txs = self._block_transactions(deposits)
            block, rejected = self.engine.build_block(
                self.store.head.header, self.state_root, txs, env
            )
        bad = [(tx, exc) for tx, exc in rejected if tx.is_deposit]
        if bad:  # the rollup node asked for an impossible block: change nothing
            raise bad[0][1]
        self.next_timestamp = None
        self._append(block, [tx for tx, _ in rejected])
        return block

    def mine(self, blocks: int = 1, timestamp: int | None = None) -> list[Block]:
        if timestamp is not None:
            self.set_next_block_timestamp(timestamp)
        return [self._mine_one(self._next_block_timestamp()) for _ in range(blocks)]

    def mine_with_deposits(
        self,
        deposits: Sequence[DepositTransaction | t.Transaction],
        timestamp: int | None = None,
    ) -> Block:
        """Mine one block whose first transactions are ``deposits`` (in order), then
        ready pool transactions.  The rollup-node path: the only way deposits
        (type 0x7E) enter a chain.  Raise :class:`TransactionRejected` (and mine
        nothing) when the rules forbid deposits or they do not fit in the block."""
        if not self.rules.allow_deposits:
            raise TransactionRejected(f"{self.rules.name} chains do not accept deposits")
        txs = _as_transactions(deposits)
        if timestamp is not None:
            self.set_next_block_timestamp(timestamp)
        return self._mine_one(self._next_block_timestamp(), txs)

    def set_tx_guard(self, guard: TxGuardAPI | None) -> None:
        """Ask ``guard`` about every transaction sent (before the pool) and every block
        built here (its refused transactions are dropped and the block rebuilt);
        :meth:`import_block` is not guarded.  None removes the guard."""
        self._guard = guard

    def set_safety(self, heads: Callable[[str], int] | None) -> None:
        """Resolve the ``safe`` and ``finalized`` tags to ``heads(tag)`` (a block number,
        clamped to the chain) instead of the rules' fixed depths: a rollup node's safety
        heads.  None restores the rules."""
        self._safety = heads

    def import_block(
        self,
        txs: Sequence[t.Transaction],
        timestamp: int,
        *,
        optional: frozenset[Hash32] = frozenset(),
    ) -> Block:
        """Build the next block with exactly ``txs`` in order (deposits included), as a
        verifier replays a block it derived; the pool is not consulted.  If the engine
        refuses any of them, raise :class:`TransactionRejected` and change nothing;
        except those whose hashes are in ``optional`` (forced transactions from the L1
        queue), which are left out when they do not apply."""
        if any(tx.is_deposit for tx in txs) and not self.rules.allow_deposits:
            raise TransactionRejected(f"{self.rules.name} chains do not accept deposits")
        if timestamp < self.store.head.header.timestamp:
            raise v.timestamp_too_low(timestamp)
        block, rejected = self.build(txs, timestamp)
        rejected = [(tx, exc) for tx, exc in rejected if tx.hash not in optional]
        if rejected:
            tx, exc = rejected[0]
            raise TransactionRejected(
                f"transaction 0x{tx.hash.hex()} does not apply: {exc}",
                data="0x" + tx.hash.hex(),
            )
        return self.append_block(block)

    def build(
        self,
        txs: Sequence[t.Transaction],
        timestamp: int,
        *,
        state_root: Hash32 | None = None,
    ) -> t.BuildResult:
        """Execute ``txs`` in order as the next block at ``timestamp`` on the working state
        (or on ``state_root``: a partly built block's state) and return the block and the
        refused transactions, changing nothing: the caller may :meth:`append_block` it.
        Guards and censorship do not apply (a block builder's own primitive)."""
        env = t.BlockEnv(timestamp, self.config.coinbase)
        root = self.state_root if state_root is None else state_root
        return self.engine.build_block(self.store.head.header, root, list(txs), env)

    def append_block(self, block: Block) -> Block:
        """Make ``block``, built by :meth:`build` on the current head and working state,
        the new head (journaled, listeners told, its transactions leave the pool)."""
        head = self.store.head
        if block.header.parent_hash != head.hash or block.number != head.number + 1:
            raise TransactionRejected(
                f"block {block.number} was not built on the head (block {head.number})"
            )
        if block.header.timestamp < head.header.timestamp:
            raise v.timestamp_too_low(block.header.timestamp)
        self.next_timestamp = None
        self._append(block, [])
        return block

    def set_censored(self, senders: Sequence[Address]) -> None:
        """Build no block with a pool transaction from ``senders`` (fault injection: a
        sequencer that censors accounts).  Their transactions are still accepted and wait
        in the pool; deposits and forced transactions from the L1 still get in."""
        self.censored = frozenset(senders)

    def _append(self, block: Block, rejected: Sequence[t.Transaction]) -> None:
        """Make ``block`` the head: store, pool clean-up, sidecars, listeners."""
        sidecars = [s for tx in block.transactions for s in self.pool.sidecars(tx.hash)]
        if self.journal is not None:  # on disk before anything can report the block
            self.journal.block(block, sidecars)
        self.store.append(block)
        self.state_root = block.header.state_root
        self.pool.remove(list(block.transactions))
        self.pool.remove(list(rejected))
        self.pool.prune(self._nonce)
        if sidecars:
            for sink in list(self._sidecar_sinks):
                sink(block.number, block.header.timestamp, sidecars)
        for listener in list(self._listeners):
            listener(block)

    def set_deposit_source(self, source: DepositSource | None) -> None:
        """Consult ``source(timestamp)`` for every block mined without explicit deposits
        (interval timer, automine, ``evm_mine``): what it returns goes first in the block,
        as :meth:`mine_with_deposits` would put it.  None removes the source."""
        if source is not None and not self.rules.allow_deposits:
            raise TransactionRejected(f"{self.rules.name} chains do not accept deposits")
        self._deposit_source = source

    def lock_mining(self, reason: str | None) -> None:
        """Refuse automine and interval mining from now on, saying ``reason`` (None: allow
        them again): the chain's blocks are another builder's (a shared or based rollup),
        which uses :meth:`build`, :meth:`append_block` and :meth:`import_block`.  The RPC
        edge refuses ``evm_mine`` too; :meth:`mine` itself stays open to the node (a reorg's
        replacement blocks keep the chain's height)."""
        self.mining_lock = reason

    def check_mining(self, what: str = "mining") -> None:
        """Raise :class:`MiningLocked` if the mining controls are locked."""
        if self.mining_lock is not None:
            raise MiningLocked(f"{what} refused: {self.mining_lock}")

    def set_automine(self, enabled: bool) -> None:
        if enabled:
            self.check_mining("automine")
        self.automine = enabled
        if enabled and self._ready():
            self._mine_one(self._next_block_timestamp())

    def set_interval_mining(self, seconds: float) -> None:
        if seconds > 0:
            self.check_mining("interval mining")
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if seconds > 0:
            self._timer = self.scheduler.every(
                seconds, lambda: self._mine_one(self._next_block_timestamp()), idle=self._idle
            )

    def set_busy_check(self, busy: Callable[[], bool] | None) -> None:
        """With ``busy()`` True an interval block is due even with nothing in the pool (a
        rollup's waiting deposits); None: only the pool counts.  See :meth:`_idle`."""
        self._busy = busy

    def _idle(self) -> bool:
        """An interval block would carry nothing: a virtual clock may skip it."""
        return not self._ready() and not (self._busy is not None and self._busy())

    def increase_time(self, seconds: int) -> int:
        if self.journal is not None:
            self.journal.time(self.time_offset + seconds, self.next_timestamp)
        self.time_offset += seconds
        return self.time_offset

    def pending_timestamp(self) -> int:
        return self._next_block_timestamp()

    def set_next_block_timestamp(self, timestamp: int) -> None:
        if timestamp < self.store.head.header.timestamp:
            raise v.timestamp_too_low(timestamp)
        if self.journal is not None:
            self.journal.time(self.time_offset, timestamp)
        self.next_timestamp = timestamp

    # ------------------------------------------------- development controls
    def snapshot(self) -> int:
        snap_id = self._next_snapshot
        self._next_snapshot += 1
        self._snapshots[snap_id] = _Snapshot(
            self.store.head.number,
            self.state_root,
            self.pool.copy(),
            self.time_offset,
            self.next_timestamp,
        )
        if self.journal is not None:
            self.journal.snapshot(snap_id)
        return snap_id

    def revert(self, snapshot_id: int) -> bool:
        snap = self._snapshots.get(snapshot_id)
        if snap is None:
            return False
        if self.journal is not None:
            self.journal.revert(snapshot_id)
        for later in [i for i in self._snapshots if i >= snapshot_id]:
            del self._snapshots[later]
        self.store.truncate(snap.head)
        self.state_root = snap.state_root
        self.pool = snap.pool
        self.time_offset = snap.time_offset
        self.next_timestamp = snap.next_timestamp
        return True

    def rewind(self, number: int) -> list[Block]:
        """Make block ``number`` the head again (a reorg); return the blocks removed, oldest
        first.  Their transactions do not return to the pool (the caller decides), and
        snapshots taken above ``number`` are forgotten."""
        head = self.store.head.number
        if not 0 <= number <= head:
            raise UnknownBlock(f"cannot rewind to block {number}: the head is {head}")
        removed = [self.store.blocks[n] for n in range(number + 1, head + 1)]
        if self.journal is not None:
            self.journal.rewind(number)
        self._rewind(number)
        return removed

    def _rewind(self, number: int) -> None:
        for later in [i for i, s in self._snapshots.items() if s.head > number]:
            del self._snapshots[later]
        self.store.truncate(number)
        self.state_root = self.store.head.header.state_root
        self.next_timestamp = None

    def _set(self, address: Address, patch: t.AccountPatch) -> None:
        state_root = self.engine.set_account(self.state_root, address, patch)
        if self.journal is not None:
            self.journal.state(state_root)
        self.state_root = state_root

    def set_balance(self, address: Address, balance: int) -> None:
        self._set(address, t.AccountPatch(balance=balance))

    def set_code(self, address: Address, code: bytes) -> None:
        self._set(address, t.AccountPatch(code=code))

    def set_storage_at(self, address: Address, slot: int, value: int) -> None:
        self._set(address, t.AccountPatch(storage=((slot, value),)))

    def set_nonce(self, address: Address, nonce: int) -> None:
        self._set(address, t.AccountPatch(nonce=nonce))

    # -------------------------------------------------------------- events
    def on_block(self, listener: Callable[[Block], None]) -> Callable[[], None]:
        return _subscribe(self._listeners, listener)

    def on_sidecars(self, sink: SidecarSink) -> Callable[[], None]:
        """Call ``sink(block_number, timestamp, sidecars)`` for every mined block
        carrying blob transactions (sidecars in transaction, then blob, order);
        returns an unsubscribe function."""
        return _subscribe(self._sidecar_sinks, sink)

    def close(self) -> None:
        """Stop interval mining."""
        self.set_interval_mining(0)
