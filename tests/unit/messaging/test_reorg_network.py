"""Reorg injection on a whole devnet: the executing block on 902 that relied on a reorged 901
block is replaced by a deposits-only block, the message is relayed again once its initiating
transaction is mined again, and it executes exactly once; a relayed block is not batched
while its source is unsafe; bad input changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from crossroll.errors import InvalidParams, RollupError
from crossroll.messaging.addresses import L2_TO_L2_MESSENGER
from crossroll.messaging.fastpath import executing_messages
from crossroll.messaging.l2tol2 import RELAYED_MESSAGE_TOPIC
from crossroll.network import Network
from crossroll.types import LogFilter
from tests.unit.messaging.test_relayer_network import FREE, send


@pytest.fixture
def net() -> Iterator[Network]:
    with Network.start(virtual_time=True, **FREE) as network:  # type: ignore[arg-type]
        yield network


def relayed_logs(net: Network, msg_hash: bytes) -> int:
    chain = net.chain(902).chain
    with net.lock:
        flt = LogFilter(
            from_block=0,
            to_block=chain.head().number,
            addresses=(L2_TO_L2_MESSENGER,),
            topics=((RELAYED_MESSAGE_TOPIC,), None, None, (msg_hash,)),
        )
        return len(chain.logs(flt))


@pytest.mark.slow
def test_reorged_source_replaces_the_relay_and_the_message_executes_once(net: Network) -> None:
    record = send(net)  # mined on 901; autorelay on
    net.advance(2)
    record = net.message(record.msg_hash)
    assert record.relayed is not None and relayed_logs(net, record.msg_hash) == 1
    relay_block = net.chain(902).chain.receipt(record.relay_tx_hash or b"").block_number  # type: ignore[union-attr]
    old = net.chain(902).chain.block(relay_block)
    # the relay's block waits for 901's block to be safe before it is batched
    assert net.messaging.cross is not None
    with net.lock:
        assert net.messaging.cross.batch_limit(902) < relay_block
    depth = net.chain(901).chain.head().number - record.identifier.block_number + 1
    replaced = net.inject_reorg(901, depth)
    assert replaced.chain_id == 901 and len(replaced.removed) == depth
    with net.lock:
        new = net.chain(902).chain.block(relay_block)
        assert new.hash != old.hash
        assert not any(executing_messages(r.logs) for r in new.receipts)
    assert relayed_logs(net, record.msg_hash) == 0
    for _ in range(10):  # the send is mined again, then relayed again, by autorelay
        net.advance(2)
        if relayed_logs(net, record.msg_hash):
            break
    assert relayed_logs(net, record.msg_hash) == 1
    final = net.message(record.msg_hash)
    assert final.identifier.block_number > record.identifier.block_number - 1
    assert final.relayed is not None
    net.advance(12)
    assert relayed_logs(net, record.msg_hash) == 1  # never twice


@pytest.mark.slow
def test_reorg_bad_input_changes_nothing(net: Network) -> None:
    net.advance(30)  # the batcher has posted some blocks by now
    head = net.chain(901).chain.head().hash
    rpc = net.admin.dispatcher.call
    with pytest.raises(InvalidParams, match="no rollup 905"):
        rpc("crossroll_injectReorg", [905, 1])
    with pytest.raises(RollupError, match="already batched"):
        net.inject_reorg(901, net.chain(901).chain.head().number)
    with pytest.raises(RollupError, match="at least 1"):
        net.inject_reorg(901, 0)
    assert net.chain(901).chain.head().hash == head
    answer = rpc("crossroll_injectReorg", [901, 1])
    assert answer["chainId"] == 901 and len(answer["removed"]) == 1


def test_message_events_are_logged_with_the_hash(
    net: Network, caplog: pytest.LogCaptureFixture
) -> None:
    """The SentMessage / RelayedMessage lines ``crossroll up`` prints (Supersim's form)."""
    events = logging.getLogger("crossroll.messaging.events")
    events.addHandler(caplog.handler)  # `crossroll up` (run in-process elsewhere) stops propagation
    try:
        with caplog.at_level(logging.INFO, logger=events.name):
            record = send(net)
            net.advance(4)
    finally:
        events.removeHandler(caplog.handler)
    lines = [r.getMessage() for r in caplog.records if r.name == "crossroll.messaging.events"]
    h = "0x" + record.msg_hash.hex()
    assert any(
        line.startswith("L2ToL2CrossDomainMessenger#SentMessage sourceChainID=901")
        and f"msgHash={h}" in line
        for line in lines
    )
    assert any("#RelayedMessage" in line and f"msgHash={h}" in line for line in lines)
