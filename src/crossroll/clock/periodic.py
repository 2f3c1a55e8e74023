"""A service whose work is one ``tick`` every ``interval`` seconds on the network's clock."""

from __future__ import annotations

from ..abc import SchedulerAPI, ServiceAPI, TimerAPI


class PeriodicService(ServiceAPI):
    """Ticks every ``interval`` seconds from ``start`` to ``stop``; while :meth:`idle` says
    a tick would do nothing, a virtual clock may skip it (see docs/virtual-time.md).
    Subclasses set ``scheduler`` and ``interval`` and implement :meth:`tick`."""

    scheduler: SchedulerAPI
    interval: float
    _timer: TimerAPI | None = None

    def tick(self) -> None:
        raise NotImplementedError

    def idle(self) -> bool:
        return False

    async def start(self) -> None:
        if self._timer is None:
            self._timer = self.scheduler.every(self.interval, self.tick, idle=self.idle)

    async def stop(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
