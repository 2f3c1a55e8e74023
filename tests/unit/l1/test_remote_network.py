"""A Network whose L1 is an external node (here a `crossroll node` in this process): no L1
chain or server of its own, the node's chain id, the given key deploys and funds the roles,
and a portal deposit made on the node reaches the rollup through the polling view."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from crossroll.errors import ConfigError
from crossroll.l1.remote import RemoteL1View
from crossroll.network import Network
from crossroll.network.config import NodeConfig
from crossroll.network.node import Node
from crossroll.rollup.abi import calldata
from crossroll.rollup.transact import hexstr, send
from crossroll.testing.tools import DEV_PRIVATE_KEY_0
from crossroll.types import DevAccount

KEY0 = bytes.fromhex(DEV_PRIVATE_KEY_0[2:])
ME = DevAccount(bytes.fromhex("f39fd6e51aad88f6f4ce6ab8827279cfffb92266"), KEY0)
FREE = {"rollups__port": 0, "admin_port": 0}


@pytest.fixture(scope="module")
def nodes() -> Iterator[tuple[Node, Network]]:
    with (
        Node.start(NodeConfig(port=0, chain_id=4242)) as node,
        Network.start(
            rollups=1,
            block_time={901: 0.2},
            l1__rpc_url=node.url,
            l1__key=DEV_PRIVATE_KEY_0,
            l1__poll_interval=0.1,
            l1__role_funding="0.5",
            **FREE,
        ) as net,
    ):
        yield node, net


def test_the_external_l1_is_the_nodes(nodes: tuple[Node, Network]) -> None:
    node, net = nodes
    assert (net.l1.chain_id, net.l1.url, net.l1.external) == (4242, node.url, True)
    assert [h.chain_id for h in net.chains] == [4242, 901]
    assert net.chain_infos()[0] == {
        "chainId": 4242,
        "name": "l1",
        "kind": "l1",
        "rpcUrl": node.url,
        "port": node.port,
        "blockTime": None,
        "external": True,
    }
    assert net.l1.inproc().eth_chainId() == hex(4242)
    assert net.accounts == net.rollups[0].chain.dev_accounts  # users' keys, from the L2
    with pytest.raises(ConfigError, match="external node"):
        net.l1.chain.head()
    with pytest.raises(ConfigError, match="keeps no blobs"):
        net.blob_sidecars(1)
    view = net.sequencers[0].l1
    assert isinstance(view, RemoteL1View) and view.poll_interval == 0.1


def test_the_key_deployed_and_funded_the_roles(nodes: tuple[Node, Network]) -> None:
    node, net = nodes
    client = net.l1.client()
    registry = net.l1_addresses.rollup_registry
    assert client.eth_getCode(hexstr(registry), "latest") != "0x"
    proposer = net.proposers[0].config.proposer.address
    balance = int(client.eth_getBalance(hexstr(proposer), "latest"), 16)
    assert balance == 5 * 10**17  # topped up to l1.role_funding from the key
    with node.lock:
        creator = node.chain.block(1).transactions[0].sender
    assert creator == ME.address


def test_a_deposit_on_the_node_reaches_the_rollup(nodes: tuple[Node, Network]) -> None:
    _node, net = nodes
    client = net.l1.client()
    portal = net.l1_addresses.rollup(901).optimism_portal
    recipient = os.urandom(20)
    data = calldata(
        "depositTransaction(address,uint256,uint64,bool,bytes)", recipient, 7, 50_000, False, b""
    )
    send(client, ME, portal, data, value=7, gas=200_000)
    l2 = net.rollups[0].client()
    deadline = time.monotonic() + 10
    while int(l2.eth_getBalance(hexstr(recipient), "latest"), 16) != 7:
        assert time.monotonic() < deadline, "the deposit never reached the rollup"
        time.sleep(0.05)
