"""The shared sequencer in a devnet (901 and 902 shared, virtual time): bundles land whole in
one slot or not at all, a message between legs is relayed in the same slot, and plain
transactions still land."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crossroll.messaging.addresses import L2_TO_L2_MESSENGER, RELAYER_ACCOUNT_INDEX
from crossroll.messaging.l2tol2 import SEND_MESSAGE
from crossroll.messaging.store import Status
from crossroll.network import Network
from crossroll.rollup.abi import calldata
from crossroll.sequencing.addresses import shared_sequencer_account
from crossroll.sequencing.bundle import BundleStatus
from tests.unit.sequencing.helpers import (
    BRIDGE,
    TOKEN,
    Wallet,
    mint,
    nonce_of,
    send_erc20,
    shared_net,
    token_balance,
    transfer,
)

AMOUNT = 1000


@pytest.fixture(scope="module")
def net() -> Iterator[Network]:
    with shared_net() as network:
        yield network


def burn_and_mint(me: Wallet, to: Wallet, *, spend: int = AMOUNT, gas: int = 200_000) -> list:
    """Mint on 901, send (burn) to 902, then a 902 leg that spends what the relay mints."""
    return [
        (901, me.tx(901, TOKEN, mint(me.address, AMOUNT))),
        (901, me.tx(901, BRIDGE, send_erc20(me.address, AMOUNT, 902))),
        (902, me.tx(902, TOKEN, transfer(to.address, spend), gas=gas)),
    ]


def user_txs(net: Network, chain_id: int, number: int) -> list[bytes]:
    block = net.chain(chain_id).chain.block(number)
    return [tx.hash for tx in block.transactions if not tx.is_deposit]


def test_burn_on_901_and_mint_on_902_land_in_one_slot(net: Network) -> None:
    me, to = Wallet(net, net.accounts[0]), Wallet(net, net.accounts[1])
    legs = burn_and_mint(me, to)
    h = net.send_bundle(legs)
    assert net.bundle(h).status is BundleStatus.PENDING
    net.advance(2)
    record = net.bundle(h)
    assert record.status is BundleStatus.INCLUDED, record.reason
    slot = record.slot
    assert slot is not None and {p.block_number for p in record.legs} == {slot}
    b901, b902 = (net.chain(c).chain.block(slot) for c in (901, 902))
    assert b901.header.timestamp == b902.header.timestamp
    # 902's block: the relay the sequencer added, then the leg that spends the minted tokens.
    (relay,) = record.relays
    assert relay.chain_id == 902 and relay.block_number == slot
    assert user_txs(net, 902, slot) == [relay.tx_hash, record.bundle.legs[2].tx.hash]
    assert user_txs(net, 901, slot) == [leg.tx.hash for leg in record.bundle.legs[:2]]
    assert all(r.status == 1 for r in b901.receipts + b902.receipts)
    relay_tx = b902.transactions[b902.receipts[-2].transaction_index]
    assert relay_tx.sender == shared_sequencer_account().address
    assert token_balance(net, 901, me.address) == 0  # burned
    assert token_balance(net, 902, to.address) == AMOUNT  # minted, then spent
    # The message store saw the in-slot relay; the relayer never sends one of its own.
    (message,) = [m for m in net.messages(chain_id=901) if m.msg_hash == relay.msg_hash]
    assert message.status is Status.RELAYED and message.relay_tx_hash == relay.tx_hash
    net.advance(30)
    relayer = net.accounts[RELAYER_ACCOUNT_INDEX].address
    assert nonce_of(net, 902, relayer) == 0
    assert net.message(relay.msg_hash).relay_tx_hash == relay.tx_hash
    # The RPC view: every leg with its receipt, and the relay.
    got = net.sequencing.bundle_json(h)
    assert got["status"] == "included" and got["slot"] == slot
    assert [leg["receipt"]["status"] for leg in got["legs"]] == ["0x1"] * 3
    assert got["legs"][2]["blockHash"] == "0x" + b902.hash.hex()
    assert got["relays"][0]["msgHash"] == "0x" + relay.msg_hash.hex()
    # The soft commitment names both blocks and the bundle, signed by the shared sequencer.
    commitment = net.slot(slot)
    assert commitment.blocks == ((901, slot, b901.hash), (902, slot, b902.hash))
    assert commitment.bundles == (h,)
    assert commitment.signer() == shared_sequencer_account().address


def _failing(me: Wallet, to: Wallet, kind: str) -> list:
    if kind == "revert":  # spends more than the relay mints
        return burn_and_mint(me, to, spend=AMOUNT + 1)
    if kind == "out of gas":
        return burn_and_mint(me, to, gas=30_000)
    if kind == "bad nonce":
        legs = burn_and_mint(me, to)
        return [*legs[:2], (902, me.tx(902, TOKEN, transfer(to.address, 1), nonce=5))]
    if kind == "block gas":  # the first leg asks for the whole block: the next cannot fit
        limit = me.net.chain(901).chain.head().header.gas_limit
        return [
            (901, me.tx(901, TOKEN, mint(me.address, AMOUNT), gas=limit)),
            (902, me.tx(902, to.address, value=1)),
            (901, me.tx(901, to.address, value=1)),
        ]
    assert kind == "relay fails"  # a message whose target call reverts on 902
    return [
        (901, me.tx(901, L2_TO_L2_MESSENGER, calldata(SEND_MESSAGE, 902, TOKEN, b"\xde\xad"))),
        (902, me.tx(902, to.address, value=1)),
    ]


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("revert", "leg 2 (chain 902"),
        ("out of gas", "leg 2 (chain 902"),
        ("bad nonce", "refused"),
        ("block gas", "would overflow the block gas limit"),
        ("relay fails", "in-slot relay of message 0x"),
    ],
)
def test_a_failing_leg_drops_the_whole_bundle(net: Network, kind: str, words: str) -> None:
    me, to = Wallet(net, net.accounts[2]), Wallet(net, net.accounts[3])
    before = {
        c: (nonce_of(net, c, me.address), token_balance(net, c, me.address)) for c in (901, 902)
    }
    received = token_balance(net, 902, to.address)
    h = net.send_bundle(_failing(me, to, kind))
    net.advance(2)
    record = net.bundle(h)
    assert record.status is BundleStatus.DROPPED and words in (record.reason or ""), record
    slot = record.slot
    assert slot is not None and record.legs == () and record.relays == ()
    # Nothing of it anywhere: only deposits in the slot, nonces and balances as before.
    assert user_txs(net, 901, slot) == user_txs(net, 902, slot) == []
    after = {
        c: (nonce_of(net, c, me.address), token_balance(net, c, me.address)) for c in (901, 902)
    }
    assert after == before and token_balance(net, 902, to.address) == received
    assert net.slot(slot).bundles == ()
    assert not [m for m in net.messages(chain_id=901) if m.message.sender == me.address]


def test_reverting_tx_hashes_let_a_listed_leg_revert(net: Network) -> None:
    me, to = Wallet(net, net.accounts[4]), Wallet(net, net.accounts[5])
    ok = me.tx(901, to.address, value=7)
    bad = me.tx(902, TOKEN, transfer(to.address, 1))  # no tokens: reverts
    h = net.send_bundle([(901, ok), (902, bad)])
    net.advance(2)
    assert net.bundle(h).status is BundleStatus.DROPPED
    me.forget()
    ok, bad = me.tx(901, to.address, value=7), me.tx(902, TOKEN, transfer(to.address, 1))
    bad_hash = net.chain(902).chain.engine.decode_transaction(bad).hash
    h = net.send_bundle([(901, ok), (902, bad)], reverting=[bad_hash])
    net.advance(2)
    record = net.bundle(h)
    assert record.status is BundleStatus.INCLUDED
    statuses = [leg["receipt"]["status"] for leg in net.sequencing.bundle_json(h)["legs"]]
    assert statuses == ["0x1", "0x0"]


def test_min_and_max_timestamp(net: Network) -> None:
    me, to = Wallet(net, net.accounts[6]), net.accounts[7].address
    shared = net.sequencing.sequencing_json()
    start = shared["nextSlotTimestamp"]
    later = net.send_bundle(
        [(901, me.tx(901, to, value=1)), (902, me.tx(902, to, value=1))], min_timestamp=start + 6
    )
    net.advance(4)
    assert net.bundle(later).status is BundleStatus.PENDING
    net.advance(4)
    record = net.bundle(later)
    assert record.status is BundleStatus.INCLUDED and record.slot is not None
    assert net.slot(record.slot).timestamp >= start + 6
    # A maxTimestamp the next slot can still meet is taken; time jumping past it expires it.
    deadline = net.sequencing.sequencing_json()["nextSlotTimestamp"]
    soon = net.send_bundle([(901, me.tx(901, to, value=1))], max_timestamp=deadline)
    with net.lock:
        net.chain(902).chain.increase_time(60)  # the slot takes the latest member's time
    net.advance(2)
    record = net.bundle(soon)
    assert record.status is BundleStatus.DROPPED and "expired" in (record.reason or "")


def test_plain_transactions_still_land_after_the_bundles(net: Network) -> None:
    me, to = Wallet(net, net.accounts[8]), net.accounts[7].address
    plain = [me.tx(cid, to, value=3) for cid in (901, 902)]
    hashes = [
        net.chain(cid).client().eth_sendRawTransaction("0x" + raw.hex())
        for cid, raw in zip((901, 902), plain, strict=True)
    ]
    other = Wallet(net, net.accounts[5])
    h = net.send_bundle([(901, other.tx(901, to, value=1))])
    net.advance(2)
    slot = net.bundle(h).slot
    assert slot is not None
    # The bundle's leg first, then the pool's transaction, in the same block.
    assert [f"0x{x.hex()}" for x in user_txs(net, 901, slot)] == [
        "0x" + net.bundle(h).bundle.legs[0].tx.hash.hex(),
        hashes[0],
    ]
    assert [f"0x{x.hex()}" for x in user_txs(net, 902, slot)] == [hashes[1]]
    assert net.chain(901).chain.head().number == net.chain(902).chain.head().number == slot


def test_misaligned_heads_stop_the_slots_until_realigned(net: Network) -> None:
    net.advance(2)
    with net.lock:
        net.chain(901).chain.mine(1)  # by hand: 901 is one block ahead
    heads = [net.chain(c).chain.head().number for c in (901, 902)]
    me = Wallet(net, net.accounts[0])
    net.chain(902).chain.send_raw_transaction(me.tx(902, me.address, value=1))
    net.advance(10)
    assert [net.chain(c).chain.head().number for c in (901, 902)] == heads
    assert net.sequencing.sequencing_json()["aligned"] is False
    with net.lock:
        net.chain(902).chain.mine(1)  # the pool's transaction lands in it
    net.advance(2)
    assert net.sequencing.sequencing_json()["aligned"] is True
    assert net.chain(901).chain.head().number == net.chain(902).chain.head().number == heads[0] + 1


def test_a_censoring_shared_sequencer_drops_the_bundles_of_censored_senders(net: Network) -> None:
    me, to = Wallet(net, net.accounts[6]), net.accounts[7].address
    legs = [(901, me.tx(901, to, value=1)), (902, me.tx(902, to, value=1))]
    net.set_censored(902, [me.address])
    try:
        h = net.send_bundle(legs)
        net.advance(2)
        record = net.bundle(h)
        assert record.status is BundleStatus.DROPPED
        assert f"sender 0x{me.address.hex()} is censored" in (record.reason or "")
    finally:
        net.set_censored(902, [])
    h = net.send_bundle(legs)  # a dropped bundle may be sent again
    net.advance(2)
    assert net.bundle(h).status is BundleStatus.INCLUDED


def test_reverting_every_member_builds_those_slots_again(net: Network) -> None:
    net.advance(2)
    chains = [net.chain(c).chain for c in (901, 902)]
    with net.lock:
        snaps = [c.snapshot() for c in chains]
    me = Wallet(net, net.accounts[8])
    net.send_bundle(
        [(901, me.tx(901, me.address, value=1)), (902, me.tx(902, me.address, value=1))]
    )
    net.advance(6)
    high = net.slot().slot
    with net.lock:
        assert all(c.revert(s) for c, s in zip(chains, snaps, strict=True))
    base = chains[0].head().number
    assert base < high
    net.advance(2)
    latest = net.slot()  # the first slot after the revert, not the stale higher one
    assert latest.slot == base + 1 == net.sequencing.sequencing_json()["softSlot"]
    assert latest.blocks == tuple((c.chain_id, base + 1, c.head().hash) for c in chains)
