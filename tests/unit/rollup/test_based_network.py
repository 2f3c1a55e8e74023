"""A based rollup in a devnet (901 based, 902 own, virtual time, L1 block time 12 s): one
L2 block per L1 block with its timestamp and origin, transactions from L1 posts only (the
endpoint's through its gateway, anyone's directly), deposits, bad transactions left out, a
verifier that agrees, messages from 902, and a restart from a data dir."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from eth_hash.auto import keccak

from crossroll.chain.accounts import derive_account
from crossroll.chain.config import DEFAULT_MNEMONIC
from crossroll.errors import RollupError
from crossroll.messaging.accesslist import access_list
from crossroll.messaging.addresses import CROSS_L2_INBOX, L2_TO_L2_MESSENGER
from crossroll.messaging.identifier import Identifier, msg_hash
from crossroll.messaging.l2tol2 import SEND_MESSAGE
from crossroll.messaging.store import Status
from crossroll.network import Network
from crossroll.rollup.abi import calldata, selector
from crossroll.rollup.based import BasedBuilder, encode_post
from crossroll.rollup.basedgateway import BasedGateway
from crossroll.rollup.l1info import l1_info_of
from crossroll.rollup.transact import sign_1559
from crossroll.sequencing.addresses import based_inbox
from crossroll.types import AccessListEntry, CallRequest, DevAccount, Hash32
from tests.unit.rollup.conftest import FREE, deposit

ETHER = 10**18
GWEI = 10**9
BOB = bytes.fromhex("0000000000000000000000000000000000000b0b")
BASED = {"sequencing__chains": {901: "based"}}


@pytest.fixture
def net() -> Iterator[Network]:
    with Network.start(virtual_time=True, **BASED, **FREE) as network:  # type: ignore[arg-type]
        network.advance(0)  # the blocks of the L1 blocks the deployment mined
        yield network


def builder(net: Network, chain_id: int = 901) -> BasedBuilder:
    found = net._rollups.trackers[net.config.rollup_ids.index(chain_id)]
    assert isinstance(found, BasedBuilder)
    return found


def gateway(net: Network) -> BasedGateway:
    [found] = net._rollups.gateways
    return found


def signed(
    account: DevAccount,
    nonce: int,
    *,
    to: bytes = BOB,
    value: int = 1,
    data: bytes = b"",
    gas: int = 21_000,
    chain_id: int = 901,
    access: Sequence[AccessListEntry] = (),
) -> bytes:
    return sign_1559(
        account.private_key,
        chain_id=chain_id,
        nonce=nonce,
        tip=GWEI,
        max_fee=100 * GWEI,
        gas=gas,
        to=to,
        value=value,
        data=data,
        access_list=access,
    )


def post(net: Network, raws: Sequence[bytes], poster: int = 7) -> Hash32:
    """A post sent to the L1 by dev account ``poster`` (a stranger to the rollup)."""
    with net.lock:
        return net.l1.chain.send_transaction(
            CallRequest(
                sender=net.accounts[poster].address,
                to=based_inbox(901),
                data=encode_post(raws),
                gas=200_000,
            )
        )


def l1_block_of(net: Network, l1_tx: Hash32) -> int:
    receipt = net.l1.chain.receipt(l1_tx)
    assert receipt is not None and receipt.status == 1
    return receipt.block_number


def l2_receipt(net: Network, tx_hash: Hash32) -> Any:
    return net.chain(901).chain.receipt(tx_hash)


def test_one_block_per_l1_block_with_its_timestamp_and_origin(net: Network) -> None:
    l1, l2 = net.l1.chain, net.chain(901).chain
    start = l1.head().number
    assert l2.head().number == start > 0  # the deployment's L1 blocks have theirs
    net.advance(6)
    assert (l1.head().number, l2.head().number) == (start, start)  # nothing between
    net.advance(12 * 5)
    assert l1.head().number == start + 5 == l2.head().number
    for n in range(1, l2.head().number + 1):
        block, origin = l2.block(n), l1.block(n)
        info = l1_info_of(block.transactions[0])
        assert info is not None
        assert (info.number, info.hash, info.sequence_number) == (n, origin.hash, 0)
        assert block.header.timestamp == origin.header.timestamp == info.timestamp
    assert builder(net).last_error is None
    # the L2 block is safe as soon as it exists: its data is the L1's
    client = net.chain(901).client()
    safe = client.request("eth_getBlockByNumber", ["safe", False])
    assert int(safe["number"], 16) == l2.head().number == net.safety(901).safe()
    # the own-mode rollup next to it keeps its 2 s blocks
    assert net.chain(902).chain.head().number > l2.head().number
    with pytest.raises(RollupError, match="already batched"):  # every block is the L1's
        net.inject_reorg(901, 1)


def test_a_transaction_sent_to_the_endpoint_lands_in_its_posts_l1_block(net: Network) -> None:
    alice = net.accounts[0]
    client = net.chain(901).client()
    tx_hash = keccak(signed(alice, 0))
    assert client.request("eth_sendRawTransaction", ["0x" + signed(alice, 0).hex()]) == (
        "0x" + tx_hash.hex()
    )
    net.advance(0)  # the gateway posts at once, from the rollup's batcher key
    [l1_tx] = gateway(net)._in_flight
    sent = net.l1.chain.transaction(l1_tx)[0]
    assert sent.to == based_inbox(901)
    assert sent.sender == net._rollups.configs[0].batcher.address
    assert l2_receipt(net, tx_hash) is None
    net.advance(12)
    n = l1_block_of(net, l1_tx)
    receipt = l2_receipt(net, tx_hash)
    assert receipt is not None and receipt.status == 1 and receipt.block_number == n
    assert [r.l1_block for r in gateway(net).records] == [n]
    assert tx_hash not in net.chain(901).chain.pool
    assert net.chain(901).chain.account(BOB).balance == 1


def test_a_deposit_lands_in_the_block_of_its_l1_block(net: Network) -> None:
    l1_tx = deposit(net, 901, BOB, ETHER, sender=2)
    net.advance(12)
    n = l1_block_of(net, l1_tx)
    l2 = net.chain(901).chain
    block = l2.block(n)
    assert [tx.is_deposit for tx in block.transactions] == [True, True]
    assert l2.account(BOB, n).balance == ETHER
    assert l2.account(BOB, n - 1).balance == 0


def test_anyones_post_counts_and_bad_transactions_are_left_out(net: Network) -> None:
    carol, dave = net.accounts[3], net.accounts[4]
    good = [signed(carol, 0), signed(carol, 1, value=2), signed(dave, 0, value=3)]
    bad = {
        "nonce": signed(dave, 5),  # a gap: dave is at 1 after his first
        "chain": signed(dave, 1, chain_id=902),
        "funds": signed(net.accounts[5], 0, value=10**6 * ETHER),
        "garbage": b"\x02\xc3\x01\x02\x03",
    }
    raws = [good[0], bad["nonce"], good[1], bad["chain"], bad["garbage"], good[2], bad["funds"]]
    l1_tx = post(net, raws, poster=7)  # dev account 7 has nothing to do with the rollup
    net.advance(12)
    n = l1_block_of(net, l1_tx)
    l2 = net.chain(901).chain
    block = l2.block(n)
    assert [tx.hash for tx in block.transactions if not tx.is_deposit] == [keccak(r) for r in good]
    assert all(l2.receipt(keccak(r)).status == 1 for r in good)  # type: ignore[union-attr]
    assert l2.account(BOB).balance == 1 + 2 + 3
    left = builder(net).left_out
    reasons = {name: left[keccak(raw)] for name, raw in bad.items()}
    assert {name: at for name, (at, _) in reasons.items()} == dict.fromkeys(bad, n)
    assert "nonce" in reasons["nonce"][1].lower()
    assert "chain" in reasons["chain"][1].lower()
    assert "fund" in reasons["funds"][1].lower() or "balance" in reasons["funds"][1].lower()
    counters = builder(net).counters.to_json()
    assert counters["postedTransactions"] == 7 and counters["leftOut"] == 4


def test_what_is_not_a_post_is_ignored(net: Network) -> None:
    with net.lock:
        net.l1.chain.send_transaction(
            CallRequest(
                sender=net.accounts[7].address, to=based_inbox(901), data=b"\x01junk", gas=100_000
            )
        )
    before = builder(net).counters.ignored_transactions
    net.advance(12)
    assert builder(net).counters.ignored_transactions == before + 1
    assert builder(net).last_error is None
    assert net.chain(901).chain.head().number == net.l1.chain.head().number


def test_a_posted_transaction_left_out_is_dropped_from_the_pool(net: Network) -> None:
    # A stranger's post fills the block first: a creation hitting INVALID burns all its gas,
    # leaving less than 21,000 after the L1-info deposit (~44,000 used).
    carol, dave = net.accounts[3], net.accounts[4]
    limit = net.chain(901).chain.head().header.gas_limit
    filler = sign_1559(
        carol.private_key,
        chain_id=901,
        nonce=0,
        tip=GWEI,
        max_fee=100 * GWEI,
        gas=limit - 60_000,
        to=None,
        value=0,
        data=b"\xfe",
    )
    post(net, [filler])
    ours = signed(dave, 0, value=7)
    net.chain(901).client().request("eth_sendRawTransaction", ["0x" + ours.hex()])
    net.advance(0)
    assert keccak(ours) in gateway(net)._posted  # both posts land in the same L1 block
    net.advance(12)
    l2 = net.chain(901).chain
    assert l2.receipt(keccak(filler)).status == 0  # type: ignore[union-attr]
    assert l2.receipt(keccak(ours)) is None
    assert "gas" in builder(net).left_out[keccak(ours)][1].lower()
    # still valid for the pool (nonce 0), but its post is spent: dropped, not posted again
    assert keccak(ours) not in l2.pool and gateway(net).dropped == [keccak(ours)]
    assert gateway(net)._posted == {}
    net.advance(24)
    assert len(gateway(net).records) == 1
    # the user may send it again; it lands
    net.chain(901).client().request("eth_sendRawTransaction", ["0x" + ours.hex()])
    net.advance(12)
    assert l2.receipt(keccak(ours)).status == 1  # type: ignore[union-attr]


def test_a_verifier_derives_the_same_blocks(net: Network) -> None:
    alice = net.accounts[0]
    client = net.chain(901).client()
    deposit(net, 901, BOB, ETHER, sender=2)
    for i in range(3):
        client.request("eth_sendRawTransaction", ["0x" + signed(alice, i).hex()])
    post(net, [signed(net.accounts[3], 0), signed(net.accounts[3], 9)])
    net.advance(24)
    verifier = net.start_verifier(901, serve=False)
    client.request("eth_sendRawTransaction", ["0x" + signed(alice, 3).hex()])
    net.advance(24)
    ours, theirs = net.chain(901).chain, verifier.chain
    assert isinstance(verifier.derivation, BasedBuilder)
    assert theirs.head().number == ours.head().number == net.l1.chain.head().number
    assert ours.account(BOB).balance == ETHER + 4 + 1
    for n in range(ours.head().number + 1):
        assert theirs.block(n).hash == ours.block(n).hash
        assert theirs.block(n).header.state_root == ours.block(n).header.state_root


def test_the_gateway_cannot_censor_anyone_may_post() -> None:
    dave = derive_account(DEFAULT_MNEMONIC, 4)
    options = {**BASED, "sequencing__censor": {901: ["0x" + dave.address.hex()]}}
    with Network.start(virtual_time=True, **options, **FREE) as net:  # type: ignore[arg-type]
        raw = signed(dave, 0)
        net.chain(901).client().request("eth_sendRawTransaction", ["0x" + raw.hex()])
        net.advance(24)  # the censoring gateway does not post dave's transaction
        assert l2_receipt(net, keccak(raw)) is None and gateway(net).records == []
        post(net, [raw], poster=4)  # so dave posts it himself
        net.advance(12)
        receipt = l2_receipt(net, keccak(raw))
        assert receipt is not None and receipt.status == 1


def test_a_forced_transaction_lands_exactly_at_its_deadline() -> None:
    """The deposit prefix of a based block holds the forced transactions due, as every mode's
    does; one L2 block per L1 block makes the deadline block exact."""
    dave = derive_account(DEFAULT_MNEMONIC, 4)
    options = {**BASED, "sequencing__censor": {901: ["0x" + dave.address.hex()]}}
    with Network.start(virtual_time=True, **options, **FREE) as net:  # type: ignore[arg-type]
        raw = signed(dave, 0)
        queued = net.force_include(901, raw).block_number
        window = net.config.sequencing.forced_inclusion_window
        net.advance(12 * (window + 2))
        receipt = l2_receipt(net, keccak(raw))
        assert receipt is not None and receipt.status == 1
        assert receipt.block_number == queued + window
        assert builder(net).last_error is None


def test_a_message_from_an_own_mode_rollup_is_relayed_through_l1_posts(net: Network) -> None:
    me = net.accounts[0].address
    with net.lock:
        net.chain(902).chain.send_transaction(
            CallRequest(
                sender=me, to=L2_TO_L2_MESSENGER, data=calldata(SEND_MESSAGE, 901, BOB, b"hi")
            )
        )
    for _ in range(10):
        net.advance(12)
        records = net.messages(chain_id=902)
        if records and records[-1].status is Status.RELAYED:
            break
    [record] = net.messages(chain_id=902)
    assert record.status is Status.RELAYED, record.to_json()
    relay = l2_receipt(net, record.relay_tx_hash or b"")
    assert relay is not None and relay.status == 1
    posts = {h for r in gateway(net).records for h in r.tx_hashes}
    assert record.relay_tx_hash in posts  # the relayer's pool transaction went via the L1
    [carrying] = [r for r in gateway(net).records if record.relay_tx_hash in r.tx_hashes]
    assert relay.block_number == carrying.l1_block


def _emit_on_902(net: Network) -> tuple[Identifier, Hash32]:
    """A log on 902 from a one-line emitter contract; its identifier and payload hash."""
    emitter = bytes.fromhex("00000000000000000000000000000000000e0001")
    topic = keccak(b"Ping(bytes)")
    code = bytes.fromhex("365f5f37" + "7f" + topic.hex() + "365fa100")  # LOG1(calldata)
    source = net.chain(902).chain
    with net.lock:
        source.set_code(emitter, code)
        tx_hash = source.send_transaction(
            CallRequest(sender=net.accounts[0].address, to=emitter, data=b"ping", gas=100_000)
        )
    net.advance(2)
    receipt = source.receipt(tx_hash)
    assert receipt is not None
    [log] = receipt.logs
    stamp = source.block(receipt.block_number).header.timestamp
    return Identifier.of_log(log, stamp, 902), msg_hash(log)


def test_an_executing_message_the_guard_refuses_is_left_out(net: Network) -> None:
    ident, payload_hash = _emit_on_902(net)
    forged = Identifier(ident.origin, ident.block_number + 1000, 0, ident.timestamp, 902)
    validate = selector(f"validateMessage({Identifier.ABI_TYPE},bytes32)")
    carol = net.accounts[3]

    def execute(nonce: int, which: Identifier) -> bytes:
        data = validate + which.encode() + payload_hash
        access = access_list(which, payload_hash)
        return signed(
            carol, nonce, to=CROSS_L2_INBOX, value=0, data=data, gas=200_000, access=access
        )

    genuine, fake = execute(0, ident), execute(1, forged)
    after = signed(carol, 1, value=9)  # takes the nonce the refused one leaves free
    post(net, [genuine, fake, after])
    net.advance(12)
    l2 = net.chain(901).chain
    assert l2.receipt(keccak(genuine)).status == 1  # type: ignore[union-attr]
    assert l2.receipt(keccak(fake)) is None
    assert "initiating message not found" in builder(net).left_out[keccak(fake)][1]
    assert l2.receipt(keccak(after)).status == 1  # type: ignore[union-attr]


def test_a_restart_from_a_data_dir_goes_on_from_the_l1(tmp_path: Path) -> None:
    options = {**BASED, **FREE, "virtual_time": True, "data_dir": str(tmp_path)}
    with Network.start(**options) as net:  # type: ignore[arg-type]
        net.advance(36)
        alice = net.accounts[0]
        net.chain(901).client().request("eth_sendRawTransaction", ["0x" + signed(alice, 0).hex()])
        net.advance(12)
        head = net.chain(901).chain.head()
        assert head.number == net.l1.chain.head().number
    with Network.start(**options) as net:  # type: ignore[arg-type]
        l2 = net.chain(901).chain
        assert l2.head().hash == head.hash
        assert builder(net).next_l1 == head.number + 1
        net.advance(24)
        assert l2.head().number == net.l1.chain.head().number == head.number + 2
        assert builder(net).last_error is None
        verifier = net.start_verifier(901, serve=False)
        net.advance(0)
        assert verifier.chain.head().hash == l2.head().hash


def test_rebuilds_for_refused_messages_are_bounded(net: Network) -> None:
    """Posts whose executing messages are refused one rebuild at a time (each refusal
    unmasking the next) cost at most MAX_GUARD_ROUNDS + 1 builds of the block: then every
    transaction that could execute a message is left out, and the others still land."""
    from crossroll.rollup.based import MAX_GUARD_ROUNDS, TOO_MANY_ROUNDS
    from crossroll.rollup.forcedcheck import executes_messages

    b = builder(net)
    real = b.guard
    assert real is not None
    builds = 0

    class OneAtATime:
        """Refuses the first message-executing transaction of every block it is shown."""

        def admit(self, tx: object) -> None: ...

        def reject(self, block: Any) -> dict[Hash32, Any]:
            nonlocal builds
            builds += 1
            for tx in block.transactions:
                if not tx.is_deposit and executes_messages(tx):
                    return {tx.hash: RollupError("refused one at a time")}
            return {}

    b.guard = OneAtATime()  # type: ignore[assignment]
    try:
        entry = AccessListEntry(CROSS_L2_INBOX, (b"\x03" + bytes(31),))
        senders = net.accounts[3:9]
        executing = [
            signed(a, 0, to=BOB, value=1, gas=30_000, access=(entry,)) for a in senders
        ]  # six of them: more than MAX_GUARD_ROUNDS
        plain = signed(net.accounts[2], 0, value=5)
        post(net, [*executing, plain])
        net.advance(12)
    finally:
        b.guard = real
    l2 = net.chain(901).chain
    assert l2.receipt(keccak(plain)).status == 1  # type: ignore[union-attr]
    assert all(l2.receipt(keccak(raw)) is None for raw in executing)
    reasons = [b.left_out[keccak(raw)][1] for raw in executing]
    assert reasons[:MAX_GUARD_ROUNDS] == ["refused one at a time"] * MAX_GUARD_ROUNDS
    assert reasons[MAX_GUARD_ROUNDS:] == [TOO_MANY_ROUNDS] * (len(executing) - MAX_GUARD_ROUNDS)
    assert builds == MAX_GUARD_ROUNDS + 1  # for the block with the post (others: 1 each)
