"""In-slot relays get at most MAX_RELAY_GAS: a message to a contract that burns every gas it
gets costs the shared sequencer's key (and the slot's CPU) that much at most, and one that
runs out drops its bundle, saying so, before the key pays anything."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import rlp
from eth_hash.auto import keccak

from crossroll.messaging.addresses import L2_TO_L2_MESSENGER
from crossroll.messaging.l2tol2 import SEND_MESSAGE
from crossroll.network import Network
from crossroll.rollup.abi import calldata
from crossroll.rollup.transact import sign_1559
from crossroll.sequencing.addresses import shared_sequencer_account
from crossroll.sequencing.bundle import BundleStatus
from crossroll.sequencing.inslot import MAX_RELAY_GAS
from crossroll.types import Address
from tests.unit.sequencing.helpers import GWEI, Wallet, shared_net

# Runtime code, each behind a constructor that returns it (12 bytes: copy, return).
FOREVER = bytes.fromhex("5b600056")  # JUMPDEST PUSH1 0 JUMP: runs out of any gas
UNTIL_30K = bytes.fromhex("5b5a6175301060005700")  # loop while gas > 30,000, then STOP
SHARED = shared_sequencer_account().address


def constructor(runtime: bytes) -> bytes:
    n = len(runtime)
    return bytes.fromhex(f"60{n:02x}600c60003960{n:02x}6000f3") + runtime


@pytest.fixture(scope="module")
def net() -> Iterator[Network]:
    with shared_net() as network:
        yield network


def deploy(net: Network, me: Wallet, runtime: bytes) -> Address:
    nonce = me.nonce(902)
    raw = sign_1559(
        me.account.private_key,
        chain_id=902,
        nonce=nonce,
        tip=GWEI,
        max_fee=20 * GWEI,
        gas=200_000,
        to=b"",
        value=0,
        data=constructor(runtime),
    )
    me.nonces[902] = nonce + 1
    net.chain(902).chain.send_raw_transaction(raw)
    net.advance(2)
    address: Address = keccak(rlp.encode([me.address, nonce]))[12:]
    assert net.chain(902).chain.code(address) == runtime
    return address


def message_to(me: Wallet, target: Address) -> bytes:
    return me.tx(901, L2_TO_L2_MESSENGER, calldata(SEND_MESSAGE, 902, target, b""), gas=400_000)


def key_on_902(net: Network) -> tuple[int, int]:
    with net.lock:
        account = net.chain(902).chain.account(SHARED)
    return account.balance, account.nonce


def test_a_relay_that_runs_out_of_gas_drops_its_bundle_and_costs_the_key_nothing(
    net: Network,
) -> None:
    me = Wallet(net, net.accounts[3])
    burner = deploy(net, me, FOREVER)
    key = key_on_902(net)
    h = net.send_bundle([(901, message_to(me, burner))])
    started = time.perf_counter()
    net.advance(2)
    elapsed = time.perf_counter() - started
    record = net.bundle(h)
    assert record.status is BundleStatus.DROPPED
    reason = record.reason or ""
    assert reason.startswith("in-slot relay of message 0x")
    assert re.search(
        r"failed: ran out of gas: used 2,9\d\d,\d{3} of its gas limit 3,000,000", reason
    )
    assert key_on_902(net) == key  # the relay never landed
    assert elapsed < 5  # 3M gas run once (it was the whole block's 30M)


def test_a_relay_gets_at_most_max_relay_gas(net: Network) -> None:
    me = Wallet(net, net.accounts[4])
    burner = deploy(net, me, UNTIL_30K)  # succeeds with whatever gas it gets
    balance, nonce = key_on_902(net)
    h = net.send_bundle([(901, message_to(me, burner))])
    net.advance(2)
    record = net.bundle(h)
    assert record.status is BundleStatus.INCLUDED
    (relay,) = record.relays
    chain = net.chain(902).chain
    tx, _ = chain.transaction(relay.tx_hash)
    receipt = chain.receipt(relay.tx_hash)
    assert tx.sender == SHARED and tx.gas == MAX_RELAY_GAS == 3_000_000
    assert receipt is not None and receipt.status == 1
    assert 2_900_000 < receipt.gas_used <= MAX_RELAY_GAS  # burnt: but no more than the cap
    spent = balance - key_on_902(net)[0]
    assert spent == receipt.gas_used * receipt.effective_gas_price
    assert key_on_902(net)[1] == nonce + 1


def test_an_ordinary_relay_pays_only_for_what_it_uses(net: Network) -> None:
    me = Wallet(net, net.accounts[5])
    h = net.send_bundle([(901, message_to(me, b"\x22" * 20))])  # to an account: a no-op call
    net.advance(2)
    record = net.bundle(h)
    assert record.status is BundleStatus.INCLUDED
    receipt = net.chain(902).chain.receipt(record.relays[0].tx_hash)
    assert receipt is not None and receipt.status == 1 and receipt.gas_used < 200_000
