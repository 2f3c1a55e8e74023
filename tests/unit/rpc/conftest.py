"""The RPC layer over a real :class:`~crossroll.chain.Chain` (py-evm) on a
virtual clock: it builds in milliseconds, so every test gets a fresh one."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    import crossroll  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "src"))

from crossroll.chain import Chain, ChainConfig
from crossroll.clock import VirtualClock
from crossroll.rpc import Dispatcher, make_dispatcher
from crossroll.rpc.inproc import InProcessClient
from tests.unit.rpc.helpers import START


@pytest.fixture
def lock() -> threading.RLock:
    return threading.RLock()


@pytest.fixture
def clock(lock: threading.RLock) -> VirtualClock:
    return VirtualClock(start=START, lock=lock)


@pytest.fixture
def chain(clock: VirtualClock) -> Iterator[Chain]:
    c = Chain(ChainConfig(), clock)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def dispatcher(chain: Chain, clock: VirtualClock, lock: threading.RLock) -> Iterator[Dispatcher]:
    d = make_dispatcher(chain, clock, lock)
    try:
        yield d
    finally:
        d.context.filters.close()


@pytest.fixture
def client(dispatcher: Dispatcher, lock: threading.RLock) -> InProcessClient:
    return InProcessClient(dispatcher, lock)
