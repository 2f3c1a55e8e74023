import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossroll.clock import VirtualClock
from crossroll.errors import ClockError


def test_time_stands_still_until_advanced():
    clock = VirtualClock(start=1000)
    fired = []
    clock.call_later(5, lambda: fired.append(clock.now()))
    assert clock.now() == 1000 and fired == []
    assert clock.advance(4) == 0
    assert clock.advance(1) == 1
    assert fired == [1005]


def test_periodic_timer_fires_at_each_due_time_and_cancels():
    clock = VirtualClock(start=0)
    seen = []
    timer = clock.every(2, lambda: seen.append(clock.now()))
    clock.advance(7)
    assert seen == [2, 4, 6]
    assert clock.now() == 7
    timer.cancel()
    clock.advance(10)
    assert seen == [2, 4, 6]
    assert clock.pending() == 0


def test_seven_day_window_passes_at_once():
    clock = VirtualClock(start=0)
    blocks = []
    clock.every(12, lambda: blocks.append(clock.now()))
    clock.advance(7 * 24 * 3600)
    assert len(blocks) == 7 * 24 * 300


def test_actions_may_schedule_more_actions():
    clock = VirtualClock(start=0)
    seen = []

    def chain(n):
        seen.append((n, clock.now()))
        if n < 3:
            clock.call_later(1, lambda: chain(n + 1))

    clock.call_later(1, lambda: chain(1))
    clock.advance(10)
    assert seen == [(1, 1), (2, 2), (3, 3)]


def test_failing_action_does_not_stop_the_clock():
    clock = VirtualClock(start=0)
    seen = []
    clock.call_later(1, lambda: 1 / 0)
    clock.call_later(2, lambda: seen.append(clock.now()))
    assert clock.advance(3) == 2
    assert seen == [2]


def test_step_jumps_to_next_event():
    clock = VirtualClock(start=0)
    clock.call_later(3600, lambda: None)
    assert clock.step() is True and clock.now() == 3600
    assert clock.step() is False


def test_misuse_is_a_clock_error():
    clock = VirtualClock(start=10)
    with pytest.raises(ClockError):
        clock.advance(-1)
    with pytest.raises(ClockError):
        clock.every(0, lambda: None)
    with pytest.raises(ClockError):
        clock.call_later(-1, lambda: None)


@given(
    st.lists(st.floats(min_value=0, max_value=1000, allow_nan=False), max_size=30),
    st.lists(st.floats(min_value=0, max_value=300, allow_nan=False), max_size=10),
)
def test_actions_fire_in_due_order_at_their_due_time(delays, steps):
    clock = VirtualClock(start=0)
    fired = []
    for i, d in enumerate(delays):
        clock.call_later(d, lambda i=i, d=d: fired.append((clock.now(), d, i)))
    for s in steps:
        clock.advance(s)
    clock.advance(1001)
    assert len(fired) == len(delays)
    assert all(now == d for now, d, _ in fired)
    assert [(d, i) for _, d, i in fired] == sorted((d, i) for i, d in enumerate(delays))
