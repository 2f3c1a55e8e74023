"""A scheduled action: one value per call_at/every, ordered by (due, sequence)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..abc import TimerAPI


class Timer(TimerAPI):
    __slots__ = ("_due", "action", "cancelled", "interval", "seq")

    def __init__(
        self, due: float, seq: int, action: Callable[[], Any], interval: float | None
    ) -> None:
        self._due = due
        self.seq = seq
        self.action = action
        self.interval = interval
        self.cancelled = False

    @property
    def due(self) -> float:
        return self._due

    def rearm(self, due: float, seq: int) -> None:
        self._due = due
        self.seq = seq

    def cancel(self) -> None:
        self.cancelled = True

    def __lt__(self, other: Timer) -> bool:
        return (self._due, self.seq) < (other._due, other.seq)

    def __repr__(self) -> str:
        kind = f"every {self.interval}s" if self.interval else "once"
        return f"<Timer due={self._due:.3f} {kind}{' cancelled' if self.cancelled else ''}>"
