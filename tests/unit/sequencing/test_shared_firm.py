"""Soft then firm: a slot with a cross-rollup bundle becomes firm once its data is on the L1,
and verifiers that read only the L1 derive the very blocks the shared sequencer signed."""

from __future__ import annotations

import pytest

from crossroll.sequencing.bundle import BundleStatus
from tests.unit.sequencing.helpers import (
    BRIDGE,
    TOKEN,
    Wallet,
    mint,
    send_erc20,
    shared_net,
    transfer,
)


def _plain(me: Wallet, to: Wallet) -> list[tuple[int, bytes]]:
    return [(901, me.tx(901, to.address, value=5)), (902, me.tx(902, to.address, value=6))]


def _burn_and_mint(me: Wallet, to: Wallet) -> list[tuple[int, bytes]]:
    return [
        (901, me.tx(901, TOKEN, mint(me.address, 5))),
        (901, me.tx(901, BRIDGE, send_erc20(me.address, 5, 902))),
        (902, me.tx(902, TOKEN, transfer(to.address, 5))),
    ]


@pytest.mark.slow
@pytest.mark.parametrize("legs", [_plain, _burn_and_mint])
def test_verifiers_derive_the_signed_slots(legs: object) -> None:
    with shared_net() as net:
        me, to = Wallet(net, net.accounts[0]), Wallet(net, net.accounts[1])
        h = net.send_bundle(legs(me, to))  # type: ignore[operator]
        net.advance(2)
        record = net.bundle(h)
        assert record.status is BundleStatus.INCLUDED and record.slot is not None
        slot = record.slot
        soft = net.sequencing.slot_json(slot)
        assert soft["firm"] is None  # signed at once, not on the L1 yet
        net.advance(48)
        firm = net.sequencing.slot_json(slot)["firm"]
        assert firm is not None and firm["matches"] and firm["mismatched"] == []
        assert firm["l1Block"] <= net.l1.chain.head().number
        info = net.sequencing.sequencing_json()
        assert slot <= info["firmSlot"] <= info["softSlot"]
        verifiers = {cid: net.start_verifier(cid, serve=False) for cid in (901, 902)}
        net.advance(24)
        for cid, verifier in verifiers.items():
            ours = net.chain(cid).chain
            derived = verifier.chain.head().number
            assert derived >= slot
            for n in range(1, derived + 1):
                assert verifier.chain.block(n).hash == ours.block(n).hash, (cid, n)
            signed = dict((c, bh) for c, _, bh in net.slot(slot).blocks)
            assert verifier.chain.block(slot).hash == signed[cid]
        for relay in record.relays:  # the in-slot relays are in the derived blocks too
            assert verifiers[relay.chain_id].chain.receipt(relay.tx_hash) is not None
