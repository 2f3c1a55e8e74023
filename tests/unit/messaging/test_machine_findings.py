"""What the messaging state machine (tests/property/test_messaging_machine.py) found in the
relayer, as small deterministic cases: a relay undone by a reorg and stuck behind a nonce gap
is relayed anyway, and a restarted relayer adopts its predecessor's pending relay instead of
re-sending it until it gives up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.accounts import derive_account
from crossroll.chain.config import DEFAULT_MNEMONIC
from crossroll.chain.rules import L2Rules
from crossroll.clock import VirtualClock
from crossroll.messaging.accesslist import access_list
from crossroll.messaging.addresses import L2_TO_L2_MESSENGER, RELAYER_ACCOUNT_INDEX
from crossroll.messaging.crosssafety import CrossSafety
from crossroll.messaging.fastpath import InteropGuard, InteropRules
from crossroll.messaging.identifier import msg_hash
from crossroll.messaging.indexer import MessageIndexer
from crossroll.messaging.l2tol2 import SEND_MESSAGE
from crossroll.messaging.relaycall import fast_calldata
from crossroll.messaging.relayer import Relayer
from crossroll.messaging.reorg import inject_reorg
from crossroll.messaging.store import MessageRecord, MessageStore, Status
from crossroll.rollup.abi import calldata
from crossroll.types import CallRequest

START = 1_700_000_000
TARGET = b"\x11" * 20  # no code: every relay to it succeeds
RELAYER = derive_account(DEFAULT_MNEMONIC, RELAYER_ACCOUNT_INDEX)


@dataclass
class Pair:
    """901 -> 902, both mined by hand, the guard on both, indexer and relayer running."""

    clock: VirtualClock
    chains: dict[int, Chain]
    safety: CrossSafety
    store: MessageStore
    indexer: MessageIndexer
    relayer: Relayer

    def restart(self) -> None:
        asyncio.run(self.relayer.stop())
        asyncio.run(self.indexer.stop())
        self.store = MessageStore()
        self.indexer = MessageIndexer(self.store, self.chains, self.clock)
        self.relayer = Relayer(self.store, self.chains, self.clock, RELAYER)
        asyncio.run(self.indexer.start())
        asyncio.run(self.relayer.start())

    def send(self, note: bytes) -> MessageRecord:
        """sendMessage(902, TARGET, note) from dev account 0, mined in its own 901 block."""
        source = self.chains[901]
        me = source.dev_accounts[0].address
        data = calldata(SEND_MESSAGE, 902, TARGET, note)
        source.send_transaction(CallRequest(sender=me, to=L2_TO_L2_MESSENGER, data=data))
        source.mine(1)
        return list(self.store)[-1]

    def current(self, note: bytes) -> MessageRecord:
        """The newest record of the message carrying ``note`` (a re-mined send is a new
        record)."""
        return [r for r in self.store if r.message.message == note][-1]


@pytest.fixture
def pair() -> Iterator[Pair]:
    clock = VirtualClock(start=START)
    chains = {
        cid: Chain(ChainConfig(chain_id=cid, rules=L2Rules, automine=False), clock)
        for cid in (901, 902)
    }
    guards = {cid: InteropGuard(cid, chains, InteropRules()) for cid in chains}
    for cid, guard in guards.items():
        chains[cid].set_tx_guard(guard)
    safety = CrossSafety(guards, {cid: (lambda: 0) for cid in chains})
    store = MessageStore()
    indexer = MessageIndexer(store, chains, clock)
    made = Pair(clock, chains, safety, store, indexer, Relayer(store, chains, clock, RELAYER))
    asyncio.run(made.indexer.start())
    asyncio.run(made.relayer.start())
    yield made
    asyncio.run(made.relayer.stop())
    asyncio.run(made.indexer.stop())
    for chain in chains.values():
        chain.close()


def test_a_relay_undone_by_a_reorg_and_stuck_in_the_pool_is_relayed_anyway(
    pair: Pair, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    pair.relayer.delay = 10.0  # a user relays first
    b = pair.send(b"B")  # 901 block 1
    a = pair.send(b"A")  # 901 block 2
    pair.clock.advance(5)
    dest = pair.chains[902]
    user = dest.dev_accounts[5].address
    for r in (a, b):  # by hand, in one 902 block: A with nonce 0, B with nonce 1
        request = CallRequest(
            sender=user,
            to=L2_TO_L2_MESSENGER,
            data=fast_calldata(r.identifier, r.payload),
            access_list=access_list(r.identifier, msg_hash(r.payload)),
            gas=500_000,
        )
        dest.send_transaction(request)
    dest.mine(1)
    assert pair.current(b"A").status is pair.current(b"B").status is Status.RELAYED
    inject_reorg(pair.chains[901], 1, lowest=1)  # A's source block goes (B's stays)
    [replaced] = pair.safety.revalidate()  # so 902 block 1 goes, both relays with it
    assert replaced.chain_id == 902
    # A's relay is refused back into the pool; B's is back, behind the nonce gap A left.
    assert [(tx.sender, tx.nonce) for tx in dest.pool] == [(user, 1)]
    for _ in range(60):  # two minutes of blocks on both chains
        pair.chains[901].mine(1)
        dest.mine(1)
        pair.clock.advance(2)
    assert pair.current(b"A").status is Status.RELAYED  # re-sent, relayed by the relayer
    assert pair.current(b"B").status is Status.RELAYED  # retried past the stuck relay


def test_a_restarted_relayer_adopts_its_pending_relay(
    pair: Pair, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    pair.send(b"hi")
    pair.clock.advance(1)  # the relayer sends; 902 has not mined it yet
    assert len(pair.chains[902].pool) == 1
    pair.restart()
    pair.clock.advance(40)  # past the last retry
    pair.chains[902].mine(1)
    record = pair.current(b"hi")
    assert record.status is Status.RELAYED
    assert not record.gave_up and record.attempts <= 1  # adopted, not re-sent
