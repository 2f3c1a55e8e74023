"""Atomic bundles under random failures: over three shared rollups, bundles whose legs randomly
revert, run out of gas, skip a nonce, overspend or expire, mixed with plain transactions.

After every slot, for every bundle: either every leg is in the blocks of ONE slot and
succeeded (a leg listed in revertingTxHashes may have reverted) and its in-slot relays too,
or no leg is in any block; which of the two is predicted from the legs (a bundle with no
failing leg is included).  Every plain transaction lands.  The heads stay aligned.

A seeded run of 1,000 bundles, then a hypothesis search over smaller runs on the same devnet.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossroll.messaging.addresses import RELAYER_ACCOUNT_INDEX
from crossroll.network import Network
from crossroll.sequencing.bundle import BundleStatus
from crossroll.types import Hash32
from tests.unit.sequencing.helpers import (
    BRIDGE,
    TOKEN,
    Wallet,
    mint,
    send_erc20,
    shared_net,
    transfer,
)

pytestmark = pytest.mark.slow

CHAINS = (901, 902, 903)
KINDS = ("ok", "ok", "ok", "token", "bridge", "revert", "listed", "oog", "nonce", "overspend")
FAILING = {"revert", "oog", "nonce", "overspend"}
ACCOUNTS = 16
PLAIN = 15  # the account that sends plain transactions
SENDERS = [i for i in range(ACCOUNTS - 1) if i != RELAYER_ACCOUNT_INDEX]  # one bundle each

_unique = itertools.count(1)

#: (legs as (chain, kind), expired) for one bundle.
Spec = tuple[list[tuple[int, str]], bool]


@dataclass
class Sent:
    bundle: Hash32
    legs: list[tuple[int, Hash32]]
    listed: set[Hash32]
    expect_included: bool


@dataclass
class Tally:
    included: int = 0
    dropped: int = 0
    relays: int = 0
    plain: list[tuple[int, Hash32]] = field(default_factory=list)


@pytest.fixture(scope="module")
def net() -> Iterator[Network]:
    options = {"rollups__count": 3, "accounts__count": ACCOUNTS}
    with shared_net(**options) as network:
        yield network


def _legs(net: Network, me: Wallet, chain_id: int, kind: str) -> list[tuple[int, bytes]]:
    """The signed legs of one ``kind`` on ``chain_id`` (two for bridge and overspend)."""
    anyone = net.accounts[PLAIN].address
    if kind == "ok":
        return [(chain_id, me.tx(chain_id, anyone, value=1, gas=21_000))]
    if kind == "token":
        return [(chain_id, me.tx(chain_id, TOKEN, mint(me.address, 1), gas=100_000))]
    if kind == "bridge":  # mint, then send to another shared rollup: an in-slot relay
        other = CHAINS[(CHAINS.index(chain_id) + 1) % len(CHAINS)]
        return [
            (chain_id, me.tx(chain_id, TOKEN, mint(me.address, 1), gas=100_000)),
            (chain_id, me.tx(chain_id, BRIDGE, send_erc20(me.address, 1, other))),
        ]
    if kind in ("revert", "listed"):  # spends tokens it does not have
        return [(chain_id, me.tx(chain_id, TOKEN, transfer(anyone, 10**30), gas=100_000))]
    if kind == "oog":
        return [(chain_id, me.tx(chain_id, TOKEN, mint(me.address, 1), gas=23_000))]
    if kind == "nonce":
        gap = me.nonce(chain_id) + 5  # a value of its own: two such legs are not duplicates
        return [(chain_id, me.tx(chain_id, anyone, value=next(_unique), nonce=gap))]
    assert kind == "overspend"  # each leg alone is affordable, both together are not
    with net.lock:
        value = net.chain(chain_id).chain.account(me.address).balance * 6 // 10
    return [(chain_id, me.tx(chain_id, anyone, value=value, gas=21_000)) for _ in range(2)]


def _send(net: Network, me: Wallet, spec: Spec, deadline: int) -> Sent:
    legs: list[tuple[int, bytes]] = []
    listed: set[Hash32] = set()
    kinds = [kind for _, kind in spec[0]]
    for chain_id, kind in spec[0]:
        new = _legs(net, me, chain_id, kind)
        if kind == "listed":
            listed |= {_hash(net, cid, raw) for cid, raw in new}
        legs += new
    bundle = net.send_bundle(
        legs, reverting=list(listed), max_timestamp=deadline if spec[1] else None
    )
    return Sent(
        bundle,
        [(cid, _hash(net, cid, raw)) for cid, raw in legs],
        listed,
        expect_included=not spec[1] and not FAILING & set(kinds),
    )


def _hash(net: Network, chain_id: int, raw: bytes) -> Hash32:
    return net.chain(chain_id).chain.engine.decode_transaction(raw).hash


def run_round(net: Network, specs: list[Spec], tally: Tally) -> None:
    """Send one bundle per sender (and a plain transaction per rollup), build one slot,
    check every bundle (module notes)."""
    deadline = net.sequencing.sequencing_json()["nextSlotTimestamp"]
    plain = Wallet(net, net.accounts[PLAIN])
    with net.lock:
        for cid in CHAINS:
            raw = plain.tx(cid, net.accounts[0].address, value=2, gas=21_000)
            tally.plain.append((cid, net.chain(cid).chain.send_raw_transaction(raw)))
    sent = [
        _send(net, Wallet(net, net.accounts[i]), spec, deadline)
        for i, spec in zip(SENDERS, specs, strict=False)
    ]
    if any(spec[1] for spec in specs[: len(sent)]):
        with net.lock:  # the slot's timestamp passes the deadline
            net.chain(CHAINS[-1]).chain.increase_time(1)
    net.advance(2)
    heads = {net.chain(cid).chain.head().number for cid in CHAINS}
    assert len(heads) == 1, heads
    for s in sent:
        _check(net, s, tally)


def _check(net: Network, s: Sent, tally: Tally) -> None:
    record = net.bundle(s.bundle)
    receipts = [net.chain(cid).chain.receipt(h) for cid, h in s.legs]
    if record.status is BundleStatus.DROPPED:
        assert not s.expect_included, record.reason
        assert receipts == [None] * len(receipts), "a leg of a dropped bundle landed"
        assert record.relays == ()
        tally.dropped += 1
        return
    assert record.status is BundleStatus.INCLUDED and s.expect_included
    assert all(r is not None for r in receipts)
    assert {r.block_number for r in receipts if r is not None} == {record.slot}
    for (_, h), r in zip(s.legs, receipts, strict=True):
        assert r is not None and (r.status == 1 or h in s.listed)
    for relay in record.relays:
        r = net.chain(relay.chain_id).chain.receipt(relay.tx_hash)
        assert r is not None and r.status == 1 and r.block_number == record.slot
    tally.included += 1
    tally.relays += len(record.relays)


def _check_plain(net: Network, tally: Tally) -> None:
    for cid, h in tally.plain:
        receipt = net.chain(cid).chain.receipt(h)
        assert receipt is not None and receipt.status == 1, (cid, h.hex())


def _random_spec(rng: random.Random) -> Spec:
    legs = [(rng.choice(CHAINS), rng.choice(KINDS)) for _ in range(rng.randint(1, 4))]
    return legs, rng.random() < 0.05


def test_a_thousand_random_bundles(net: Network) -> None:
    rng = random.Random(5)
    tally = Tally()
    total = 0
    while total < 1000:
        specs = [_random_spec(rng) for _ in SENDERS][: 1000 - total]
        run_round(net, specs, tally)
        total += len(specs)
    _check_plain(net, tally)
    assert tally.included + tally.dropped == 1000
    # Both outcomes are well represented, and messages crossed inside slots.
    assert tally.included > 200 and tally.dropped > 200 and tally.relays > 50


leg_spec = st.tuples(st.sampled_from(CHAINS), st.sampled_from(KINDS))
bundle_spec = st.tuples(st.lists(leg_spec, min_size=1, max_size=5), st.booleans())


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.lists(bundle_spec, min_size=1, max_size=len(SENDERS)), min_size=1, max_size=3))
def test_random_rounds(net: Network, rounds: list[list[Spec]]) -> None:
    tally = Tally()
    for specs in rounds:
        run_round(net, specs, tally)
    _check_plain(net, tally)
