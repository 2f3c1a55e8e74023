"""The contracts between crossroll's parts, as documented abstract classes.

Parts depend on these interfaces, never on each other's internals: the RPC
server only knows :class:`ChainAPI`, a chain only knows :class:`EngineAPI` and
:class:`SchedulerAPI`, and the orchestrator only knows :class:`ServiceAPI`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .errors import CrossrollError
from .types import (
    Account,
    AccountPatch,
    AccountProof,
    Address,
    Block,
    BlockEnv,
    BlockHeader,
    BlockRef,
    BuildResult,
    CallRequest,
    CallResult,
    DevAccount,
    FeeHistory,
    Hash32,
    InboxTransaction,
    L1BlockInfo,
    Log,
    LogFilter,
    Receipt,
    Transaction,
)

if TYPE_CHECKING:
    from .sequencing.bundle import Bundle


# ---------------------------------------------------------------------- clock
class TimerAPI(ABC):
    """A handle on a scheduled action."""

    @property
    @abstractmethod
    def due(self) -> float:
        """Clock time at which the action fires."""

    @abstractmethod
    def cancel(self) -> None:
        """Stop the action from firing (again). Idempotent."""


class SchedulerAPI(ABC):
    """The one clock every timed action in crossroll goes through.

    ``now()`` is seconds since the Unix epoch (float).  With a wall clock, time
    passes by itself; with a virtual clock it only moves when
    :meth:`advance` is called, and every action due on the way fires in
    time order (idle ones elided, see :meth:`every`), so a 7-day window
    passes in a moment.
    """

    @property
    @abstractmethod
    def virtual(self) -> bool:
        """True when time only moves through :meth:`advance`."""

    @abstractmethod
    def now(self) -> float:
        """Current clock time, seconds since the epoch."""

    @abstractmethod
    def call_at(self, when: float, action: Callable[[], Any]) -> TimerAPI:
        """Run ``action`` once at clock time ``when`` (at once if it is past)."""

    @abstractmethod
    def call_later(self, delay: float, action: Callable[[], Any]) -> TimerAPI:
        """Run ``action`` once, ``delay`` seconds from now."""

    @abstractmethod
    def every(
        self,
        interval: float,
        action: Callable[[], Any],
        *,
        idle: Callable[[], bool] | None = None,
    ) -> TimerAPI:
        """Run ``action`` every ``interval`` seconds until cancelled.

        ``idle()`` True says an occurrence would do nothing (no transaction to mine, nothing
        new to post): a virtual clock may then skip it while advancing, keeping only the
        last few before the target (``VirtualClock(tail=...)``).  It must depend only on
        state that timer actions (or callers between advances) change, never on the time.
        A wall clock ignores it."""

    @abstractmethod
    def advance(self, seconds: float) -> int:
        """Move a virtual clock forward, firing due actions in order; return how many
        fired.  A wall clock raises :class:`~crossroll.errors.ClockError`."""


# ------------------------------------------------------------------- services
class ServiceAPI(ABC):
    """A long-running part (chain miner, RPC server, sequencer, relayer, ...).

    The orchestrator starts services in dependency order and stops them in
    reverse; ``stop`` must be idempotent and must not raise for a service that
    never started.
    """

    name: str

    @abstractmethod
    async def start(self) -> None:
        """Begin serving; return once the service is ready."""

    @abstractmethod
    async def stop(self) -> None:
        """Release every resource (timers, sockets); idempotent."""


# --------------------------------------------------------------------- engine
class EngineAPI(ABC):
    """Executes EVM transactions over a content-addressed state database.

    The engine is stateless apart from that database: every method names the
    state root (or parent header) it works on, so snapshots, reverts and
    historical reads cost nothing.  py-evm is the default implementation; any
    other engine must pass the same conformance tests (roots equal to anvil's).
    """

    @abstractmethod
    def genesis(self, timestamp: int) -> tuple[BlockHeader, Hash32]:
        """Build the genesis header from the chain's rules and alloc."""

    @abstractmethod
    def build_block(
        self, parent: BlockHeader, state_root: Hash32, txs: Sequence[Transaction], env: BlockEnv
    ) -> BuildResult:
        """Execute ``txs`` in order on ``state_root`` (the pre-state, which may
        differ from ``parent.state_root`` after anvil_set* cheats) and seal a block on
        top of ``parent``.  Transactions that fail validation at their turn are
        left out and returned with the reason."""

    @abstractmethod
    def account(self, state_root: Hash32, address: Address) -> Account:
        """Nonce, balance, code hash and storage root; an empty account if absent."""

    @abstractmethod
    def code(self, state_root: Hash32, address: Address) -> bytes:
        """The account's code (b"" for an EOA or an absent account)."""

    @abstractmethod
    def storage(self, state_root: Hash32, address: Address, slot: int) -> int:
        """One storage slot as an integer (0 if never written or cleared)."""

    @abstractmethod
    def set_account(self, state_root: Hash32, address: Address, patch: AccountPatch) -> Hash32:
        """Write ``patch`` to an account outside of any transaction; return the new state
        root.  The old root stays readable (snapshots and historical reads need it)."""

    @abstractmethod
    def call(self, header: BlockHeader, state_root: Hash32, request: CallRequest) -> CallResult:
        """Run a message against ``state_root`` in the context of a block with
        ``header``'s environment, without changing any state."""

    @abstractmethod
    def proof(self, state_root: Hash32, address: Address, slots: Sequence[int]) -> AccountProof:
        """Merkle-Patricia proofs of an account and some of its slots."""

    @abstractmethod
    def decode_transaction(self, raw: bytes) -> Transaction:
        """Decode a signed transaction and recover its sender; raise
        :class:`~crossroll.errors.TransactionRejected` subclasses on bad input."""


# ---------------------------------------------------------------------- chain
class ChainAPI(ABC):
    """One EVM chain as JSON-RPC sees it: reads by block, writes by transaction,
    and anvil-style development controls.  All methods are synchronous and must
    be called from the thread that owns the chain (the network's event loop)."""

    chain_id: int

    # -- blocks and transactions
    @abstractmethod
    def head(self) -> Block: ...

    @abstractmethod
    def block(self, ref: BlockRef) -> Block:
        """Resolve a number, hash or tag; raise UnknownBlock if absent. ``pending``
        answers the block that would be mined next from the pool."""

    @abstractmethod
    def transaction(self, tx_hash: Hash32) -> tuple[Transaction, Block | None]:
        """A mined (with its block) or pending (with None) transaction; raise KeyError."""

    @abstractmethod
    def receipt(self, tx_hash: Hash32) -> Receipt | None: ...

    @abstractmethod
    def logs(self, flt: LogFilter) -> list[Log]: ...

    # -- state
    @abstractmethod
    def account(self, address: Address, ref: BlockRef = "latest") -> Account: ...

    @abstractmethod
    def code(self, address: Address, ref: BlockRef = "latest") -> bytes: ...

    @abstractmethod
    def storage(self, address: Address, slot: int, ref: BlockRef = "latest") -> int: ...

    @abstractmethod
    def proof(
        self, address: Address, slots: Sequence[int], ref: BlockRef = "latest"
    ) -> AccountProof: ...

    @abstractmethod
    def call(self, request: CallRequest, ref: BlockRef = "latest") -> CallResult:
        """Raise ExecutionReverted (code 3, revert data) when the call reverts."""

    @abstractmethod
    def estimate_gas(self, request: CallRequest, ref: BlockRef = "pending") -> int: ...

    # -- fees
    @abstractmethod
    def gas_price(self) -> int: ...

    @abstractmethod
    def max_priority_fee(self) -> int: ...

    @abstractmethod
    def fee_history(
        self, count: int, newest: BlockRef, percentiles: Sequence[float]
    ) -> FeeHistory: ...

    # -- writes
    @abstractmethod
    def send_raw_transaction(self, raw: bytes) -> Hash32:
        """Validate against the pending state and queue (automine: mine at once)."""

    @abstractmethod
    def send_transaction(self, request: CallRequest) -> Hash32:
        """Fill in, sign with a dev account's key and send."""

    @property
    @abstractmethod
    def dev_accounts(self) -> Sequence[DevAccount]: ...

    # -- mining and time
    @abstractmethod
    def mine(self, blocks: int = 1, timestamp: int | None = None) -> list[Block]: ...

    @abstractmethod
    def set_automine(self, enabled: bool) -> None: ...

    @abstractmethod
    def set_interval_mining(self, seconds: float) -> None:
        """0 turns interval mining off."""

    @abstractmethod
    def increase_time(self, seconds: int) -> int:
        """Add to the offset between clock time and block time; return the total offset."""

    @abstractmethod
    def set_next_block_timestamp(self, timestamp: int) -> None: ...

    def pending_timestamp(self) -> int:
        """Timestamp the next block would get (what ``pending`` reads run at)."""
        return self.block("pending").header.timestamp

    # -- development controls
    @abstractmethod
    def snapshot(self) -> int: ...

    @abstractmethod
    def revert(self, snapshot_id: int) -> bool:
        """Go back to a snapshot (anvil semantics: that snapshot and every later one are
        consumed); False for an unknown id."""

    # anvil_set*: change state outside any transaction.  "latest" reads see the change at
    # once; the next block's state root includes it, as on anvil.
    @abstractmethod
    def set_balance(self, address: Address, balance: int) -> None:
        """anvil_setBalance: the account's balance becomes ``balance`` wei (created if
        absent)."""

    @abstractmethod
    def set_code(self, address: Address, code: bytes) -> None:
        """anvil_setCode: replace the account's code; b"" makes it an EOA again.
        Storage and nonce are kept."""

    @abstractmethod
    def set_storage_at(self, address: Address, slot: int, value: int) -> None:
        """anvil_setStorageAt: write one slot; 0 clears it (removed from the storage
        trie, as Ethereum does)."""

    @abstractmethod
    def set_nonce(self, address: Address, nonce: int) -> None:
        """anvil_setNonce: the account's nonce becomes ``nonce``, so its next
        transaction must use it."""

    # -- events
    @abstractmethod
    def on_block(self, listener: Callable[[Block], None]) -> Callable[[], None]:
        """Call ``listener`` after each new block; return an unsubscribe function."""

    @contextmanager
    def snapshotted(self) -> Iterator[int]:
        """``with chain.snapshotted():`` reverts every change made inside."""
        snap = self.snapshot()
        try:
            yield snap
        finally:
            self.revert(snap)


class TxGuardAPI(ABC):
    """A sequencer's admission rule on top of pool validation (the interop fast path:
    :class:`crossroll.messaging.fastpath.InteropGuard`).  A chain with a guard asks it
    about every transaction it is sent and every block it builds; blocks it imports
    (a verifier's) are not filtered."""

    @abstractmethod
    def admit(self, tx: Transaction) -> None:
        """Raise (a :class:`~crossroll.errors.TransactionRejected`) to refuse ``tx``
        before it enters the pool."""

    @abstractmethod
    def reject(self, block: Block) -> dict[Hash32, CrossrollError]:
        """The transactions of a just-built, not yet appended ``block`` that must not be
        in it, each with the reason; empty when the block may be appended."""


# --------------------------------------------------------------------- client
class ClientAPI(ABC):
    """A JSON-RPC client; the HTTP client and the in-process client share it, so
    code and tests run unchanged against either."""

    @abstractmethod
    def request(self, method: str, params: Sequence[Any] | None = None) -> Any:
        """Send one request; return ``result`` or raise the CrossrollError subclass
        matching the error's code."""

    @abstractmethod
    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Send a batch; return results in order (errors as CrossrollError instances)."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        # client.eth_blockNumber() == client.request("eth_blockNumber", [])
        if "_" not in name or name.startswith("_"):
            raise AttributeError(name)
        return lambda *params: self.request(name, list(params))


# ------------------------------------------------------------------ L1 view
class L1ViewAPI(ABC):
    """The L1 as a rollup node reads it: heads, block info, portal logs, batch-inbox
    transactions and blobs, and a callback per new block.

    Two implementations: :class:`crossroll.l1.view.LocalL1View` over the embedded L1 chain
    and its blob store, and a JSON-RPC one for an external L1 that polls on the clock.
    Rollup services (sequencer, batcher, derivation) read the L1 only through this.
    """

    @abstractmethod
    def head_number(self) -> int:
        """Number of the L1's latest block."""

    @abstractmethod
    def safe_number(self) -> int:
        """Number of the L1's ``safe`` block."""

    @abstractmethod
    def finalized_number(self) -> int:
        """Number of the L1's ``finalized`` block."""

    @abstractmethod
    def info(self, number: int) -> L1BlockInfo:
        """Hash, parent, time and fees of L1 block ``number``; raises
        :class:`~crossroll.errors.UnknownBlock` if there is none."""

    @abstractmethod
    def logs(self, flt: LogFilter) -> list[Log]:
        """As ``eth_getLogs`` (block-number ranges)."""

    @abstractmethod
    def inbox_transactions(
        self, number: int, inbox: Address, senders: Sequence[Address] | None = None
    ) -> list[InboxTransaction]:
        """Successful transactions of L1 block ``number`` sent to ``inbox``, in block
        order; only those from ``senders`` when given."""

    @abstractmethod
    def blobs(self, number: int, hashes: Sequence[Hash32]) -> list[bytes]:
        """The blobs with these versioned hashes in L1 block ``number``, in the order
        asked; raises :class:`~crossroll.errors.DataError` if one is unavailable."""

    @abstractmethod
    def on_block(self, listener: Callable[[L1BlockInfo], None]) -> Callable[[], None]:
        """Call ``listener`` for each new L1 head block; returns an unsubscribe function."""


# ----------------------------------------------------------------- sequencing
class OrderingPolicyAPI(ABC):
    """The order in which the shared sequencer tries a slot's bundles (docs/sequencing.md).
    Pool transactions keep the pool's order; a policy orders bundles only."""

    #: The name ``sequencing.ordering`` selects it by.
    name: str

    @abstractmethod
    def order(self, bundles: Sequence[Bundle], base_fees: Mapping[int, int]) -> list[Bundle]:
        """``bundles`` (in arrival order) in the order to try them; ``base_fees``: the slot's
        base fee on each shared rollup."""
