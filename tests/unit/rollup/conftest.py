"""Fixtures for the rollup services: a real in-process L1 (900) and L2 (901) on one virtual
clock, the L1 reached only through an in-process JSON-RPC client (as the services reach it)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from crossroll.abc import ClientAPI
from crossroll.chain import Chain, ChainConfig
from crossroll.chain.rules import L1Rules, L2Rules
from crossroll.clock import VirtualClock
from crossroll.network import Network
from crossroll.rollup import L1Addresses, RollupConfig, deploy_rollups
from crossroll.rollup.abi import calldata
from crossroll.rpc.context import make_dispatcher
from crossroll.rpc.inproc import InProcessClient
from crossroll.types import CallRequest, GenesisAccount

# Test modules import helpers from here; one module object under both names (as in
# tests/unit/contracts/conftest.py).
sys.modules.setdefault("tests.unit.rollup.conftest", sys.modules[__name__])

START = 1_700_000_000
L1_ID = 900
L2_ID = 901
ETHER = 10**18

ChainFactory = Callable[..., Chain]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=START, tail=10_000)  # every slot fires: the tests count blocks


@pytest.fixture
def make_chain(clock: VirtualClock) -> Iterator[ChainFactory]:
    """``make_chain(chain_id, l2=False, block_time=None, alloc=())``: None is automine."""
    chains: list[Chain] = []

    def factory(
        chain_id: int,
        *,
        l2: bool = False,
        block_time: float | None = None,
        alloc: tuple[tuple[bytes, GenesisAccount], ...] = (),
    ) -> Chain:
        rules = L2Rules if l2 else L1Rules
        config = ChainConfig(
            chain_id=chain_id,
            rules=rules,
            block_time=block_time,
            automine=block_time is None,
            alloc=alloc,
        )
        chain = Chain(config, clock)
        chains.append(chain)
        return chain

    yield factory
    for chain in chains:
        chain.close()


def client_of(chain: Chain, clock: VirtualClock) -> ClientAPI:
    return InProcessClient(make_dispatcher(chain, clock))


def deploy(
    l1: Chain, clock: VirtualClock, configs: list[RollupConfig], l2s: list[Chain]
) -> L1Addresses:
    genesis = {c.chain_id: l2.block(0).header.timestamp for c, l2 in zip(configs, l2s, strict=True)}
    return deploy_rollups(client_of(l1, clock), configs, genesis, l1.dev_accounts[0])


# --------------------------------------------------------- a whole devnet
#: Every server of a test devnet on a free port.
FREE: dict[str, Any] = {"l1__port": 0, "rollups__port": 0, "admin_port": 0}
DEPOSIT = "depositTransaction(address,uint256,uint64,bool,bytes)"


@pytest.fixture
def net() -> Iterator[Network]:
    """The default devnet (L1 and rollups 901, 902) on virtual time and free ports."""
    with Network.start(virtual_time=True, **FREE) as network:
        yield network


def deposit(net: Network, chain_id: int, to: bytes, value: int, *, sender: int = 0) -> bytes:
    """A user's deposit through the rollup's portal on the L1 (mined at the next L1 block)."""
    portal = net.l1_addresses.rollup(chain_id).optimism_portal
    data = calldata(DEPOSIT, to, value, 100_000, False, b"")
    account = net.accounts[sender]
    with net.lock:
        return net.l1.chain.send_transaction(
            CallRequest(sender=account.address, to=portal, value=value, data=data)
        )
