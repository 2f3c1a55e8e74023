"""The relayer's settled path in process: 901 sends, the L1 hub settles 901's outbox, 902
learns the global root, then the relayer relays with relaySettledMessage and a Merkle proof;
never before the message is settled, and never a second time on either path."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from crossroll.chain.accounts import derive_account
from crossroll.chain.config import DEFAULT_MNEMONIC
from crossroll.contracts import load
from crossroll.errors import MessageAlreadyRelayed, MessageNotSettled
from crossroll.l1.view import LocalL1View
from crossroll.messaging.addresses import L2_TO_L2_MESSENGER, RELAYER_ACCOUNT_INDEX
from crossroll.messaging.indexer import MessageIndexer
from crossroll.messaging.l2tol2 import SEND_MESSAGE
from crossroll.messaging.relayer import Relayer
from crossroll.messaging.settled import hub_updates, known_global_root, settled_proof
from crossroll.messaging.store import MessageRecord, MessageStore, Status, Step
from crossroll.rollup.abi import calldata
from crossroll.types import CallRequest
from tests.unit.messaging.test_settled_contracts import World, make_world

RELAYER = derive_account(DEFAULT_MNEMONIC, RELAYER_ACCOUNT_INDEX)


@pytest.fixture
def world() -> Iterator[World]:
    with make_world(forwarder=False) as w:
        yield w


def test_settled_relay_waits_for_settlement_and_relays_once(world: World) -> None:
    l901, l902 = world.l2s[901], world.l2s[902]
    me = l902.dev_accounts[0].address
    deployed = l902.receipt(
        l902.send_transaction(CallRequest(sender=me, data=load("SettlementProbe").bytecode))
    )
    assert deployed is not None and deployed.contract_address is not None
    probe = deployed.contract_address

    def proof(record: MessageRecord) -> object:
        root = known_global_root(l902)
        updates = hub_updates(LocalL1View(world.l1), world.hub)
        return settled_proof(l901, record.msg_hash, root, updates)

    store = MessageStore()
    indexer = MessageIndexer(store, world.l2s, world.clock)
    relayer = Relayer(
        store,
        world.l2s,
        world.clock,
        RELAYER,
        path="settled",
        proofs=proof,  # type: ignore[arg-type]
    )
    for service in (indexer, relayer):
        asyncio.run(service.start())
    try:
        sent = calldata(SEND_MESSAGE, 902, probe, b"settled hello")
        l901.send_transaction(CallRequest(sender=me, to=L2_TO_L2_MESSENGER, data=sent))
        [record] = list(store)
        h = record.msg_hash
        world.clock.advance(30)
        assert store.get(h).status is Status.SENT  # type: ignore[union-attr]
        assert l902.account(RELAYER.address).nonce == 0  # nothing before it is settled
        with pytest.raises(MessageNotSettled, match="not settled yet"):
            relayer.relay(h, settled=True)

        index, block = world.propose(901)
        world.finalize()
        world.prove(901, index, block)
        root = bytes(world.view(world.hub, "latestGlobalRoot()", returns="bytes32"))
        world.deliver(902, root)
        # What the indexer reports once the hub's root covers the block and 902 knows it.
        store.update(h, lambda r: r.with_step(Status.SETTLED, Step(world.clock.now())))
        world.clock.advance(1)

        r = store.get(h)
        assert r is not None and r.status is Status.RELAYED and r.path == "settled"
        assert r.attempts == 1 and r.failed is None  # 902 automines: relayed inside the send
        tx, _ = l902.transaction(r.relay_tx_hash or b"")
        assert tx.sender == RELAYER.address and tx.access_list == ()
        calls = l902.call(CallRequest(to=probe, data=calldata("calls()"))).output
        assert int.from_bytes(calls, "big") == 1
        for settled in (True, False):  # one nullifier for both paths
            with pytest.raises(MessageAlreadyRelayed):
                relayer.relay(h, settled=settled)
        assert l902.account(RELAYER.address).nonce == 1
    finally:
        for service in (relayer, indexer):
            asyncio.run(service.stop())
