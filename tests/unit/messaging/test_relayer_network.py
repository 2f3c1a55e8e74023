"""Messaging in a whole devnet (L1 and rollups 901, 902 on virtual time): the lifecycle steps
that come from the L1 (batched, outputProposed, settled), the settled relay path chosen in
the config, and the Python API (``net.message``, ``net.messages``, ``net.relay``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crossroll.errors import (
    ConfigError,
    InvalidParams,
    MessageAlreadyRelayed,
    MessageNotFound,
    MessageNotSettled,
)
from crossroll.messaging.addresses import L2_TO_L2_MESSENGER
from crossroll.messaging.l2tol2 import SEND_MESSAGE
from crossroll.messaging.store import MessageRecord, Status
from crossroll.network import Network, NetworkConfig
from crossroll.rollup.abi import calldata
from crossroll.types import CallRequest

FREE = {"l1__port": 0, "rollups__port": 0, "admin_port": 0}
TARGET = bytes.fromhex("000000000000000000000000000000000000beef")  # an EOA: calls succeed
WINDOW = 60


def send(net: Network, data: bytes = b"hi") -> MessageRecord:
    me = net.accounts[0].address
    with net.lock:
        net.chain(901).chain.send_transaction(
            CallRequest(
                sender=me, to=L2_TO_L2_MESSENGER, data=calldata(SEND_MESSAGE, 902, TARGET, data)
            )
        )
    net.advance(2)
    return net.messages(chain_id=901)[-1]


@pytest.fixture
def settled_net() -> Iterator[Network]:
    options = {"rollups__challenge_window": WINDOW, "messaging__relay_path": "settled"}
    with Network.start(virtual_time=True, **FREE, **options) as net:  # type: ignore[arg-type]
        yield net


@pytest.mark.slow
def test_lifecycle_from_the_l1_and_the_settled_path(settled_net: Network) -> None:
    net = settled_net
    h = send(net).msg_hash
    steps: dict[str, int] = {}
    for _ in range(60):  # up to 12 virtual minutes
        net.advance(12)
        r = net.message(h)
        for status in Status:
            if r.step(status) is not None and status.value not in steps:
                steps[status.value] = len(steps)
        if r.status is Status.RELAYED:
            break
    r = net.message(h)
    assert r.status is Status.RELAYED and r.path == "settled", r.to_json()
    assert list(steps) == ["sent", "batched", "outputProposed", "settled", "relayed"]
    assert r.batched and r.output_proposed and r.settled and r.relayed
    l1 = net.l1.chain
    # The L1 steps name L1 blocks: the batch's, the output's, then the hub's root.
    for step in (r.batched, r.output_proposed, r.settled):
        assert step.block_number is not None
        assert step.timestamp == l1.block(step.block_number).header.timestamp
    assert r.batched.block_number <= r.output_proposed.block_number < r.settled.block_number  # type: ignore[operator]
    assert r.settled.timestamp - r.output_proposed.timestamp >= WINDOW  # type: ignore[operator]
    relay = net.chain(902).chain.receipt(r.relay_tx_hash or b"")
    assert relay is not None and relay.status == 1
    with pytest.raises(MessageAlreadyRelayed):
        net.relay(h)


@pytest.mark.slow
def test_python_api_with_autorelay_off() -> None:
    with Network.start(virtual_time=True, **FREE, messaging__autorelay=False) as net:  # type: ignore[arg-type]
        first, second = send(net, b"one"), send(net, b"two")
        net.advance(10)
        assert [m.msg_hash for m in net.messages()] == [first.msg_hash, second.msg_hash]
        assert all(m.relayed is None for m in net.messages())
        with pytest.raises(MessageNotFound):
            net.message("0x" + "ab" * 32)
        r = net.relay("0x" + first.msg_hash.hex())  # hex strings are fine too
        assert r.relay_tx_hash is not None and r.path == "fast"
        net.advance(2)
        assert net.message(first.msg_hash).status is Status.RELAYED
        assert [m.msg_hash for m in net.messages(status=Status.RELAYED)] == [first.msg_hash]
        assert [m.msg_hash for m in net.messages(chain_id=902, status="relayed")] == [
            first.msg_hash
        ]
        assert net.messages(chain_id=903) == []
        admin_rpc(net, second)


def admin_rpc(net: Network, r: MessageRecord) -> None:
    """The admin methods over a message that is not relayed yet."""
    rpc = net.admin.dispatcher.call
    h = "0x" + r.msg_hash.hex()
    ident = r.identifier
    by_hash = rpc("admin_getAccessListByMsgHash", [h])
    [entry] = by_hash["accessList"]
    assert entry["address"] == "0x4200000000000000000000000000000000000022"
    assert len(entry["storageKeys"]) == 2 and entry["storageKeys"][1].startswith("0x03")
    request = {
        "origin": "0x" + ident.origin.hex(),
        "blockNumber": ident.block_number,  # a JSON number, as Go's big.Int sends it
        "logIndex": hex(ident.log_index),
        "timestamp": str(ident.timestamp),
        "chainId": ident.chain_id,
        "payload": "0x" + r.payload.hex(),
    }
    assert rpc("admin_getAccessListForIdentifier", [request]) == by_hash
    for bad in ({**request, "blockNumber": "twelve"}, {**request, "payload": None}, [1]):
        with pytest.raises(InvalidParams):
            rpc("admin_getAccessListForIdentifier", [bad])
    got = rpc("crossroll_getMessage", [h])
    assert got["msgHash"] == h and got["status"] in ("sent", "batched")
    assert [m["msgHash"] for m in rpc("crossroll_getMessages", [{"chainId": "0x385"}])][-1] == h
    assert rpc("crossroll_getMessages", [{"chainId": 903}]) == []
    with pytest.raises(InvalidParams):
        rpc("crossroll_getMessages", [{"chain": 901}])
    with pytest.raises(InvalidParams):
        rpc("crossroll_relayMessage", [h, {"settled": "maybe"}])
    with pytest.raises(MessageNotSettled):
        rpc("crossroll_relayMessage", [h, {"settled": True}])
    relayed = rpc("crossroll_relayMessage", [h])
    assert relayed["path"] == "fast" and relayed["relayTransactionHash"].startswith("0x")
    assert rpc("admin_getL2ToL2MessageByMsgHash", [h])["Nonce"] == r.message.nonce


def test_config() -> None:
    config = NetworkConfig(
        messaging={
            "autorelay": False,
            "relay_delay": 3,
            "relay_path": "settled",
            "dependency_set": "[901, 902]",
            "interop_delay": 5,
        }
    ).check()
    m = config.messaging
    assert (m.autorelay, m.relay_delay, m.relay_path, m.dependency_set, m.interop_delay) == (
        False, 3.0, "settled", [901, 902], 5
    )  # fmt: skip
    assert NetworkConfig(messaging={"dependency_set": "901,902"}).messaging.dependency_set == [
        901,
        902,
    ]
    with pytest.raises(ConfigError, match="chain 905 is not a rollup of this network"):
        NetworkConfig(messaging={"dependency_set": [901, 905]}).check()
    with pytest.raises(ValueError):
        NetworkConfig(messaging={"relay_path": "slow"})
