"""Start services in dependency order, stop them in reverse.

Services are given in stages: every service of a stage starts concurrently,
and a stage starts only once the previous one is ready.  Stopping goes through
every started service in reverse, collecting errors instead of stopping
halfway because one service failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from ..abc import ServiceAPI
from ..errors import CrossrollError

log = logging.getLogger("crossroll.network")


class ShutdownError(CrossrollError):
    """One or more services failed to stop; ``errors`` holds every failure."""

    def __init__(self, errors: Sequence[tuple[str, BaseException]]) -> None:
        names = ", ".join(f"{name} ({exc})" for name, exc in errors)
        super().__init__(f"{len(errors)} service(s) failed to stop: {names}")
        self.errors = list(errors)


class Orchestrator:
    def __init__(self) -> None:
        self._stages: list[list[ServiceAPI]] = []
        self._started: list[ServiceAPI] = []

    def add_stage(self, *services: ServiceAPI) -> None:
        """Services that depend only on the services of earlier stages."""
        self._stages.append(list(services))

    @property
    def services(self) -> list[ServiceAPI]:
        return [s for stage in self._stages for s in stage]

    async def start(self) -> None:
        """Start every stage in order; on failure stop what started and re-raise."""
        try:
            for stage in self._stages:
                results = await asyncio.gather(
                    *(self._start_one(s) for s in stage), return_exceptions=True
                )
                failures = [r for r in results if isinstance(r, BaseException)]
                if failures:
                    raise failures[0]
        except BaseException:
            try:
                await self.stop()
            except ShutdownError as exc:
                log.warning("%s", exc)
            raise

    async def _start_one(self, service: ServiceAPI) -> None:
        try:
            await service.start()
        except OSError as exc:  # a port in use, mostly: one line, not a traceback
            raise CrossrollError(f"{service.name} failed to start: {exc.strerror or exc}") from exc
        self._started.append(service)

    async def start_late(self, service: ServiceAPI) -> None:
        """Start a service after the stages (a verifier added to a running network); it
        stops with the others, before every service started earlier."""
        await self._start_one(service)

    async def stop(self) -> None:
        """Stop every started service in reverse order; raise ShutdownError at the end
        if any of them failed."""
        errors: list[tuple[str, BaseException]] = []
        while self._started:
            service = self._started.pop()
            try:
                await service.stop()
            except Exception as exc:
                log.debug("stopping %s failed", service.name, exc_info=True)
                errors.append((service.name, exc))
        if errors:
            raise ShutdownError(errors)
