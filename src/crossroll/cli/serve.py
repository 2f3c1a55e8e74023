"""Ctrl-C and SIGTERM both end a command the same way: as KeyboardInterrupt,
caught by the command, which then stops its services and exits 0."""

from __future__ import annotations

import gc
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import FrameType
from typing import Any, Protocol


class Running(Protocol):
    """A :class:`~crossroll.network.Network` or :class:`~crossroll.network.Node`."""

    def run(self) -> None: ...

    def stop(self) -> None: ...


@contextmanager
def interruptible() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise KeyboardInterrupt (even when the
    shell started us with SIGINT ignored, as it does for ``&`` jobs); an interrupt
    ends the block quietly."""

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, on_signal) for sig in signals}
    try:
        yield
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def wait_forever() -> None:
    """Block the main thread until interrupted."""
    while True:
        time.sleep(3600)


def flags_of(options: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
    """Click options as a flag layer: ``{config key: (value, "--the-flag")}``."""
    return {key: (options[name], "--" + name.replace("_", "-")) for name, key in keys.items()}


def tune_gc() -> None:
    """A node process keeps every block, receipt and log it ever made, so the default
    collector keeps re-scanning a heap that only grows.  Freezing what start-up built and
    collecting less often measured +7% on 1-transaction blocks (docs/benchmarks.md).
    Only the CLI's own processes do this; a library user's process is left alone."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def serve(running: Running, announce: Callable[[], None]) -> None:
    """Run until Ctrl-C or SIGTERM (``announce`` once serving), then stop."""
    try:
        with interruptible():
            running.run()
            announce()
            tune_gc()
            wait_forever()
    finally:
        running.stop()
