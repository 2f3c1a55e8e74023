"""A 7-day challenge window passes in a moment: ``crossroll_advanceTime`` over the admin
server of an in-process virtual-time network, with the rollup pieces running (docs/virtual-time.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from crossroll.network import Network
from crossroll.rollup.abi import calldata, decode
from crossroll.types import CallRequest

FREE: dict[str, Any] = {"l1__port": 0, "rollups__port": 0, "admin_port": 0}
WEEK = 7 * 24 * 3600
ETHER = 10**18
DEPOSIT = "depositTransaction(address,uint256,uint64,bool,bytes)"
WINDOW = 3 * 24 * 3600  # not the default, so the test sees it reach the oracle


def admin(net: Network, method: str, *params: Any) -> dict[str, Any]:
    body: Any = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    reply: dict[str, Any] = requests.post(net.admin_url, json=body, timeout=600).json()
    return reply


def block(net: Network, chain_id: int, tag: str) -> dict[str, Any]:
    found: dict[str, Any] = (
        net.chain(chain_id).client().request("eth_getBlockByNumber", [tag, False])
    )
    return found


def oracle_uint(net: Network, chain_id: int, signature: str) -> int:
    oracle = net.l1_addresses.rollup(chain_id).l2_output_oracle
    out = net.l1.client().request(
        "eth_call", [{"to": "0x" + oracle.hex(), "data": "0x" + calldata(signature).hex()}]
    )
    return int(decode(["uint256"], bytes.fromhex(out[2:]))[0])


@pytest.fixture(scope="module")
def net() -> Iterator[Network]:
    config: dict[str, Any] = {
        "rollups__challenge_window": WINDOW,
        "rollups__submission_interval": 5,
    }
    with Network.start(virtual_time=True, **config, **FREE) as network:
        yield network


@pytest.mark.slow
def test_a_week_passes_in_one_call(net: Network) -> None:
    me = net.accounts[4].address
    credited_before = net.chain(901).chain.account(me).balance
    portal = net.l1_addresses.rollup(901).optimism_portal
    with net.lock:  # a deposit waiting in the L1 pool when the week starts
        net.l1.chain.send_transaction(
            CallRequest(
                sender=me,
                to=portal,
                value=ETHER,
                data=calldata(DEPOSIT, me, ETHER, 100_000, False, b""),
            )
        )
    heads_before = {h.chain_id: h.chain.head().number for h in net.chains}
    finalized_before = int(block(net, 900, "finalized")["number"], 16)
    target = int(net.scheduler.now()) + WEEK

    reply = admin(net, "crossroll_advanceTime", WEEK)

    assert reply["result"]["timestamp"] == target == int(net.scheduler.now())
    assert reply["result"]["fired"] > 0
    mined = {h.chain_id: h.chain.head().number - heads_before[h.chain_id] for h in net.chains}
    # idle slots are elided: 50,400 L1 and 2 x 302,400 L2 slots become a few hundred blocks
    assert 0 < sum(mined.values()) < 2_000, mined
    head = block(net, 900, "latest")
    assert target - 12 < int(head["timestamp"], 16) <= target
    finalized = int(block(net, 900, "finalized")["number"], 16)
    assert finalized > finalized_before
    assert int(head["number"], 16) - finalized <= 64
    l2_head = block(net, 901, "latest")
    assert target - 2 < int(l2_head["timestamp"], 16) <= target
    # the deposit sent before the advance is on rollup 901 (and not on 902)
    assert net.chain(901).chain.account(me).balance == credited_before + ETHER
    assert net.chain(902).chain.account(me).balance == credited_before
    # outputs were proposed, to an oracle deployed with the configured window
    for chain_id, proposer in zip([901, 902], net.proposers, strict=True):
        assert proposer.proposals, chain_id
        assert oracle_uint(net, chain_id, "nextOutputIndex()") == len(proposer.proposals)
        assert oracle_uint(net, chain_id, "FINALIZATION_PERIOD_SECONDS()") == WINDOW
        assert oracle_uint(net, chain_id, "SUBMISSION_INTERVAL()") == 5
    config = admin(net, "admin_getConfig")["result"]
    assert (config["challengeWindow"], config["submissionInterval"]) == (WINDOW, 5)


def test_advance_time_rejects_bad_seconds_and_changes_nothing(net: Network) -> None:
    now = net.scheduler.now()
    heads = [h.chain.head().number for h in net.chains]
    for bad in (-1, "-5", "x", True, None, "nan", "inf"):
        error = admin(net, "crossroll_advanceTime", bad)["error"]
        assert error["code"] == -32602, bad
    assert admin(net, "crossroll_advanceTime")["error"]["code"] == -32602
    assert net.scheduler.now() == now
    assert [h.chain.head().number for h in net.chains] == heads
    # the older name still answers how many actions fired
    assert admin(net, "admin_advanceTime", 0)["result"] == 0


def test_advance_time_on_the_wall_clock_says_to_use_virtual_time() -> None:
    with Network.start(rollups=1, **FREE) as wall:
        heads = [h.chain.head().number for h in wall.chains]
        error = admin(wall, "crossroll_advanceTime", 60)["error"]
        assert error["code"] == -32000
        assert "--virtual-time" in error["message"]
        assert [h.chain.head().number for h in wall.chains] == heads
