"""Property tests of idle elision against slow references.

* Without predicates, the virtual clock fires exactly what the clock before elision did
  (:class:`PlainClock`, a copy of its algorithm).
* With predicates, it fires exactly what :class:`NaiveClock` fires: a virtual clock that
  visits every slot and asks every predicate at every occurrence.  So every occurrence whose
  predicate is False fires, at its grid time, in global time order with the other timers.

The timers of a scenario pass work to each other ("tokens"), as a mined L1 block makes an L2
and a proposer busy; idle-aware timers are idle while they hold no token.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from crossroll.clock import VirtualClock
from crossroll.clock.timer import Timer

INTERVALS = [0.5, 1, 1.5, 2, 3, 4, 6, 12]


class NaiveClock(VirtualClock):
    """Reference: skip one idle occurrence at a time and ask the predicate every time."""

    def _elide(self, top: Timer, when: float, known: dict[Timer, bool]) -> None:
        known.clear()
        with self._heap_lock:
            top.rearm(top.index + 1, next(self._seq))
            heapq.heapify(self._heap)


class PlainClock:
    """Reference: the virtual clock before idle elision (heap of (due, seq), periodic timers
    re-armed at due + interval)."""

    def __init__(self, start: float) -> None:
        self._now = start
        self._heap: list[list[Any]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    def call_later(self, delay: float, action: Callable[[], Any]) -> Any:
        entry = [self._now + delay, next(self._seq), action, None, False]
        heapq.heappush(self._heap, entry)
        return entry

    def call_at(self, when: float, action: Callable[[], Any]) -> Any:
        return self.call_later(when - self._now, action)

    def every(self, interval: float, action: Callable[[], Any], **_: Any) -> Any:
        entry = [self._now + interval, next(self._seq), action, interval, False]
        heapq.heappush(self._heap, entry)
        return entry

    @staticmethod
    def cancel(entry: Any) -> None:
        entry[4] = True

    def advance(self, seconds: float) -> int:
        until, fired = self._now + seconds, 0
        while self._heap and self._heap[0][0] <= until:
            entry = heapq.heappop(self._heap)
            if entry[4]:
                continue
            due = entry[0]
            if entry[3] is not None:  # the same entry, so a handle cancels it
                entry[0], entry[1] = due + entry[3], next(self._seq)
                heapq.heappush(self._heap, entry)
            self._now = max(self._now, due)
            entry[2]()
            fired += 1
        self._now = until
        return fired


@dataclass(frozen=True)
class Periodic:
    interval: float
    aware: bool  # carries an idle predicate
    feeds: tuple[int, ...]  # periodic timers it hands a token to when it does work


@dataclass(frozen=True)
class OneShot:
    at: float
    feeds: tuple[int, ...]
    respawn: float | None  # schedule a copy of itself this much later (once)
    cancels: int | None  # cancel this periodic timer


@dataclass(frozen=True)
class Scenario:
    periodic: tuple[Periodic, ...]
    once: tuple[OneShot, ...]
    advances: tuple[float, ...]
    tail: int


def run(clock: Any, scenario: Scenario) -> tuple[list[tuple[Any, ...]], list[int], list[int]]:
    """The scenario on ``clock``: the log of fired actions, the tokens left, fired counts."""
    log: list[tuple[Any, ...]] = []
    tokens = [0] * len(scenario.periodic)
    handles: list[Any] = []

    def cancel(index: int) -> None:
        handle = handles[index]
        handle.cancel() if hasattr(handle, "cancel") else PlainClock.cancel(handle)

    def periodic(i: int, spec: Periodic) -> Callable[[], None]:
        count = itertools.count()

        def action() -> None:
            log.append(("every", i, clock.now()))
            worked = tokens[i] > 0 if spec.aware else next(count) % 3 == 0
            tokens[i] = 0
            if worked:
                for j in spec.feeds:
                    tokens[j] += 1

        return action

    def once(k: int, spec: OneShot, copy: bool) -> Callable[[], None]:
        def action() -> None:
            log.append(("once", k, copy, clock.now()))
            for j in spec.feeds:
                tokens[j] += 1
            if spec.cancels is not None:
                cancel(spec.cancels)
            if spec.respawn is not None and not copy:
                clock.call_later(spec.respawn, once(k, spec, True))

        return action

    for i, spec in enumerate(scenario.periodic):
        idle = (lambda i=i: tokens[i] == 0) if spec.aware else None
        handles.append(clock.every(spec.interval, periodic(i, spec), idle=idle))
    for k, shot in enumerate(scenario.once):
        clock.call_at(clock.now() + shot.at, once(k, shot, False))
    fired = [clock.advance(seconds) for seconds in scenario.advances]
    return log, tokens, fired


def scenarios(*, aware: bool) -> st.SearchStrategy[Scenario]:
    @st.composite
    def build(draw: st.DrawFn) -> Scenario:
        n = draw(st.integers(1, 5))
        feeds = st.lists(st.integers(0, n - 1), max_size=2).map(tuple)
        periodic = tuple(
            Periodic(
                draw(st.sampled_from(INTERVALS)),
                draw(st.booleans()) if aware else False,
                draw(feeds),
            )
            for _ in range(n)
        )
        once = draw(
            st.lists(
                st.builds(
                    OneShot,
                    st.integers(0, 800).map(lambda x: x / 2),
                    feeds,
                    st.none() | st.integers(0, 100).map(lambda x: x / 2),
                    st.none() | st.integers(0, n - 1) if draw(st.booleans()) else st.none(),
                ),
                max_size=5,
            )
        )
        advances = draw(st.lists(st.integers(0, 600).map(lambda x: x / 2), min_size=1, max_size=4))
        return Scenario(periodic, tuple(once), tuple(advances), draw(st.integers(0, 4)))

    return build()


@settings(max_examples=300, deadline=None)
@given(scenarios(aware=False))
def test_without_predicates_the_clock_fires_as_before(scenario: Scenario) -> None:
    new = run(VirtualClock(start=1000, tail=scenario.tail), scenario)
    old = run(PlainClock(1000), scenario)
    assert new == old


@settings(max_examples=400, deadline=None)
@given(scenarios(aware=True))
def test_eliding_fires_exactly_what_visiting_every_slot_fires(scenario: Scenario) -> None:
    clock = VirtualClock(start=1000, tail=scenario.tail)
    fast = run(clock, scenario)
    slow = run(NaiveClock(start=1000, tail=scenario.tail), scenario)
    assert fast == slow
    log = fast[0]
    times = [entry[-1] for entry in log]
    assert times == sorted(times)  # global time order
    for entry in log:  # periodic occurrences fire on their grid
        if entry[0] == "every":
            interval = scenario.periodic[entry[1]].interval
            assert ((entry[2] - 1000) / interval).is_integer()


@settings(max_examples=200, deadline=None)
@given(scenarios(aware=True))
def test_the_last_tail_slots_of_every_timer_fire(scenario: Scenario) -> None:
    scenario = Scenario(
        tuple(Periodic(p.interval, True, ()) for p in scenario.periodic),
        (),
        scenario.advances[:1],
        scenario.tail,
    )
    log, _, _ = run(VirtualClock(start=1000, tail=scenario.tail), scenario)
    end = 1000 + scenario.advances[0]
    for i, spec in enumerate(scenario.periodic):
        slots = int(scenario.advances[0] // spec.interval)
        every_slot = [1000 + spec.interval * k for k in range(1, slots + 1)]
        expected = every_slot[len(every_slot) - min(scenario.tail, slots) :]
        assert [e[2] for e in log if e[1] == i] == expected
        assert all(t <= end for t in expected)
