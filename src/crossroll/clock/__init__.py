"""The one clock every timed action goes through: wall time or virtual time."""

from __future__ import annotations

from .scheduler import Scheduler
from .timer import Timer
from .virtual import VirtualClock
from .wall import WallClock

__all__ = ["Scheduler", "Timer", "VirtualClock", "WallClock"]
