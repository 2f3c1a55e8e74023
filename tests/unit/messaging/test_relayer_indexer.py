"""The indexer's view of reorgs: a message whose source block is replaced says ``reorged``
(and comes back when its transaction is mined again), a relay whose destination block is
replaced is relayed no more until it is mined again, and the relayer sends nothing twice."""

from __future__ import annotations

from crossroll.messaging.reorg import replace_blocks
from crossroll.messaging.store import Status

# make_net is the relayer tests' fixture, shared by importing it.
from tests.unit.messaging.test_relayer import Net
from tests.unit.messaging.test_relayer import make_net as make_net


def test_a_reorged_source_block_marks_the_message(make_net: object) -> None:
    net: Net = make_net(autorelay=False)  # type: ignore[operator]
    h = net.send()
    first = net.record(h)
    source = net.chains[901]
    source.set_interval_mining(0)  # the replacement first; the transaction stays pooled
    replace_blocks(source, first.block_number)
    r = net.record(h)
    assert r.status is Status.REORGED and r.reorged is not None
    assert r.reorged.block_number == first.block_number
    source.mine()  # the re-queued sendMessage, in a later block
    again = net.record(h)
    assert again.status is Status.SENT and again.reorged is None
    assert again.block_number > first.block_number
    assert again.source_block_hash != first.source_block_hash
    assert again.identifier.block_number == again.block_number


def test_a_reorged_relay_is_not_sent_again(make_net: object) -> None:
    net: Net = make_net()  # type: ignore[operator]
    h = net.send()
    net.clock.advance(4)
    relayed = net.record(h)
    assert relayed.status is Status.RELAYED and relayed.relayed is not None
    dest = net.chains[902]
    dest.set_interval_mining(0)
    replace_blocks(dest, relayed.relayed.block_number or 0)
    undone = net.record(h)
    assert undone.status is Status.SENT and undone.relayed is None
    assert net.probe_calls() == 0
    dest.mine()  # the relay transaction, re-queued, mined again
    again = net.record(h)
    assert again.status is Status.RELAYED and again.relay_tx_hash == relayed.relay_tx_hash
    assert net.probe_calls() == 1 and net.relayer_nonce() == 1
