"""Idle elision on the virtual clock: idle occurrences of idle-aware periodic timers are
skipped (all but the last ``tail`` before the target), long advances cost the work done,
and the timers fire exactly as if every slot had been visited."""

from __future__ import annotations

import asyncio
import time

import pytest

from crossroll.clock import VirtualClock, WallClock
from crossroll.errors import ClockError

WEEK = 7 * 24 * 3600


def test_an_always_idle_timer_fires_only_its_tail() -> None:
    clock = VirtualClock(start=0, tail=128)
    seen: list[float] = []
    checks: list[float] = []

    def idle() -> bool:
        checks.append(clock.now())
        return True

    clock.every(12, lambda: seen.append(clock.now()), idle=idle)
    assert clock.advance(WEEK) == 128
    last = WEEK // 12 * 12
    assert seen == [last - 12 * i for i in range(127, -1, -1)]
    assert len(checks) == 1  # one look-ahead, not 50,400 predicate calls
    assert clock.now() == WEEK
    clock.advance(24)  # the timer is back on its grid, in a short advance nothing is skipped
    assert seen[-2:] == [last + 12, last + 24]


def test_a_timer_without_predicate_is_never_skipped() -> None:
    clock = VirtualClock(start=0, tail=0)
    seen: list[float] = []
    clock.every(3600, lambda: seen.append(clock.now()))
    clock.advance(WEEK)
    assert len(seen) == 168


def test_a_busy_timer_fires_at_its_next_slot_after_a_one_shot_woke_it() -> None:
    clock = VirtualClock(start=0, tail=2)
    pending: list[str] = []
    mined: list[tuple[float, list[str]]] = []

    def mine() -> None:
        mined.append((clock.now(), list(pending)))
        pending.clear()

    clock.every(12, mine, idle=lambda: not pending)
    clock.call_at(1000, lambda: pending.append("tx"))
    clock.call_at(50_005, lambda: pending.append("tx2"))
    fired = clock.advance(100_000)
    # 1008 and 50,016 are the first slots after each transaction; 99,984 and 99,996 the tail
    assert mined == [(1008, ["tx"]), (50_016, ["tx2"]), (99_984, []), (99_996, [])]
    assert fired == 2 + 4


def test_a_tail_of_zero_skips_every_idle_slot_and_keeps_the_grid() -> None:
    clock = VirtualClock(start=5, tail=0)
    seen: list[float] = []
    busy: list[int] = []
    timer = clock.every(2, lambda: seen.append(clock.now()), idle=lambda: not busy)
    assert clock.advance(1000) == 0
    assert timer.due == 1007  # first slot after the target: 5 + 2k
    busy.append(1)
    clock.advance(4)
    assert seen == [1007, 1009]


def test_a_predicate_is_checked_again_only_after_an_action_fired() -> None:
    clock = VirtualClock(start=0, tail=0)
    checks: list[float] = []

    def idle() -> bool:
        checks.append(clock.now())
        return True

    clock.every(1, lambda: None, idle=idle)
    for at in (100, 200, 300):
        clock.call_at(at + 0.5, lambda: None)
    clock.advance(1000)
    assert checks == [1, 101, 201, 301]


def test_timers_that_fire_wake_others_in_the_same_advance() -> None:
    """An L1-like timer mines a deposit; an L2-like timer is busy until it took it; a
    proposer-like one is busy while the L2 head moved since its last look."""
    clock = VirtualClock(start=0, tail=1)
    l1_pool: list[str] = []
    l1: list[float] = []
    l2: list[float] = []
    proposer: list[float] = []
    state = {"deposits": 0, "l2_seen": 0, "proposed": 0}

    def mine_l1() -> None:
        l1.append(clock.now())
        state["deposits"] += len(l1_pool)
        l1_pool.clear()

    def mine_l2() -> None:
        l2.append(clock.now())
        state["deposits"] = 0

    def propose() -> None:
        proposer.append(clock.now())
        state["proposed"] += len(l2) > state["l2_seen"]
        state["l2_seen"] = len(l2)

    clock.every(12, mine_l1, idle=lambda: not l1_pool)
    clock.every(2, mine_l2, idle=lambda: not state["deposits"])
    clock.every(6, propose, idle=lambda: len(l2) == state["l2_seen"])
    clock.call_at(100, lambda: l1_pool.append("deposit"))
    clock.advance(WEEK)
    assert l1 == [108, WEEK]  # the deposit's block, then the tail slot
    # at 108 the L1 timer (scheduled at 96) sorts before the L2 one (scheduled at 106), so
    # the L2 takes the deposit in the same second
    assert l2 == [108, WEEK]
    # the proposer's slot at 108 comes before the L2's (scheduled at 102): it sees the new
    # block at 114; in the tail it looks once more, before the last L2 block
    assert proposer == [114, WEEK]
    assert state["proposed"] == 1


def test_the_wall_clock_ignores_idle() -> None:
    async def run() -> list[float]:
        clock = WallClock()
        clock.attach(asyncio.get_running_loop())
        seen: list[float] = []
        timer = clock.every(0.01, lambda: seen.append(time.time()), idle=lambda: True)
        await asyncio.sleep(0.1)
        timer.cancel()
        clock.detach()
        return seen

    assert len(asyncio.run(run())) >= 3


def test_misuse_is_a_clock_error() -> None:
    with pytest.raises(ClockError):
        VirtualClock(start=0, tail=-1)
    clock = VirtualClock(start=0)
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ClockError):
            clock.advance(bad)
    assert clock.now() == 0
