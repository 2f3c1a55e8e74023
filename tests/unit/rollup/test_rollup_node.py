"""The rollup node on a running devnet: batches reach the L1, the ``safe`` tag follows them,
and a verifier node started from the L1 alone agrees with the sequencer at every safe block."""

from __future__ import annotations

from typing import Any

import pytest

from crossroll.network import Network
from crossroll.rollup.abi import calldata
from crossroll.types import CallRequest
from tests.unit.rollup.conftest import FREE, deposit

ETHER = 10**18


def traffic(net: Network, chain_id: int, count: int) -> None:
    l2 = net.chain(chain_id).chain
    alice, bob = net.accounts[0], net.accounts[1]
    with net.lock:
        for i in range(count):
            l2.send_transaction(CallRequest(sender=alice.address, to=bob.address, value=i + 1))
    deposit(net, chain_id, bob.address, ETHER, sender=2)


def rpc_number(client: Any, tag: str) -> int:
    return int(client.request("eth_getBlockByNumber", [tag, False])["number"], 16)


def test_safe_tag_follows_batches_on_l1(net: Network) -> None:
    client = net.chain(901).client()
    assert rpc_number(client, "safe") == 0
    traffic(net, 901, 4)
    net.advance(60)
    batcher = net.batchers[0]
    assert batcher.records and batcher.records[-1].da == "blobs"
    safe = rpc_number(client, "safe")
    assert safe == net.safety(901).safe() >= batcher.records[0].last_block > 0
    assert rpc_number(client, "latest") >= safe
    assert rpc_number(client, "finalized") == 0  # 7-day window, no final L1 block yet
    # the 902 rollup has its own batcher and heads
    assert rpc_number(net.chain(902).client(), "safe") > 0


@pytest.mark.parametrize("da", ["blobs", "calldata"])
def test_verifier_agrees_at_every_safe_block(da: str) -> None:
    with Network.start(virtual_time=True, rollups__da=da, **FREE) as net:
        check_verifier(net, da)


def check_verifier(net: Network, da: str) -> None:
    traffic(net, 901, 3)
    net.advance(40)
    verifier = net.start_verifier(901)
    traffic(net, 901, 3)
    net.advance(40)
    sequencer = net.chain(901).chain
    derived = verifier.derivation.head.number
    assert derived == net.safety(901).safe() > 10
    assert {r.da for r in net.batchers[0].records} == {da}
    for n in range(derived + 1):
        ours, theirs = sequencer.block(n), verifier.chain.block(n)
        assert theirs.hash == ours.hash
        assert theirs.header.state_root == ours.header.state_root
    # users can query the verifier like any node
    remote = verifier.client()
    assert rpc_number(remote, "latest") == derived
    bob = "0x" + net.accounts[1].address.hex()
    assert remote.request("eth_getBalance", [bob, hex(derived)]) == net.chain(901).client().request(
        "eth_getBalance", [bob, hex(derived)]
    )


def test_get_rollup_and_status_cli(net: Network) -> None:
    from click.testing import CliRunner

    from crossroll.cli.main import cli
    from crossroll.errors import InvalidParams
    from crossroll.rpc.client import HttpClient

    traffic(net, 901, 2)
    l2 = net.chain(901).chain
    passer = "0x4200000000000000000000000000000000000016"
    withdraw = calldata(
        "initiateWithdrawal(address,uint256,bytes)", net.accounts[0].address, 0, b""
    )
    with net.lock:
        l2.send_transaction(
            CallRequest(
                sender=net.accounts[0].address, to=bytes.fromhex(passer[2:]), value=7, data=withdraw
            )
        )
    net.advance(60)
    admin = HttpClient(net.admin_url)
    view = admin.request("crossroll_getRollup", [901])
    assert view["chainId"] == 901
    assert view["heads"]["safe"] == net.safety(901).safe() > 0
    assert view["lastBatch"]["da"] == "blobs" and view["lastBatch"]["postedBytes"] > 0
    assert view["lastBatch"]["lastBlock"] <= view["heads"]["safe"]
    assert view["derivation"]["batcherTransactions"] == view["batches"] >= 1
    assert view["pendingDeposits"] == 0
    assert [w["value"] for w in view["pendingWithdrawals"]] == ["7"]
    with pytest.raises(InvalidParams, match="no rollup 999"):
        admin.request("crossroll_getRollup", [999])
    result = CliRunner().invoke(cli, ["status", "--admin-url", net.admin_url, "--json"])
    assert result.exit_code == 0, result.output
    import json

    assert [v["chainId"] for v in json.loads(result.output)] == [901, 902]
    table = CliRunner().invoke(cli, ["status", "--admin-url", net.admin_url])
    assert table.exit_code == 0 and "901" in table.output and "blobs" in table.output
