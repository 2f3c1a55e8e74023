"""Services start in stage order and stop in reverse, collecting every error."""

from __future__ import annotations

import asyncio

import pytest

from crossroll.abc import ServiceAPI
from crossroll.errors import CrossrollError
from crossroll.network.orchestrator import Orchestrator, ShutdownError


class Recorder(ServiceAPI):
    def __init__(
        self, name: str, log: list[str], *, fail_start: bool = False, fail_stop: bool = False
    ) -> None:
        self.name, self.log = name, log
        self.fail_start, self.fail_stop = fail_start, fail_stop

    async def start(self) -> None:
        if self.fail_start:
            raise OSError(98, "Address already in use")
        self.log.append(f"start {self.name}")

    async def stop(self) -> None:
        self.log.append(f"stop {self.name}")
        if self.fail_stop:
            raise RuntimeError(f"{self.name} broke")


def test_start_in_order_stop_in_reverse() -> None:
    log: list[str] = []
    orch = Orchestrator()
    orch.add_stage(Recorder("admin", log))
    orch.add_stage(Recorder("a", log), Recorder("b", log))
    asyncio.run(orch.start())
    assert log == ["start admin", "start a", "start b"]
    asyncio.run(orch.stop())
    assert log[3:] == ["stop b", "stop a", "stop admin"]
    asyncio.run(orch.stop())  # idempotent
    assert len(log) == 6


def test_stop_collects_every_error() -> None:
    log: list[str] = []
    orch = Orchestrator()
    orch.add_stage(Recorder("a", log, fail_stop=True), Recorder("b", log))
    orch.add_stage(Recorder("c", log, fail_stop=True))
    asyncio.run(orch.start())
    with pytest.raises(ShutdownError) as info:
        asyncio.run(orch.stop())
    assert {"stop a", "stop b", "stop c"} <= set(log)
    names = [name for name, _ in info.value.errors]
    assert names[0] == "c"  # reverse order
    assert sorted(names) == ["a", "c"]


def test_failed_start_stops_what_started() -> None:
    log: list[str] = []
    orch = Orchestrator()
    orch.add_stage(Recorder("a", log))
    orch.add_stage(Recorder("b", log, fail_start=True))
    orch.add_stage(Recorder("c", log))
    with pytest.raises(CrossrollError, match="b failed to start: Address already in use"):
        asyncio.run(orch.start())
    assert log == ["start a", "stop a"]
