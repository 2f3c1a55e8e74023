import asyncio
import threading

import pytest

from crossroll.clock import WallClock
from crossroll.errors import ClockError


def test_wall_clock_fires_on_its_loop_holding_the_lock():
    lock = threading.RLock()
    clock = WallClock(lock=lock)
    seen = []

    async def main():
        clock.attach(asyncio.get_running_loop())
        done = asyncio.Event()

        def action():
            seen.append(lock._is_owned())  # type: ignore[attr-defined]
            if seen.count(True) == 3:
                done.set()

        timer = clock.every(0.01, action)
        clock.call_later(0.0, lambda: seen.append("once"))
        await asyncio.wait_for(done.wait(), 5)
        timer.cancel()
        clock.detach()

    asyncio.run(main())
    assert "once" in seen
    assert [s for s in seen if s != "once"] == [True, True, True]


def test_timers_added_from_another_thread_fire():
    clock = WallClock()
    fired = threading.Event()

    async def main():
        clock.attach(asyncio.get_running_loop())
        t = threading.Thread(target=lambda: clock.call_later(0.01, fired.set))
        t.start()
        for _ in range(500):
            if fired.is_set():
                break
            await asyncio.sleep(0.01)
        clock.detach()

    asyncio.run(main())
    assert fired.is_set()


def test_wall_clock_cannot_advance():
    with pytest.raises(ClockError):
        WallClock().advance(1)
