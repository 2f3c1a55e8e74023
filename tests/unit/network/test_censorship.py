"""Forced inclusion against a censoring sequencer, in a whole devnet on virtual time (own
mode, and shared mode for the first test): a censored account's transaction never lands through the pool, lands by the deadline
once forced through the L1 queue, and a verifier derives the same block; an uncensored one is
included early by the watcher, once; a sequencer stripped of the forced prefix never gets
that block safe, and a verifier's chain holds the transaction anyway; 40 junk entries queued
with a censored account's cannot delay it.  Plus the admin RPC."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_hash.auto import keccak

from crossroll.chain.deposits import DepositTransaction
from crossroll.errors import InvalidParams
from crossroll.network import Network
from crossroll.rollup.abi import calldata
from crossroll.rollup.forced import FORCE_INCLUDE
from crossroll.rollup.forcedwatch import ForcedStatus
from crossroll.rollup.transact import sign_1559
from crossroll.rpc.client import HttpClient
from crossroll.types import CallRequest, DevAccount

FREE = {"l1__port": 0, "rollups__port": 0, "admin_port": 0}
TO = b"\x77" * 20
WINDOW = 10  # the default sequencing.forced_inclusion_window


def signed(account: DevAccount, nonce: int = 0, chain_id: int = 901, gas: int = 21_000) -> bytes:
    return sign_1559(
        account.private_key,
        chain_id=chain_id,
        nonce=nonce,
        tip=10**9,
        max_fee=10 * 10**9,
        gas=gas,
        to=TO,
        value=1,
        data=b"",
    )


def status(net: Network, tx_hash: bytes, chain_id: int = 901) -> ForcedStatus:
    return next(s for s in net.forced_transactions(chain_id) if s.tx_hash == tx_hash)


def holders(net: Network, tx_hash: bytes, chain_id: int = 901) -> list[int]:
    """Numbers of the L2 blocks holding ``tx_hash``."""
    chain = net.chain(chain_id).chain
    return [
        n
        for n in range(chain.head().number + 1)
        if tx_hash in {tx.hash for tx in chain.block(n).transactions}
    ]


@pytest.fixture
def net(request: pytest.FixtureRequest) -> Iterator[Network]:
    mode = getattr(request, "param", "own")
    with Network.start(virtual_time=True, sequencing__mode=mode, **FREE) as network:  # type: ignore[arg-type]
        assert network.sequencing.modes == {901: mode, 902: mode}
        yield network


@pytest.mark.slow
@pytest.mark.parametrize("net", ["own", "shared"], indirect=True)
def test_censored_account_forced_by_the_deadline_and_uncensored_early(net: Network) -> None:
    censored, honest = net.accounts[1], net.accounts[2]
    assert net.set_censored(901, [censored.address]) == [censored.address]
    chain = net.chain(901).chain
    plain = signed(censored)
    with net.lock:
        tx_hash = chain.send_raw_transaction(plain)
    net.advance(60)
    assert chain.receipt(tx_hash) is None and chain.head().number > 20  # never lands
    verifier = net.start_verifier(901, serve=False)
    queued = net.force_include(901, plain)  # the very transaction, through the L1 queue
    early = signed(honest)
    queued_early = net.force_include(901, "0x" + early.hex())
    assert queued.status == 1 and status(net, tx_hash).status == "queued"
    assert status(net, tx_hash).deadline == queued.block_number + WINDOW
    net.advance(24)
    # the watcher pooled the uncensored one: in an L2 block long before its deadline
    got = status(net, keccak(early))
    assert got.status == "included" and got.l1_origin is not None
    assert got.l1_origin < queued_early.block_number + WINDOW - 5
    assert status(net, tx_hash).status == "queued"
    for _ in range(WINDOW + 2):
        net.advance(12)
        if status(net, tx_hash).status == "included":
            break
    got = status(net, tx_hash)
    assert got.status == "included" and got.l2_block is not None, got
    # censored: only the deadline rule got it in, in the first block with that L1 origin
    assert got.l1_origin == queued.block_number + WINDOW
    receipt = chain.receipt(tx_hash)
    assert receipt is not None and receipt.status == 1
    block = chain.block(got.l2_block)
    deposits = [tx for tx in block.transactions if tx.is_deposit]
    assert block.transactions[len(deposits)].hash == tx_hash  # right after the deposits
    assert holders(net, tx_hash) == [got.l2_block] and len(holders(net, keccak(early))) == 1
    assert tx_hash not in chain.pool  # the plain copy left the pool
    # a verifier derives the same block from the L1 alone
    for _ in range(30):
        net.advance(12)
        if verifier.derivation.head.number >= got.l2_block:  # type: ignore[attr-defined]
            break
    mine = verifier.chain.block(got.l2_block)
    assert mine.hash == block.hash and mine.header.state_root == block.header.state_root
    assert net.safety(901).safe() >= got.l2_block
    # the deadline block consumed the early one again, as a used nonce: still included once
    assert status(net, keccak(early)).status == "included"
    assert len(holders(net, keccak(early))) == 1


@pytest.mark.slow
def test_a_sequencer_stripped_of_the_forced_prefix_is_never_safe(net: Network) -> None:
    victim = net.accounts[3]
    net.set_censored(901, [victim.address])
    chain = net.chain(901).chain
    sequencer = net.sequencers[0]
    honest = sequencer.deposits_for

    def stripped(timestamp: int) -> list[DepositTransaction]:  # a malicious sequencer
        return [d for d in honest(timestamp) if isinstance(d, DepositTransaction)]

    with net.lock:
        chain.set_deposit_source(stripped)
    verifier = net.start_verifier(901, serve=False)
    raw = signed(victim)
    queued = net.force_include(901, raw)
    deadline = queued.block_number + WINDOW
    for _ in range(WINDOW + 2):
        net.advance(12)
    # the first block with the deadline origin left it out...
    first = next(
        n
        for n in range(1, chain.head().number + 1)
        if sequencer.origin(chain.block(n)).l1.number >= deadline
    )
    assert keccak(raw) not in {tx.hash for tx in chain.block(first).transactions}
    assert status(net, keccak(raw)).status == "skipped"
    assert "although it applies" in (status(net, keccak(raw)).reason or "")
    net.advance(240)
    # ... so derivation refuses it: the safe head stops right before it
    assert net.safety(901).safe() == first - 1
    assert chain.head().number > first + 50
    # and a verifier's chain holds the transaction: derivation included it itself
    receipt = verifier.chain.receipt(keccak(raw))
    assert receipt is not None and receipt.status == 1 and receipt.block_number == first
    assert verifier.chain.head().number == first  # the sequencer's later blocks do not extend it


def test_admin_rpc_set_censored_get_forced_and_bad_input(net: Network) -> None:
    admin = HttpClient(net.admin_url)
    who = net.accounts[4].address
    assert admin.request("crossroll_setCensored", [901, ["0x" + who.hex()]]) == [
        "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
    ]
    assert net.chain(901).chain.censored == frozenset({who})  # type: ignore[attr-defined]
    assert admin.request("crossroll_setCensored", ["0x385", []]) == []
    assert net.chain(901).chain.censored == frozenset()  # type: ignore[attr-defined]
    assert admin.request("crossroll_getForcedTransactions", [901]) == []
    raw = signed(net.accounts[4], chain_id=902)
    queued = net.force_include(902, raw)
    [entry] = admin.request("crossroll_getForcedTransactions", ["902"])
    assert entry == {
        "index": 0,
        "txHash": "0x" + keccak(raw).hex(),
        "from": "0x" + who.hex(),
        "queuedBy": "0x" + net.accounts[0].address.hex(),
        "queuedL1Block": queued.block_number,
        "deadlineL1Block": queued.block_number + WINDOW,
        "status": "queued",
    }
    bad = [
        ("crossroll_setCensored", [999, []], "no rollup 999"),
        ("crossroll_setCensored", [901, "0x00"], "want an array of addresses"),
        ("crossroll_setCensored", [901, ["0x1234"]], "common.Address"),
        ("crossroll_setCensored", [-1, []], "non-negative integer"),
        ("crossroll_getForcedTransactions", ["nine"], "non-negative integer"),
        ("crossroll_getForcedTransactions", [900], "no rollup 900"),
    ]
    for method, params, message in bad:
        with pytest.raises(InvalidParams, match=message):
            admin.request(method, params)
    with pytest.raises(InvalidParams, match="1 to 131072 bytes"):
        net.force_include(901, b"")
    with pytest.raises(InvalidParams, match="no rollup 903"):
        net.force_include(903, raw)


@pytest.mark.slow
def test_forced_transactions_that_cannot_apply_are_skipped_with_a_reason(net: Network) -> None:
    account = net.accounts[5]
    gap = signed(account, nonce=5)  # the account's nonce is 0
    net.force_include(901, gap)
    net.force_include(901, b"\x02\xde\xad")
    before = net.chain(901).chain.head().number
    for _ in range(WINDOW + 2):
        net.advance(12)
    entries = net.forced_transactions(901)
    assert [e.status for e in entries] == ["skipped", "skipped"], entries
    assert entries[0].signer == account.address and "nonce" in (entries[0].reason or "").lower()
    assert entries[1].signer is None and (entries[1].reason or "").startswith("does not decode")
    assert net.chain(901).chain.head().number > before + 50  # the chain went on
    assert holders(net, keccak(gap)) == []


@pytest.mark.slow
def test_junk_entries_cannot_push_a_censored_victim_past_its_deadline(net: Network) -> None:
    """Review 5's grief: 40 entries declaring 28M gas with impossible nonces, queued in the
    L1 block of a censored account's forced transaction, are consumed without taking room
    (each used to take a block's, delaying the victim 39 L2 blocks); the victim lands in the
    first L2 block with its deadline origin, and that block becomes safe."""
    victim, attacker = net.accounts[1], net.accounts[5]
    net.set_censored(901, [victim.address])
    queue = net.l1_addresses.forced_inclusion_queue
    raws = [signed(attacker, 10**9 + i, gas=28_000_000) for i in range(40)] + [signed(victim)]
    with net.lock:  # all into the L1's next block
        for raw in raws:
            data = calldata(FORCE_INCLUDE, 901, raw)
            net.l1.chain.send_transaction(
                CallRequest(sender=attacker.address, to=queue, data=data, gas=300_000)
            )
    for _ in range(WINDOW + 3):
        net.advance(12)
        if status(net, keccak(raws[-1])).status == "included":
            break
    entries = {e.tx_hash: e for e in net.forced_transactions(901)}
    got = entries[keccak(raws[-1])]
    assert got.status == "included" and got.l2_block is not None, got
    assert got.l1_origin == got.deadline
    assert len({entries[keccak(r)].queued_at for r in raws}) == 1  # one L1 block
    chain, sequencer = net.chain(901).chain, net.sequencers[0]
    previous = sequencer.origin(chain.block(got.l2_block - 1)).l1.number
    assert previous < got.deadline  # the first block with that origin
    for i, raw in enumerate(raws[:-1]):
        junk = entries[keccak(raw)]
        assert junk.status == "skipped" and junk.reason == f"nonce {10**9 + i}, account at 0"
    for _ in range(20):
        net.advance(12)
        if net.safety(901).safe() >= got.l2_block:
            break
    assert net.safety(901).safe() >= got.l2_block  # derivation expects the same block
