"""The devnet the messaging benchmark drives: a virtual-time :class:`Network` (L1 900,
rollups 901 and 902, autorelay on), user transactions that send messages from 901 to 902,
stepping of the clock without idle elision, and the L1 cost of posting L2 blocks.

Clock steps are at most :data:`STEP` seconds, below the virtual clock's tail (128 slots of the
2 s rollup blocks), so every slot of every chain fires exactly as on the wall clock: no idle
slot is skipped and no stage is delayed by elision.  :meth:`Devnet.jump` is the one exception,
used to cross the idle middle of a long challenge window (see its docstring).
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from crossroll.messaging.addresses import (
    L2_TO_L2_MESSENGER,
    SUPERCHAIN_ETH_BRIDGE,
    SUPERCHAIN_TEST_TOKEN,
    SUPERCHAIN_TOKEN_BRIDGE,
)
from crossroll.messaging.l2tol2 import SENT_MESSAGE_TOPIC, L2ToL2Message
from crossroll.messaging.store import MessageRecord
from crossroll.network import Network
from crossroll.rollup.abi import calldata
from crossroll.rollup.transact import sign_1559
from crossroll.types import Block, CallRequest, DevAccount

SOURCE, DEST = 901, 902
FREE: dict[str, Any] = {"l1__port": 0, "rollups__port": 0, "admin_port": 0}
#: Dev accounts funded on every chain; #9 is the relayer's, the others send messages.
ACCOUNTS = 100
RELAYER_INDEX = 9
#: Largest clock step that elides nothing (the tail is 128 slots of 2 s).
STEP = 240.0
GWEI = 10**9
ETHER = 10**18

#: Hand-assembled targets on 902 (set with the anvil-style ``set_code``).
NOOP = bytes.fromhex("00000000000000000000000000000000000e0001")
NOOP_CODE = bytes.fromhex("00")  # STOP
STORE = bytes.fromhex("00000000000000000000000000000000000e0002")
STORE_CODE = bytes.fromhex("60043560005500")  # set(uint256 v): sstore(0, v)
RECIPIENT = bytes.fromhex("00000000000000000000000000000000000e0003")

SEND_MESSAGE = "sendMessage(uint256,address,bytes)"
KINDS = ("empty call", "small call", "ETH transfer", "ERC-20 transfer")


@dataclass(frozen=True, slots=True)
class Sent:
    """A message-sending transaction as the user submitted it."""

    kind: str
    tx_hash: bytes
    submitted: float  # clock time
    dest_head: int  # 902's head number at submission


class Devnet:
    """One started network and the helpers the benchmark needs."""

    def __init__(self, **config: Any) -> None:
        self.net = Network.start(virtual_time=True, accounts__count=ACCOUNTS, **config, **FREE)
        self.src = self.net.chain(SOURCE).chain
        self.dst = self.net.chain(DEST).chain
        self.clock = self.net.runtime.scheduler
        self.senders = [a for i, a in enumerate(self.net.accounts) if i != RELAYER_INDEX]
        self._next = 0
        self._nonces: dict[bytes, int] = {}
        self._gas: dict[str, int] = {}
        with self.net.lock:
            self.dst.set_code(NOOP, NOOP_CODE)
            self.dst.set_code(STORE, STORE_CODE)
        self.step(2)  # the set_code block

    def close(self) -> None:
        self.net.stop()

    def now(self) -> float:
        return self.clock.now()

    # ------------------------------------------------------------ sending
    def _call(self, kind: str, value_seed: int) -> tuple[bytes, int, bytes]:
        """(to, value, data) of a transaction on 901 sending one message of ``kind``."""
        if kind == "empty call":
            return L2_TO_L2_MESSENGER, 0, calldata(SEND_MESSAGE, DEST, NOOP, b"")
        if kind == "small call":
            message = calldata("set(uint256)", value_seed)
            return L2_TO_L2_MESSENGER, 0, calldata(SEND_MESSAGE, DEST, STORE, message)
        if kind == "ETH transfer":
            return (
                SUPERCHAIN_ETH_BRIDGE,
                ETHER // 100,
                calldata("sendETH(address,uint256)", RECIPIENT, DEST),
            )
        if kind == "ERC-20 transfer":
            data = calldata(
                "sendERC20(address,address,uint256,uint256)",
                SUPERCHAIN_TEST_TOKEN,
                RECIPIENT,
                10**18,
                DEST,
            )
            return SUPERCHAIN_TOKEN_BRIDGE, 0, data
        raise ValueError(kind)

    def _signed(self, account: DevAccount, to: bytes, value: int, data: bytes, gas: int) -> bytes:
        nonce = self._nonces.get(account.address)
        if nonce is None:
            nonce = self.src.account(account.address).nonce
        self._nonces[account.address] = nonce + 1
        return sign_1559(
            account.private_key,
            chain_id=SOURCE,
            nonce=nonce,
            tip=GWEI,
            max_fee=100 * GWEI,
            gas=gas,
            to=to,
            data=data,
            value=value,
        )

    def fund_tokens(self) -> None:
        """Mint test tokens to every sender on 901 (the token's permissionless mint)."""
        with self.net.lock:
            for account in self.senders:
                data = calldata("mint(address,uint256)", account.address, 10**27)
                raw = self._signed(account, SUPERCHAIN_TEST_TOKEN, 0, data, 100_000)
                self.src.send_raw_transaction(raw)
        self.step(4)

    def send(self, kinds: Sequence[str]) -> list[Sent]:
        """Submit one message-sending transaction per entry of ``kinds`` now, from the
        senders in turn (gas: 1.5x the first estimate of each kind)."""
        out = []
        with self.net.lock:
            head = self.dst.head().number
            for kind in kinds:
                account = self.senders[self._next % len(self.senders)]
                self._next += 1
                to, value, data = self._call(kind, self._next)
                if kind not in self._gas:
                    request = CallRequest(sender=account.address, to=to, value=value, data=data)
                    self._gas[kind] = int(self.src.estimate_gas(request) * 1.5)
                raw = self._signed(account, to, value, data, self._gas[kind])
                tx_hash = self.src.send_raw_transaction(raw)
                out.append(Sent(kind, tx_hash, self.now(), head))
        return out

    # ------------------------------------------------------------ reading
    def record(self, sent: Sent) -> MessageRecord | None:
        """The store's record of the message ``sent`` sent (None until its block exists)."""
        found = self.src.transaction(sent.tx_hash)
        if found[1] is None:
            return None
        receipt = self.src.receipt(sent.tx_hash)
        assert receipt is not None and receipt.status == 1, f"send of {sent.kind} failed"
        for log in receipt.logs:
            if log.address == L2_TO_L2_MESSENGER and log.topics[:1] == (SENT_MESSAGE_TOPIC,):
                msg = L2ToL2Message.from_sent_log(log, SOURCE)
                return self.net.messaging.store.get(msg.hash)
        raise AssertionError("no SentMessage log")

    def records(self, sent: Iterable[Sent]) -> list[MessageRecord | None]:
        with self.net.lock:
            return [self.record(s) for s in sent]

    # ------------------------------------------------------------ the clock
    def step(self, seconds: float) -> None:
        while seconds > 0:
            chunk = min(seconds, STEP)
            self.net.advance(chunk)
            seconds -= chunk

    def jump(self, to: float) -> None:
        """Advance to ``to`` in one call, letting the clock skip idle slots.  Used only while
        nothing is pending but a challenge window, and followed by 30 minutes of plain steps
        before the window ends, so every service has caught up (the L1's tail, 128 blocks, is
        25.6 minutes) before anything is due."""
        if to > self.now():
            self.net.advance(to - self.now())

    def until(
        self,
        done: Callable[[], bool],
        *,
        step: float = 2.0,
        limit: float = 30 * 24 * 3600,
        before: Callable[[], float | None] | None = None,
    ) -> None:
        """Step until ``done()``; ``before()`` may name a time to jump to (None: step)."""
        end = self.now() + limit
        while not done():
            if self.now() > end:
                raise TimeoutError("the network did not get there in time")
            target = before() if before is not None else None
            if target is not None and target - self.now() > 2 * STEP:
                self.jump(target)
            self.step(step)

    def origin_of(self, chain_id: int) -> Callable[[Block], int]:
        """The L1 origin number of a block of rollup ``chain_id`` (its sequencer knows)."""
        sequencer = next(s for s in self.net.sequencers if s.chain_id == chain_id)
        return lambda block: sequencer.origin(block).l1.number

    @property
    def settler(self) -> Any:
        settler = self.net.messaging.settler
        assert settler is not None
        return settler

    @staticmethod
    def gas_used(chain: Any, tx_hash: bytes) -> int:
        receipt = chain.receipt(tx_hash)
        assert receipt is not None
        return int(receipt.gas_used)

    def blocks(self, chain: Any, numbers: Iterable[int]) -> list[Block]:
        with self.net.lock:
            return [chain.block(n) for n in sorted(set(numbers))]


def random_gaps(count: int, span: float, seed: int) -> list[float]:
    """``count`` gaps drawn uniformly from [0, span): submission times not on a slot."""
    rng = random.Random(seed)
    return [rng.uniform(0, span) for _ in range(count)]


# ------------------------------------------------------------------ L1 cost of L2 blocks
def da_cost(
    blocks: Sequence[Block], origin: Callable[[Block], int], keep: Callable[[bytes], bool]
) -> dict[str, int]:
    """What posting ``blocks`` as one channel costs on the L1, with only the transactions
    whose hash passes ``keep``: the batcher's own codec and compressor (columnar + brotli-11),
    split as the batcher splits it.  A batcher transaction goes to an EOA inbox, so its gas
    is exactly the intrinsic gas: 21,000 + 16 per non-zero and 4 per zero calldata byte; a
    blob transaction's is 21,000 plus 131,072 blob gas per blob (Cancun, as the L1)."""
    from crossroll.da import Batch, ChannelBuilder, L2BlockData
    from crossroll.rollup.batcher import CALLDATA_FRAME_SIZE, MAX_BLOBS_PER_TX

    data = [
        L2BlockData(
            b.number,
            b.header.timestamp,
            b.header.parent_hash,
            tuple(tx.raw for tx in b.transactions if not tx.is_deposit and keep(tx.hash)),
            origin(b),
        )
        for b in blocks
    ]
    batch = Batch(tuple(data))
    raw = sum(len(tx) for tx in batch.transactions)
    fixed_id = bytes(range(16))  # the batcher's is random; fixed here for repeatable bytes
    calldata_channel = ChannelBuilder(max_frame_size=CALLDATA_FRAME_SIZE).build(
        batch, channel_id=fixed_id
    )
    txs = calldata_channel.transactions()
    calldata_gas = sum(21_000 + sum(16 if byte else 4 for byte in tx) for tx in txs)
    blob_channel = ChannelBuilder().build(batch, channel_id=fixed_id)
    blobs = len(blob_channel.frames)
    return {
        "transactions": len(batch.transactions),
        "raw_bytes": raw,
        "posted_bytes": len(calldata_channel.data),
        "calldata_l1_gas": calldata_gas,
        "blob_l1_gas": 21_000 * -(-blobs // MAX_BLOBS_PER_TX),
        "blobs": blobs,
        "blob_gas": 131_072 * blobs,
    }
