"""The settler on the clock: it proves an outbox root once its output is finalized, only when
the root changed, and what it proves is what destinations verify against."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from crossroll.l1.view import LocalL1View
from crossroll.messaging.merkle import MessageTree, rollup_leaf
from crossroll.messaging.settled import hub_updates, outbox_tree, settled_proof
from crossroll.messaging.settler import Settler
from tests.unit.messaging.test_settled_contracts import MSGS, World, make_world, verify
from tests.unit.rollup.conftest import client_of


@pytest.fixture
def world() -> Iterator[World]:
    with make_world() as w:
        yield w


def make_settler(w: World) -> Settler:
    account = w.l1.dev_accounts[5]
    view = LocalL1View(w.l1)
    return Settler(client_of(w.l1, w.clock), view, w.addrs, w.l2s, w.clock, account)


def hub_root(w: World) -> bytes:
    return bytes(w.view(w.hub, "latestGlobalRoot()", returns="bytes32"))


def test_settler_proves_finalized_changed_outboxes(world: World) -> None:
    settler = make_settler(world)
    settler.tick()
    assert settler.settled == () and settler.idle()  # no output anywhere

    world.send(901, *MSGS[:2])
    index, block = world.propose(901)
    world.propose(902)  # 902 sent nothing: its empty outbox is never proven
    assert not settler.idle()  # the heads moved
    settler.tick()
    assert settler.settled == () and settler.idle()  # not finalized yet

    world.finalize()
    settler.tick()
    [first] = settler.settled
    root = outbox_tree(world.l2s[901], block).root()
    assert (first.chain_id, first.l2_output_index, first.l2_block_number) == (901, index, block)
    assert first.outbox_root == root
    assert world.l1.receipt(first.l1_tx_hash).status == 1  # type: ignore[union-attr]
    assert hub_root(world) == MessageTree([rollup_leaf(901, root)]).root()
    settler.tick()
    assert len(settler.settled) == 1 and settler.idle()

    world.propose(901)  # a newer output, same outbox: nothing to prove
    world.finalize()
    settler.tick()
    assert len(settler.settled) == 1

    world.send(901, MSGS[2])
    index, block = world.propose(901)
    world.finalize()
    settler.tick()
    assert [(s.l2_output_index, s.l2_block_number) for s in settler.settled[1:]] == [(index, block)]
    assert len(outbox_tree(world.l2s[901], block)) == 3

    # What a destination verifies: the proof against the root the settler produced.
    world.deliver(902, hub_root(world))
    updates = hub_updates(LocalL1View(world.l1), world.hub)
    assert [u.l1_block_number for u in updates] == [s.l1_block_number for s in settler.settled]
    proof = settled_proof(world.l2s[901], MSGS[2], hub_root(world), updates)
    assert verify(world, 901, MSGS[2], proof) is None


def test_settler_runs_on_the_clock_and_a_new_settler_resumes(world: World) -> None:
    settler = make_settler(world)
    asyncio.run(settler.start())
    try:
        world.send(901, MSGS[0])
        world.propose(901)
        world.finalize()  # seven days of idle ticks
        world.clock.advance(12)
        assert [s.chain_id for s in settler.settled] == [901]
    finally:
        asyncio.run(settler.stop())
    settled_root = hub_root(world)
    fresh = make_settler(world)  # the hub is the only state: nothing to redo
    fresh.tick()
    assert fresh.settled == () and hub_root(world) == settled_root
