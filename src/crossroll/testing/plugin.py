"""The crossroll pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

``crossroll_chain``
    A fresh in-process dev chain (chain id 31337, automine) on a virtual clock.
``crossroll_network``
    One devnet for the whole test session, on free loopback ports and in virtual time
    (L1 900, rollups 901 and 902).  Stopped at the end of the session.
``crossroll_isolated``
    The session devnet, with every chain snapshotted before the test and reverted after
    it, so tests cannot see each other's transactions (titanoboa's pattern).

Everything is imported inside the fixtures, so having crossroll installed costs a test
session nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ..abc import ChainAPI
    from ..network import Network


@pytest.fixture
def crossroll_chain() -> Iterator[ChainAPI]:
    """A fresh in-process dev chain (chain id 31337, automine, virtual time)."""
    from ..chain import Chain
    from ..chain.config import ChainConfig
    from ..clock import VirtualClock

    chain = Chain(ChainConfig(), VirtualClock())
    try:
        yield chain
    finally:
        chain.close()


@pytest.fixture(scope="session")
def crossroll_network() -> Iterator[Network]:
    """A devnet shared by the session: free ports, virtual time."""
    from ..network import Network

    with Network.start(virtual_time=True, l1__port=0, rollups__port=0, admin_port=0) as net:
        yield net


@pytest.fixture
def crossroll_isolated(crossroll_network: Network) -> Iterator[Network]:
    """The session devnet, every chain reverted to its state before the test."""
    net = crossroll_network
    with net.lock:  # the chains belong to the network's loop thread: hold its lock
        snapshots = [(handle.chain, handle.chain.snapshot()) for handle in net.chains]
    try:
        yield net
    finally:
        with net.lock:
            for chain, snapshot in snapshots:
                chain.revert(snapshot)
