"""The Network object with its real chains and RPC servers, on free ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from crossroll.errors import ClockError, ConfigError
from crossroll.network import Network, NetworkConfig
from crossroll.network.network import default_chain, with_overrides
from crossroll.rpc.server import RpcServer

FREE = {"l1__port": 0, "rollups__port": 0, "admin_port": 0}


def start(**overrides: object) -> Network:
    return Network.start(**{**FREE, **overrides})


@pytest.fixture
def net() -> Iterator[Network]:
    network = start(virtual_time=True, rollups=3)
    with network:
        yield network


def rpc(url: str, method: str) -> object:
    reply = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method}, timeout=5).json()
    return reply.get("result", reply.get("error"))


def test_chains_by_id(net: Network) -> None:
    assert net.l1.chain_id == 900
    assert [h.chain_id for h in net.rollups] == [901, 902, 903]
    assert net.chain(902).name == "rollup-902"
    assert len({h.port for h in net.chains}) == 4
    for handle in net.chains:
        assert rpc(handle.url, "eth_chainId") == hex(handle.chain_id)
    with pytest.raises(ConfigError, match="no chain 5"):
        net.chain(5)


def test_admin_ready_and_config(net: Network) -> None:
    assert requests.get(net.admin_url + "/ready", timeout=5).status_code == 200
    config = rpc(net.admin_url, "admin_getConfig")
    assert isinstance(config, dict)
    assert [c["chainId"] for c in config["chains"]] == [900, 901, 902, 903]
    assert config["chains"][1]["rpcUrl"] == net.chain(901).url
    assert config["accounts"][0]["address"] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert config["mnemonic"].endswith("junk")
    assert config["messaging"] == {
        "autorelay": True,
        "relayDelay": 0.0,
        "relayPath": "fast",
        "dependencySet": None,
        "interopDelay": 0,
    }
    assert rpc(net.admin_url, "admin_nope") == {
        "code": -32601,
        "message": "the method admin_nope does not exist/is not available",
    }


def test_virtual_time_drives_blocks(net: Network) -> None:
    deployed = net.l1.chain.head().number  # the rollup contracts, mined at start
    net.advance(12)
    assert [h.chain.head().number for h in net.chains] == [deployed + 1, 6, 6, 6]


def test_wall_clock_cannot_advance() -> None:
    with start() as net, pytest.raises(ClockError):
        net.advance(1)


def test_stop_releases_ports_and_is_idempotent() -> None:
    net = start()
    urls = [h.url for h in net.chains]
    admin = net.admin_url
    net.stop()
    net.stop()
    assert not net.ready
    for url in [*urls, admin + "/ready"]:
        with pytest.raises(requests.ConnectionError):
            requests.get(url, timeout=2)


def test_overrides() -> None:
    config = with_overrides(
        NetworkConfig(), {"rollups": 4, "l1__block_time": 1, "block_time": {901: 0.5}}
    )
    assert config.rollups.count == 4
    assert [c.block_time for c in config.plan()][:3] == [1, 0.5, 2]
    with pytest.raises(ConfigError, match=r"rollups\.count"):
        with_overrides(NetworkConfig(), {"rollups": 99})


def test_ready_is_503_until_every_chain_serves() -> None:
    import threading

    from crossroll.testing.tools import free_port

    release = threading.Event()

    class SlowServer(RpcServer):  # the real server, held back until released
        async def start(self) -> None:
            import asyncio

            while not release.is_set():
                await asyncio.sleep(0.01)
            await super().start()

    port = free_port()
    config = with_overrides(NetworkConfig(), {**FREE, "admin_port": port})
    net = Network(config, chain_factory=default_chain, server_factory=SlowServer)
    starter = threading.Thread(target=net.run)
    starter.start()
    try:
        url = f"http://127.0.0.1:{port}/ready"
        for _ in range(200):
            try:
                assert requests.get(url, timeout=2).status_code == 503
                break
            except requests.ConnectionError:
                threading.Event().wait(0.01)
        else:
            raise AssertionError("admin server never answered")
        release.set()
        starter.join(10)
        assert requests.get(url, timeout=2).status_code == 200
    finally:
        release.set()
        starter.join(10)
        net.stop()


def test_admin_advances_virtual_time(net: Network) -> None:
    missing = rpc(net.admin_url, "admin_advanceTime")
    assert isinstance(missing, dict) and missing["code"] == -32602
    reply = requests.post(
        net.admin_url,
        json={"jsonrpc": "2.0", "id": 1, "method": "admin_advanceTime", "params": [4]},
        timeout=5,
    ).json()
    assert reply["result"] == 6  # two blocks on each of three rollups
    assert net.chain(901).chain.head().number == 2


def test_admin_speaks_json_rpc_like_every_chain(net: Network) -> None:
    def post(body: bytes) -> object:
        return requests.post(net.admin_url, data=body, timeout=5).json()

    assert post(b"{nope") == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32700, "message": "parse error"},
    }
    replies = post(
        b'[{"jsonrpc": "2.0", "id": 1, "method": "admin_ready"},'
        b' {"jsonrpc": "2.0", "id": 2, "method": "admin_getChains"},'
        b' {"jsonrpc": "2.0", "id": 3, "method": "admin_advanceTime", "params": ["x"]}]'
    )
    assert isinstance(replies, list)
    assert replies[0] == {"jsonrpc": "2.0", "id": 1, "result": True}
    assert [c["chainId"] for c in replies[1]["result"]] == [900, 901, 902, 903]
    assert replies[2]["error"]["code"] == -32602
    assert post(b"[]")["error"]["code"] == -32600  # type: ignore[index]
