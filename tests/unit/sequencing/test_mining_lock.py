"""Shared and based rollups refuse mining by hand (evm_mine, anvil_mine, automine, interval
mining): a block made outside their builder would split them from it for good.  901 is
shared, 902 based, 903 has its own sequencer; all over their HTTP endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from crossroll.errors import MiningLocked
from crossroll.network import Network
from tests.support.rpc import Rpc, RpcFailure
from tests.unit.sequencing.helpers import Wallet, shared_net

OPTIONS = {"rollups__count": 3, "sequencing__chains": {902: "based", 903: "own"}}
WHY = {
    901: "rollup 901 is shared-sequenced: its blocks are the shared sequencer's slots",
    902: "rollup 902 is based: its blocks follow the L1's",
}


@pytest.fixture(scope="module")
def net() -> Iterator[Network]:
    with shared_net(**OPTIONS) as network:
        yield network


def head(net: Network, chain_id: int) -> int:
    with net.lock:
        return net.chain(chain_id).chain.head().number


@pytest.mark.parametrize("chain_id", [901, 902])
@pytest.mark.parametrize(
    ("method", "params", "what"),
    [
        ("evm_mine", [], "mining"),
        ("evm_mine", [{"blocks": 2}], "mining"),
        ("anvil_mine", [], "mining"),
        ("hardhat_mine", [3], "mining"),
        ("evm_setAutomine", [True], "automine"),
        ("anvil_setAutomine", [True], "automine"),
        ("evm_setIntervalMining", [1], "interval mining"),
        ("anvil_setIntervalMining", [1], "interval mining"),
    ],
)
def test_mining_by_hand_is_refused(
    net: Network, chain_id: int, method: str, params: list[Any], what: str
) -> None:
    before = head(net, chain_id)
    with pytest.raises(RpcFailure) as info:
        Rpc(net.chain(chain_id).url)(method, *params)
    assert info.value.code == -32602
    assert info.value.message.startswith(f"{what} refused: {WHY[chain_id]}")
    assert "crossroll_advanceTime" in info.value.message
    assert head(net, chain_id) == before
    assert net.chain(chain_id).chain.automine is False  # type: ignore[attr-defined]


def test_the_python_controls_refuse_too(net: Network) -> None:
    chain = net.chain(901).chain
    with net.lock, pytest.raises(MiningLocked, match="automine refused: rollup 901"):
        chain.set_automine(True)
    with net.lock, pytest.raises(MiningLocked, match="interval mining refused: rollup 901"):
        chain.set_interval_mining(2)


def test_switching_off_and_snapshots_still_work_and_slots_go_on(net: Network) -> None:
    rpc = Rpc(net.chain(901).url)
    assert rpc("evm_setAutomine", False) is None  # already off: nothing to refuse
    assert rpc("evm_setIntervalMining", 0) is None
    me = Wallet(net, net.accounts[2])
    snap = rpc("evm_snapshot")
    start = head(net, 901)
    rpc.send_raw(me.tx(901, me.address, value=1))
    net.advance(2)  # the next slot takes it
    assert head(net, 901) == start + 1
    assert rpc("evm_revert", snap) is True
    assert head(net, 901) == start
    me.forget()
    rpc.send_raw(me.tx(901, me.address, value=2))
    net.advance(2)
    assert head(net, 901) == start + 1
    assert net.sequencing.sequencing_json()["aligned"] is True


def test_a_rollup_with_its_own_sequencer_still_mines_by_hand(net: Network) -> None:
    rpc = Rpc(net.chain(903).url)
    before = head(net, 903)
    assert rpc("evm_mine") == "0x0"
    assert head(net, 903) == before + 1
