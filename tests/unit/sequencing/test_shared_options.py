"""The shared sequencer's options: the ordering policy decides conflicts between bundles, and
an interop delay leaves messages between legs to the ordinary relayer."""

from __future__ import annotations

from crossroll.messaging.addresses import RELAYER_ACCOUNT_INDEX
from crossroll.messaging.store import Status
from crossroll.network import Network
from crossroll.sequencing.bundle import BundleStatus
from crossroll.sequencing.policy import FirstComeFirstServed
from tests.unit.sequencing.helpers import (
    BRIDGE,
    GWEI,
    TOKEN,
    Wallet,
    mint,
    send_erc20,
    shared_net,
    token_balance,
    transfer,
)


def _race(net: Network, me: Wallet) -> tuple[bytes, bytes]:
    """Two bundles spending the same nonce on 901: a cheap one, then a generous one."""
    nonce = me.nonce(901)
    to = net.accounts[5].address
    cheap = net.send_bundle([(901, me.tx(901, to, value=1, nonce=nonce, tip=GWEI))])
    rich = net.send_bundle([(901, me.tx(901, to, value=2, nonce=nonce, tip=5 * GWEI))])
    net.advance(2)
    me.forget()
    return cheap, rich


def test_priority_fee_beats_arrival_and_fcfs_keeps_it() -> None:
    with shared_net(sequencing__ordering="priority") as net:
        assert net.sequencing.sequencing_json()["ordering"] == "priority"
        me = Wallet(net, net.accounts[0])
        cheap, rich = _race(net, me)
        assert net.bundle(rich).status is BundleStatus.INCLUDED
        lost = net.bundle(cheap)
        assert lost.status is BundleStatus.DROPPED and "nonce" in (lost.reason or "")
        assert lost.slot == net.bundle(rich).slot
        # First come, first served: the same race goes the other way.
        assert net.sequencing.shared is not None
        net.sequencing.shared.sequencer.policy = FirstComeFirstServed()
        cheap, rich = _race(net, me)
        assert net.bundle(cheap).status is BundleStatus.INCLUDED
        assert net.bundle(rich).status is BundleStatus.DROPPED


def test_an_interop_delay_leaves_the_message_to_the_relayer() -> None:
    with shared_net(messaging__interop_delay=4) as net:
        me, to = Wallet(net, net.accounts[0]), Wallet(net, net.accounts[1])
        burn = [
            (901, me.tx(901, TOKEN, mint(me.address, 10))),
            (901, me.tx(901, BRIDGE, send_erc20(to.address, 10, 902))),
        ]
        # Spending the tokens in the same slot cannot work: no in-slot relay.
        spend = (902, to.tx(902, TOKEN, transfer(me.address, 10)))
        h = net.send_bundle([*burn, spend])
        net.advance(2)
        record = net.bundle(h)
        assert record.status is BundleStatus.DROPPED and "leg 2" in (record.reason or "")
        me.forget()
        h = net.send_bundle(
            [
                (901, me.tx(901, TOKEN, mint(me.address, 10))),
                (901, me.tx(901, BRIDGE, send_erc20(to.address, 10, 902))),
            ]
        )
        net.advance(2)
        record = net.bundle(h)
        assert record.status is BundleStatus.INCLUDED and record.relays == ()
        (message,) = net.messages(chain_id=901)
        assert message.status is Status.SENT
        net.advance(12)
        message = net.message(message.msg_hash)
        assert message.status is Status.RELAYED
        relay = net.chain(902).chain.transaction(message.relay_tx_hash or b"")[0]
        assert relay.sender == net.accounts[RELAYER_ACCOUNT_INDEX].address
        assert token_balance(net, 902, to.address) == 10
