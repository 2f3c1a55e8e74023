"""A bundle waiting for a far-off minTimestamp is not work: on a virtual clock the shared
sequencer skips the empty slots until it is due, and is woken for exactly that slot."""

from __future__ import annotations

import time

import pytest

from crossroll.sequencing.bundle import BundleStatus
from crossroll.sequencing.sequencer import SharedSequencer
from tests.unit.sequencing.helpers import Wallet, shared_net

SLOT = 2.0
WAIT = 1000  # seconds until the bundle's minTimestamp
AHEAD = 2000  # seconds the clock advances in one go


def sequencer(net: object) -> SharedSequencer:
    shared = net.sequencing.shared  # type: ignore[attr-defined]
    assert shared is not None
    return shared.sequencer  # type: ignore[no-any-return]


@pytest.mark.slow  # ~6 s: the clock's last 128 slots always fire
def test_a_parked_bundle_lets_the_clock_skip_the_empty_slots() -> None:
    with shared_net() as net:
        net.advance(SLOT)
        seq = sequencer(net)
        me = Wallet(net, net.accounts[0])
        with net.lock:
            low = seq.next_slot_timestamp() + WAIT
        h = net.send_bundle([(901, me.tx(901, me.address, value=1))], min_timestamp=low)
        with net.lock:
            assert seq.idle()  # only a bundle that is not due yet
            assert seq._wake.timer is not None  # woken when it is
        first = seq.soft_slot() or 0
        started = time.perf_counter()
        net.advance(AHEAD)
        elapsed = time.perf_counter() - started
        record = net.bundle(h)
        assert record.status is BundleStatus.INCLUDED
        assert record.slot is not None
        # Built in the first slot at or after minTimestamp: not skipped past it.
        assert low <= seq.slot(record.slot).timestamp < low + 2 * SLOT
        built = (seq.soft_slot() or 0) - first
        # Every slot would be 1,000; the clock fires its last 128 occurrences anyway.
        assert built < 200, built
        assert elapsed < 20


def test_a_due_bundle_is_work() -> None:
    with shared_net() as net:
        seq = sequencer(net)
        me = Wallet(net, net.accounts[0])
        net.advance(SLOT)
        with net.lock:
            assert seq.idle()
            now = seq.next_timestamp()  # a slot built now
        net.send_bundle([(901, me.tx(901, me.address, value=1))], min_timestamp=now)
        with net.lock:
            assert not seq.idle()
