"""crossroll_sendBundle's bad input over the admin server's HTTP: each case answers its error
code and message, nothing is kept or included, and the server goes on serving."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import rlp

from crossroll.network import Network
from tests.support.rpc import Rpc, RpcFailure
from tests.unit.sequencing.helpers import GWEI, Wallet, nonce_of, shared_net

# 901 and 902 shared, 903 with its own sequencer.
OPTIONS = {"rollups__count": 3, "sequencing__chains": {903: "own"}}


@pytest.fixture(scope="module")
def net() -> Iterator[Network]:
    with shared_net(**OPTIONS) as network:
        yield network


@pytest.fixture
def admin(net: Network) -> Rpc:
    return Rpc(net.admin_url)


def _leg(chain_id: int, raw: bytes | str) -> dict[str, Any]:
    return {"chainId": chain_id, "rawTx": raw if isinstance(raw, str) else "0x" + raw.hex()}


def _refused(admin: Rpc, bundle: Any) -> RpcFailure:
    with pytest.raises(RpcFailure) as info:
        admin("crossroll_sendBundle", bundle)
    return info.value


def test_bad_bundles_are_refused_and_nothing_lands(net: Network, admin: Rpc) -> None:
    me, other = Wallet(net, net.accounts[0]), Wallet(net, net.accounts[1])
    to = other.address
    ok901 = me.tx(901, to, value=1)
    ok902 = me.tx(902, to, value=1)
    wrong_chain = other.tx(902, to, value=1)  # signed for 902, sent as a 901 leg
    fields = rlp.decode(ok901[1:])
    bad_sig = b"\x02" + rlp.encode([*fields[:-1], b"\xff" * 32])  # s = 2**256 - 1
    gas_limit = net.chain(901).chain.head().header.gas_limit
    head_ts = net.chain(901).chain.pending_timestamp()
    cases: list[tuple[Any, int, str]] = [
        ("0x1234", -32602, "want a bundle object"),
        ({"txs": [_leg(901, ok901)], "bundle": 1}, -32602, "unknown field 'bundle'"),
        ({"txs": []}, -32602, "non-empty list"),
        ({"txs": [_leg(901, ok901)] * 17}, -32602, "at most 16 legs"),
        ({"txs": [_leg(903, ok901)]}, -32602, "chain 903 is not a shared rollup"),
        ({"txs": [_leg(900, ok901)]}, -32602, "(shared rollups: 901, 902)"),
        ({"txs": [_leg(901, "0xnothex")]}, -32602, "leg 0: rawTx: invalid hex"),
        ({"txs": [_leg(901, ok901), _leg(902, "0x02c0")]}, -32602, "leg 1: Failed to decode"),
        ({"txs": [_leg(901, bad_sig)]}, -32602, "leg 0: Failed to recover the signer"),
        ({"txs": [_leg(901, wrong_chain)]}, -32602, "signed for chain 902, not for its leg"),
        ({"txs": [_leg(901, ok901), _leg(901, ok901)]}, -32602, "leg 1 duplicates leg 0"),
        (
            {"txs": [_leg(901, ok901)], "revertingTxHashes": ["0x" + "ab" * 32]},
            -32602,
            "is not a leg of the bundle",
        ),
        (
            {"txs": [_leg(901, ok901)], "minTimestamp": 10, "maxTimestamp": 9},
            -32602,
            "minTimestamp 10 is after maxTimestamp 9",
        ),
        ({"txs": [_leg(901, ok901)], "maxTimestamp": head_ts - 1}, -32602, "bundle expired"),
        # The pool's rules, as eth_sendRawTransaction answers them, with the leg named.
        (
            {"txs": [_leg(901, me.tx(901, to, nonce=9, max_fee=1, tip=1))]},
            -32003,
            "leg 0 (chain 901): max fee per gas less than block base fee",
        ),
        (
            {"txs": [_leg(901, me.tx(901, to, nonce=9, gas=gas_limit + 1))]},
            -32000,
            "leg 0 (chain 901): intrinsic gas too high",
        ),
        (
            {"txs": [_leg(902, me.tx(902, to, nonce=9, value=10**30))]},
            -32003,
            "leg 0 (chain 902): Insufficient funds",
        ),
    ]
    for bundle, code, words in cases:
        failure = _refused(admin, bundle)
        assert (failure.code, words in str(failure.message)) == (code, True), (bundle, failure)
    # Nothing was kept, and the next slots carry no user transaction.
    assert admin("crossroll_getSequencing")["pendingBundles"] == 0
    net.advance(6)
    for cid in (901, 902):
        chain = net.chain(cid).chain
        assert all(
            tx.is_deposit
            for n in range(1, chain.head().number + 1)
            for tx in chain.block(n).transactions
        )
        assert nonce_of(net, cid, me.address) == 0
    # The server still serves, and a good bundle goes through.
    h = admin("crossroll_sendBundle", {"txs": [_leg(901, ok901), _leg(902, ok902)]})
    net.advance(2)
    assert admin("crossroll_getBundle", h)["status"] == "included"


def test_nonce_too_low_and_resending(net: Network, admin: Rpc) -> None:
    me, to = Wallet(net, net.accounts[2]), net.accounts[3].address
    legs = [_leg(901, me.tx(901, to, value=1)), _leg(902, me.tx(902, to, value=1))]
    h = admin("crossroll_sendBundle", {"txs": legs})
    assert h == admin("crossroll_getBundle", h)["hash"]
    # The same legs again: already known while pending (and once included).
    assert "already known" in str(_refused(admin, {"txs": legs}).message)
    net.advance(2)
    assert admin("crossroll_getBundle", h)["status"] == "included"
    assert "already known" in str(_refused(admin, {"txs": legs}).message)
    used = me.tx(902, to, nonce=0, tip=2 * GWEI)  # another tx with a spent nonce
    failure = _refused(admin, {"txs": [_leg(902, used)]})
    assert (failure.code, failure.message) == (-32003, "leg 0 (chain 902): nonce too low")


def test_unknown_bundle_and_slot_answer_32001(net: Network, admin: Rpc) -> None:
    for method, param in (("crossroll_getBundle", "0x" + "00" * 32), ("crossroll_getSlot", 10**6)):
        with pytest.raises(RpcFailure) as info:
            admin(method, param)
        assert info.value.code == -32001 and "not found" in str(info.value.message)
    with pytest.raises(RpcFailure) as bad:
        admin("crossroll_getBundle", "0x12")
    assert bad.value.code == -32602


def test_get_sequencing_and_slots(net: Network, admin: Rpc) -> None:
    net.advance(2)
    info = admin("crossroll_getSequencing")
    assert info["modes"] == {"901": "shared", "902": "shared", "903": "own"}
    assert info["members"] == [901, 902] and info["ordering"] == "fcfs" and info["aligned"]
    latest = admin("crossroll_getSlot", "latest")
    assert latest["slot"] == info["softSlot"] == net.chain(901).chain.head().number
    assert admin("crossroll_getSlot") == latest == admin("crossroll_getSlot", hex(latest["slot"]))
    assert [b["chainId"] for b in latest["blocks"]] == [901, 902]
    assert latest["signer"] == info["signer"]
    assert latest["firm"] is None  # nothing of it is on the L1 yet
