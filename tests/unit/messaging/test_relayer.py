"""The relayer in process: two L2s (901 -> 902, a block every 2 s) on one virtual clock, the
fast-path guard on 902, the indexer keeping the store, and a target on 902 that records its
calls (SettlementProbe)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from eth_abi import decode

from crossroll.abc import ServiceAPI
from crossroll.chain import Chain, ChainConfig
from crossroll.chain.accounts import derive_account
from crossroll.chain.config import DEFAULT_MNEMONIC
from crossroll.chain.rules import L2Rules
from crossroll.clock import VirtualClock
from crossroll.contracts import load
from crossroll.errors import MessageAlreadyRelayed, MessageNotFound, RelayFailed, RelayPending
from crossroll.messaging.addresses import L2_TO_L2_MESSENGER, RELAYER_ACCOUNT_INDEX
from crossroll.messaging.fastpath import InteropGuard, InteropRules
from crossroll.messaging.indexer import MessageIndexer
from crossroll.messaging.l2tol2 import SEND_MESSAGE
from crossroll.messaging.relaycall import fast_calldata
from crossroll.messaging.relayer import Relayer
from crossroll.messaging.store import MessageRecord, MessageStore, Status
from crossroll.rollup.abi import calldata, selector
from crossroll.rollup.transact import sign_1559
from crossroll.types import CallRequest, Hash32

START = 1_700_000_000
PAYLOAD = bytes.fromhex("c0ffee") + b"hello 902"
RELAYER = derive_account(DEFAULT_MNEMONIC, RELAYER_ACCOUNT_INDEX)


@dataclass
class Net:
    clock: VirtualClock
    chains: dict[int, Chain]
    store: MessageStore
    relayer: Relayer
    probe: bytes

    def send(self, data: bytes = PAYLOAD, target: bytes | None = None) -> Hash32:
        """sendMessage(902, target, data) from dev account 0 on 901; the message hash once
        the 901 block holding it is mined."""
        source = self.chains[901]
        me = source.dev_accounts[0].address
        call = calldata(SEND_MESSAGE, 902, target or self.probe, data)
        source.send_transaction(CallRequest(sender=me, to=L2_TO_L2_MESSENGER, data=call))
        before = len(self.store)
        self.clock.advance(2)
        assert len(self.store) == before + 1
        return list(self.store)[-1].msg_hash

    def record(self, msg_hash: Hash32) -> MessageRecord:
        found = self.store.get(msg_hash)
        assert found is not None
        return found

    def probe_calls(self) -> int:
        out = self.chains[902].call(CallRequest(to=self.probe, data=selector("calls()"))).output
        return int(decode(["uint256"], out)[0])

    def relayer_nonce(self) -> int:
        return self.chains[902].account(RELAYER.address).nonce


def run(*services: ServiceAPI, stop: bool = False) -> None:
    for service in services:
        asyncio.run(service.stop() if stop else service.start())


@pytest.fixture
def make_net() -> Iterator[object]:
    made: list[tuple[Net, MessageIndexer]] = []

    def factory(**options: object) -> Net:
        clock = VirtualClock(start=START, tail=10_000)
        chains = {
            cid: Chain(
                ChainConfig(chain_id=cid, rules=L2Rules, block_time=2.0, automine=False), clock
            )
            for cid in (901, 902)
        }
        chains[902].set_tx_guard(InteropGuard(902, chains, InteropRules()))
        me = chains[902].dev_accounts[0].address
        deploy = CallRequest(sender=me, data=load("SettlementProbe").bytecode)
        tx_hash = chains[902].send_transaction(deploy)
        clock.advance(2)
        receipt = chains[902].receipt(tx_hash)
        assert receipt is not None and receipt.contract_address is not None
        probe = receipt.contract_address
        store = MessageStore()
        indexer = MessageIndexer(store, chains, clock)
        relayer = Relayer(store, chains, clock, RELAYER, **options)  # type: ignore[arg-type]
        run(indexer, relayer)
        net = Net(clock, chains, store, relayer, probe)
        made.append((net, indexer))
        return net

    yield factory
    for net, indexer in made:
        run(net.relayer, indexer, stop=True)
        for chain in net.chains.values():
            chain.close()


def test_autorelay_executes_the_message_in_the_next_blocks(make_net: object) -> None:
    net: Net = make_net()  # type: ignore[operator]
    h = net.send()
    sent = net.record(h).sent
    net.clock.advance(4)
    r = net.record(h)
    assert r.status is Status.RELAYED and r.path == "fast" and r.attempts == 1
    assert r.relayed is not None and r.relayed.block_number is not None
    # Sent in a 901 block, relayed at most two 902 blocks (4 s) later.
    assert sent.timestamp is not None and r.relayed.timestamp is not None
    assert 0 < r.relayed.timestamp - sent.timestamp <= 4
    assert net.probe_calls() == 1 and net.relayer_nonce() == 1
    receipt = net.chains[902].receipt(r.relay_tx_hash or b"")
    assert receipt is not None and receipt.status == 1
    tx, _ = net.chains[902].transaction(r.relay_tx_hash or b"")
    assert tx.sender == RELAYER.address and tx.access_list  # key #9, with the access list
    net.clock.advance(60)
    assert net.relayer_nonce() == 1  # and nothing more


def test_delay(make_net: object) -> None:
    net: Net = make_net(delay=10.0)  # type: ignore[operator]
    h = net.send()
    net.clock.advance(8)
    assert net.record(h).status is Status.SENT and net.relayer_nonce() == 0
    net.clock.advance(6)
    assert net.record(h).status is Status.RELAYED and net.probe_calls() == 1


def test_a_message_relayed_by_someone_else_is_not_relayed_again(make_net: object) -> None:
    net: Net = make_net(delay=10.0)  # type: ignore[operator]
    h = net.send()
    r = net.record(h)
    dest = net.chains[902]
    user = dest.dev_accounts[1]
    from crossroll.messaging.accesslist import access_list
    from crossroll.messaging.identifier import msg_hash

    raw = sign_1559(
        user.private_key,
        chain_id=902,
        nonce=0,
        tip=10**9,
        max_fee=10**10,
        gas=500_000,
        to=L2_TO_L2_MESSENGER,
        value=0,
        data=fast_calldata(r.identifier, r.payload),
        access_list=access_list(r.identifier, msg_hash(r.payload)),
    )
    dest.send_raw_transaction(raw)
    net.clock.advance(2)
    assert net.record(h).status is Status.RELAYED
    net.clock.advance(30)  # past the relayer's delay
    assert net.relayer_nonce() == 0 and net.probe_calls() == 1
    with pytest.raises(MessageAlreadyRelayed, match="already relayed on chain 902"):
        net.relayer.relay(h)
    # Even when the store missed the relay, the destination's nullifier is checked first.
    net.store.put(net.record(h).with_step(Status.RELAYED, None))
    with pytest.raises(MessageAlreadyRelayed):
        net.relayer.relay(h)
    assert net.relayer_nonce() == 0


def test_manual_relay_once_with_autorelay_off(make_net: object) -> None:
    net: Net = make_net(autorelay=False)  # type: ignore[operator]
    h = net.send()
    net.clock.advance(20)
    assert net.record(h).status is Status.SENT and net.relayer_nonce() == 0
    with pytest.raises(MessageNotFound):
        net.relayer.relay(b"\x42" * 32)
    r = net.relayer.relay(h)
    assert r.relay_tx_hash is not None and r.attempts == 1 and r.status is Status.SENT
    with pytest.raises(RelayPending, match="pending in tx 0x" + r.relay_tx_hash.hex()):
        net.relayer.relay(h)  # its transaction waits for the next 902 block
    net.clock.advance(2)
    assert net.record(h).status is Status.RELAYED and net.probe_calls() == 1
    with pytest.raises(MessageAlreadyRelayed):
        net.relayer.relay(h)
    assert net.relayer_nonce() == 1


def test_retries_with_backoff_then_gives_up(make_net: object) -> None:
    net: Net = make_net()  # type: ignore[operator]
    dest = net.chains[902]
    me = dest.dev_accounts[0].address
    dest.send_transaction(
        CallRequest(sender=me, to=net.probe, data=calldata("setRevert(bool)", True))
    )
    net.clock.advance(2)
    tries: list[float] = []
    net.store.on_change(
        lambda old, new: (
            tries.append(net.clock.now())
            if old is not None and new.attempts > old.attempts
            else None
        )
    )
    h = net.send()
    net.clock.advance(60)
    r = net.record(h)
    assert r.attempts == 5 and r.gave_up and r.status is Status.FAILED
    assert r.last_error is not None and "execution reverted" in r.last_error
    assert [b - a for a, b in itertools.pairwise(tries)] == [2, 4, 8, 16]
    assert net.relayer_nonce() == 0  # gas estimation failed each time: nothing was sent
    # The target is fixed: a manual relay still works, and only once.
    dest.send_transaction(
        CallRequest(sender=me, to=net.probe, data=calldata("setRevert(bool)", False))
    )
    net.clock.advance(2)
    net.relayer.relay(h)
    net.clock.advance(2)
    assert net.record(h).status is Status.RELAYED and net.probe_calls() == 1


def test_a_relay_that_reverts_on_chain_is_recorded_failed(make_net: object) -> None:
    net: Net = make_net(autorelay=False)  # type: ignore[operator]
    h = net.send()
    dest = net.chains[902]
    user = dest.dev_accounts[0]
    dest.send_transaction(
        CallRequest(sender=user.address, to=net.probe, data=calldata("setRevert(bool)", True))
    )
    net.clock.advance(2)
    r = net.record(h)
    from crossroll.messaging.accesslist import access_list
    from crossroll.messaging.identifier import msg_hash

    raw = sign_1559(
        user.private_key,
        chain_id=902,
        nonce=dest.account(user.address).nonce,
        tip=10**9,
        max_fee=10**10,
        gas=500_000,  # no estimate: the revert happens on chain
        to=L2_TO_L2_MESSENGER,
        value=0,
        data=fast_calldata(r.identifier, r.payload),
        access_list=access_list(r.identifier, msg_hash(r.payload)),
    )
    tx_hash = dest.send_raw_transaction(raw)
    net.clock.advance(2)
    r = net.record(h)
    receipt = dest.receipt(tx_hash)
    assert receipt is not None and receipt.status == 0
    assert r.status is Status.FAILED and r.relay_tx_hash == tx_hash and r.path == "fast"
    assert r.failed is not None and r.failed.block_number == receipt.block_number
    assert r.last_error is not None and r.last_error.startswith("execution reverted")
    assert r.attempts == 0  # the relayer's count; this one was a user's


def test_relay_to_a_chain_that_is_not_here(make_net: object) -> None:
    net: Net = make_net()  # type: ignore[operator]
    source = net.chains[901]
    me = source.dev_accounts[0].address
    call = calldata(SEND_MESSAGE, 999, net.probe, PAYLOAD)
    source.send_transaction(CallRequest(sender=me, to=L2_TO_L2_MESSENGER, data=call))
    net.clock.advance(10)
    [r] = net.store.filter(destination=999)
    assert r.status is Status.SENT and r.attempts == 0  # autorelay leaves it alone
    with pytest.raises(RelayFailed, match="chain 999 is not here"):
        net.relayer.relay(r.msg_hash)


def test_a_relay_dropped_from_the_pool_is_retried(make_net: object) -> None:
    net: Net = make_net()  # type: ignore[operator]
    h = net.send()
    r = net.record(h)
    dest = net.chains[902]
    tx, block = dest.transaction(r.relay_tx_hash or b"")
    assert block is None and r.attempts == 1  # pooled, waiting for the next 902 block
    dest.pool.remove([tx])  # as a block builder refusing it would
    net.clock.advance(2)
    dropped = net.record(h)
    assert dropped.status is Status.FAILED and dropped.attempts == 1
    assert dropped.last_error == "the relay transaction left the pool unmined"
    net.clock.advance(6)
    again = net.record(h)
    assert again.status is Status.RELAYED and again.attempts == 2
    assert again.relay_tx_hash != r.relay_tx_hash and net.probe_calls() == 1
    assert net.relayer_nonce() == 1  # the dropped transaction's nonce was used again


def test_two_messages_relay_in_one_destination_block(make_net: object) -> None:
    net: Net = make_net()  # type: ignore[operator]
    source = net.chains[901]
    me = source.dev_accounts[0].address
    for data in (b"one", b"two"):  # both in the same 901 block
        call = calldata(SEND_MESSAGE, 902, net.probe, data)
        source.send_transaction(CallRequest(sender=me, to=L2_TO_L2_MESSENGER, data=call))
    net.clock.advance(2)
    first, second = list(net.store)
    assert first.block_number == second.block_number
    txs = [net.chains[902].transaction(r.relay_tx_hash or b"")[0] for r in (first, second)]
    assert [tx.nonce for tx in txs] == [0, 1]  # the second counts the first, still pooled
    net.clock.advance(2)
    relayed = [net.record(r.msg_hash).relayed for r in (first, second)]
    assert relayed[0] is not None and relayed[0] == relayed[1]  # the same 902 block
    assert net.probe_calls() == 2 and net.relayer_nonce() == 2
