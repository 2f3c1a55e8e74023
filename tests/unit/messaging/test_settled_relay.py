"""The settled path end to end through the real messenger: sendMessage on 901 appends to its
outbox, the L1 hub settles it, 902 learns the global root, and relaySettledMessage with a
proof from crossroll.messaging.settled calls the target once, and only once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from eth_abi import decode

from crossroll.chain import Chain
from crossroll.contracts import load
from crossroll.errors import ExecutionReverted
from crossroll.l1.view import LocalL1View
from crossroll.messaging.addresses import L2_TO_L2_MESSENGER, MESSAGE_OUTBOX
from crossroll.messaging.l2tol2 import SEND_MESSAGE, SENT_MESSAGE_TOPIC, L2ToL2Message
from crossroll.messaging.merkle import message_leaf
from crossroll.messaging.settled import hub_updates, outbox_tree, settled_proof
from crossroll.rollup.abi import calldata, selector
from crossroll.types import CallRequest, Receipt
from tests.unit.messaging.test_settled_contracts import World, err, make_world

PAYLOAD = bytes.fromhex("deadbeef") + b"settled hello"


@pytest.fixture
def real_world() -> Iterator[World]:
    with make_world(forwarder=False) as w:
        yield w


def transact(chain: Chain, to: bytes | None, data: bytes, gas: int = 1_000_000) -> Receipt:
    sender = chain.dev_accounts[0].address
    receipt = chain.receipt(
        chain.send_transaction(CallRequest(sender=sender, to=to, data=data, gas=gas))
    )
    assert receipt is not None
    return receipt


def probe_view(chain: Chain, probe: bytes, signature: str, typ: str) -> object:
    out = chain.call(CallRequest(to=probe, data=selector(signature))).output
    return decode([typ], out)[0]


def test_a_settled_message_relays_once(real_world: World) -> None:
    w = real_world
    l901, l902 = w.l2s[901], w.l2s[902]
    deployed = transact(l902, None, load("SettlementProbe").bytecode, gas=3_000_000)
    probe = deployed.contract_address
    assert probe is not None

    sent = transact(l901, L2_TO_L2_MESSENGER, calldata(SEND_MESSAGE, 902, probe, PAYLOAD))
    assert sent.status == 1
    [log] = [lg for lg in sent.logs if lg.topics[:1] == (SENT_MESSAGE_TOPIC,)]
    msg = L2ToL2Message.from_sent_log(log, 901)
    # The messenger appended the message's hash to the outbox in the same transaction.
    assert outbox_tree(l901, sent.block_number).leaves == (message_leaf(msg.hash),)
    assert any(lg.address == MESSAGE_OUTBOX for lg in sent.logs)

    index, block = w.propose(901)
    w.finalize()
    w.prove(901, index, block)
    root = bytes(w.view(w.hub, "latestGlobalRoot()", returns="bytes32"))
    proof = settled_proof(l901, msg.hash, root, hub_updates(LocalL1View(w.l1), w.hub))

    def relay(data: bytes) -> str | None:
        try:
            l902.call(CallRequest(to=L2_TO_L2_MESSENGER, data=data, gas=1_000_000))
        except ExecutionReverted as exc:
            return str(exc.data)
        return None

    good = msg.relay_settled_calldata(proof.as_abi())
    assert relay(good) == err("UnknownRoot(bytes32)", root)  # 902 has not learned it yet
    w.deliver(902, root)
    forged = replace(msg, message=PAYLOAD + b"!")
    assert relay(forged.relay_settled_calldata(proof.as_abi())) == err("RootMismatch()")

    relayed = transact(l902, L2_TO_L2_MESSENGER, good)
    assert relayed.status == 1
    assert probe_view(l902, probe, "calls()", "uint256") == 1
    assert probe_view(l902, probe, "lastCaller()", "address") == "0x" + L2_TO_L2_MESSENGER.hex()
    assert probe_view(l902, probe, "lastData()", "bytes") == PAYLOAD
    assert relay(good) == err("MessageAlreadyRelayed()")  # one nullifier for both paths
    assert transact(l902, L2_TO_L2_MESSENGER, good).status == 0
    assert probe_view(l902, probe, "calls()", "uint256") == 1
