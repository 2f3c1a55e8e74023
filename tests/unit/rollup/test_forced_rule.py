"""Forced inclusion as pure functions over a real L1 and L2 on a virtual clock: the queue
contract, when a forced transaction is due (q + window <= origin), the cursor across blocks,
the gas rule, and forced transactions that cannot apply (undecodable, another chain's, used
nonce, no funds, duplicates) consumed and left out the same way by the sequencer's block, a
verifier's import and the safe-head check."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import random
from typing import Any

import pytest
from eth_hash.auto import keccak

from crossroll.chain import Chain
from crossroll.clock import VirtualClock
from crossroll.errors import CrossrollError, ExecutionReverted
from crossroll.l1.view import LocalL1View
from crossroll.messaging.addresses import CROSS_L2_INBOX
from crossroll.rollup import RollupConfig, block_deposits, genesis_origin
from crossroll.rollup.abi import calldata, selector
from crossroll.rollup.addresses import create_address
from crossroll.rollup.deploy import DEPLOY_GAS
from crossroll.rollup.forced import (
    FORCE_INCLUDE,
    MAX_FORCED_SIZE,
    ForcedInclusion,
    expected_hashes,
)
from crossroll.rollup.forcedcheck import ForcedContext
from crossroll.rollup.forcedwatch import ForcedWatcher
from crossroll.rollup.l1info import L1_INFO_GAS, l1_info_of
from crossroll.rollup.origin import END, START, BlockOrigin, origin_of_block
from crossroll.rollup.sequencer import DepositSequencer
from crossroll.rollup.transact import sign_1559
from crossroll.types import AccessListEntry, Block, CallRequest, Transaction
from tests.unit.rollup.conftest import L1_ID, L2_ID, ChainFactory, deploy

ME = b"\x77" * 20
GWEI = 10**9
WINDOW = 3
DEPOSIT = "depositTransaction(address,uint256,uint64,bool,bytes)"


@dataclasses.dataclass
class Setup:
    clock: VirtualClock
    l1: Chain
    l2: Chain
    view: LocalL1View
    portal: bytes
    batcher: bytes
    forced: ForcedInclusion

    def force(self, raw: bytes, chain_id: int = L2_ID) -> int:
        """Queue ``raw`` from L1 dev account 0; the L1 block it landed in (automine)."""
        sender = self.l1.dev_accounts[0].address
        data = calldata(FORCE_INCLUDE, chain_id, raw)
        self.l1.send_transaction(CallRequest(sender=sender, to=self.forced.queue, data=data))
        return self.l1.head().number

    def force_together(self, raws: list[bytes]) -> int:
        """Queue ``raws`` in one L1 block, in order; that block's number."""
        self.l1.set_automine(False)
        try:
            sender = self.l1.dev_accounts[0].address
            for raw in raws:
                data = calldata(FORCE_INCLUDE, L2_ID, raw)
                request = CallRequest(sender=sender, to=self.forced.queue, data=data)
                self.l1.send_transaction(request)
            [block] = self.l1.mine(1)
            assert len(block.transactions) == len(raws)
            return block.number
        finally:
            self.l1.set_automine(True)

    def deposit(self, account: int) -> int:
        """A portal deposit from L1 dev account ``account`` (its L2 nonce goes up when the
        L2 includes it); the L1 block it landed in."""
        sender = self.l1.dev_accounts[account].address
        data = calldata(DEPOSIT, ME, 0, 100_000, False, b"")
        self.l1.send_transaction(CallRequest(sender=sender, to=self.portal, data=data))
        return self.l1.head().number

    def signed(
        self, account: int = 1, nonce: int = 0, *, gas: int = 21_000, chain_id: int = L2_ID
    ) -> bytes:
        key = self.l2.dev_accounts[account].private_key
        return sign_tx(key, nonce, gas=gas, chain_id=chain_id)

    def prefix(
        self,
        parent: BlockOrigin,
        origin: int,
        gas_limit: int = 30_000_000,
        *,
        on: Block | None = None,
        chain: Chain | None = None,
    ) -> tuple[list[Transaction], BlockOrigin]:
        """The rule's prefix of the block built on ``on`` (default: the L2 head) of
        ``chain`` (default: the L2), whose parent consumed ``parent``."""
        chain = self.l2 if chain is None else chain
        context = ForcedContext.on(chain, (chain.head() if on is None else on).header)
        got, consumed = block_deposits(
            self.view,
            self.portal,
            self.batcher,
            parent,
            origin,
            gas_limit,
            forced=self.forced,
            context=context,
        )
        return [d if isinstance(d, Transaction) else d.to_transaction() for d in got], consumed


def sign_tx(key: bytes, nonce: int, *, gas: int = 21_000, chain_id: int = L2_ID) -> bytes:
    return sign_1559(
        key,
        chain_id=chain_id,
        nonce=nonce,
        tip=GWEI,
        max_fee=10 * GWEI,
        gas=gas,
        to=ME,
        value=1,
        data=b"",
    )


def make(make_chain: ChainFactory, clock: VirtualClock, window: int = WINDOW) -> Setup:
    l1 = make_chain(L1_ID)
    l2 = make_chain(L2_ID, l2=True)
    config = RollupConfig.for_rollup(L2_ID, 0)
    addrs = deploy(l1, clock, [config], [l2])
    l2.set_automine(False)
    forced = ForcedInclusion(addrs.forced_inclusion_queue, L2_ID, window).bound(l2)
    portal = addrs.rollup(L2_ID).optimism_portal
    return Setup(clock, l1, l2, LocalL1View(l1), portal, config.batcher.address, forced)


def forced_of(txs: list[Transaction]) -> list[bytes]:
    return [tx.hash for tx in txs if not tx.is_deposit]


# ------------------------------------------------------------------ the contract
def test_queue_contract_deploys_last_logs_and_rejects(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    s = make(make_chain, clock)
    deployer = s.l1.dev_accounts[0].address
    assert s.forced.queue == create_address(deployer, 5)  # after the hub (nonce 4)
    raws = [s.signed(1, 0), s.signed(2, 0)]
    blocks = [s.force(raws[0]), s.force(b"\x01", chain_id=902), s.force(raws[1])]
    entries = s.forced.queued(s.view, START, s.view.head_number())
    assert [(e.index, e.raw, e.l1_block) for e in entries] == [
        (0, raws[0], blocks[0]),
        (1, raws[1], blocks[2]),  # counted per chain: 902's entry is not 901's
    ]
    assert all(e.sender == deployer and e.hash == keccak(e.raw) for e in entries)
    receipt = s.l1.receipt(s.l1.block(blocks[0]).transactions[0].hash)
    assert receipt is not None and receipt.gas_used <= 0.85 * DEPLOY_GAS["ForcedInclusionQueue"]
    length = s.l1.call(
        CallRequest(to=s.forced.queue, data=calldata("queueLength(uint256)", L2_ID))
    ).output
    assert int.from_bytes(length, "big") == 2
    for raw, error in ((b"", "EmptyTransaction()"), (b"\x01" * (MAX_FORCED_SIZE + 1), None)):
        with pytest.raises(ExecutionReverted) as info:
            s.l1.call(CallRequest(to=s.forced.queue, data=calldata(FORCE_INCLUDE, L2_ID, raw)))
        wanted = selector(error or "TransactionTooLarge(uint256,uint256)")
        assert str(info.value.data).startswith("0x" + wanted.hex())


# ------------------------------------------------------------------ due, cursor
def test_due_at_queued_block_plus_window_not_one_before(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    s = make(make_chain, clock)
    raw = s.signed()
    q = s.force(raw)
    s.l1.mine(WINDOW)
    assert s.forced.due(s.view, START, q + WINDOW - 1) == []
    assert [e.raw for e in s.forced.due(s.view, START, q + WINDOW)] == [raw]
    genesis = genesis_origin(s.view)
    early, consumed = s.prefix(genesis, q + WINDOW - 1)
    assert forced_of(early) == [] and consumed.forced == (q - 1, END)
    due, consumed = s.prefix(genesis, q + WINDOW)
    assert forced_of(due) == [keccak(raw)]
    assert due[: len(due) - 1] == [tx for tx in due if tx.is_deposit]  # right after deposits
    assert consumed.forced == (q, END)


def test_cursor_across_blocks_and_recovery(make_chain: ChainFactory, clock: VirtualClock) -> None:
    s = make(make_chain, clock)
    first, second = s.signed(1, 0), s.signed(2, 0)
    q1 = s.force(first)
    q2 = s.force(second)
    s.l1.mine(WINDOW + 1)
    origins = [genesis_origin(s.view)]
    seen = []
    for origin in (q1 + WINDOW, q1 + WINDOW, q2 + WINDOW, q2 + WINDOW + 1):
        prefix, consumed = s.prefix(origins[-1], origin)
        seen.append(forced_of(prefix))
        s.l2.mine_with_deposits(prefix)
        clock.advance(1)
        origins.append(consumed)
    assert seen == [[keccak(first)], [], [keccak(second)], []]
    held = [tx.hash for n in range(1, 5) for tx in s.l2.block(n).transactions]
    assert held.count(keccak(first)) == 1 and held.count(keccak(second)) == 1
    # read back from the blocks alone (a restarted node)
    recovered = [genesis_origin(s.view)]
    for n in range(1, 5):
        block = s.l2.block(n)
        context = ForcedContext.on(s.l2, s.l2.block(n - 1).header)
        recovered.append(origin_of_block(s.view, s.portal, recovered[-1], block, s.forced, context))
    assert recovered == origins
    fresh = DepositSequencer(
        L2_ID, s.portal, s.view, s.l2, clock, s.batcher, forced=dataclasses.replace(s.forced)
    )
    assert [fresh.origin(s.l2.block(n)) for n in range(5)] == origins


def test_gas_rule_waits_and_skips_what_never_fits(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    s = make(make_chain, clock)
    a, b = s.signed(1, 0, gas=30_000), s.signed(2, 0, gas=30_000)
    c, d = s.signed(3, 0, gas=60_000), s.signed(4, 0, gas=21_000)
    for raw in (a, b, c, d):
        s.force(raw)
    s.l1.mine(WINDOW)
    origin = s.view.head_number()
    limit = L1_INFO_GAS + 50_000  # room for 50k of forced gas: c (60k) never fits
    parent = genesis_origin(s.view)
    taken = []
    for _ in range(4):
        prefix, parent = s.prefix(parent, origin, gas_limit=limit)
        taken.append(forced_of(prefix))
    assert taken == [[keccak(a)], [keccak(b)], [keccak(d)], []]
    assert parent.forced == (origin - WINDOW, END)


# ------------------------------------------------------------ what cannot apply
def test_unappliable_forced_txs_are_consumed_and_left_out_alike(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    s = make(make_chain, clock)
    good = s.signed(1, 0)
    queued = [
        b"\x02\xde\xad",  # does not decode
        s.signed(2, 0, chain_id=902),  # another chain's
        s.signed(3, 7),  # nonce 7 on a fresh account
        sign_tx(b"\x42" * 32, 0),  # an account without ETH
        good,
        good,  # queued twice: the second copy is left out
    ]
    for raw in queued:
        s.force(raw)
    q = s.view.head_number()
    s.l1.mine(WINDOW)
    prefix, consumed = s.prefix(genesis_origin(s.view), q + WINDOW)
    assert forced_of(prefix) == [keccak(good)]  # the rest fail the pre-check
    assert consumed.forced == (q, END)
    parent = s.l2.head()
    timestamp = parent.header.timestamp + 1
    block = s.l2.mine_with_deposits(prefix, timestamp=timestamp)
    assert forced_of(list(block.transactions)) == [keccak(good)]
    # the safe-head check expects exactly this block (the batch holds the forced copy)
    assert expected_hashes(s.l2, parent, prefix, timestamp, [good]) == [
        tx.hash for tx in block.transactions
    ]
    # ... and refuses one that left out a forced transaction that applies
    assert keccak(good) in expected_hashes(s.l2, parent, prefix, timestamp, [])
    # a verifier imports the same block: deposits, forced (optional), the batch's txs
    verifier = Chain(dataclasses.replace(s.l2.config), clock)
    try:
        assert verifier.block(0).hash == s.l2.block(0).hash
        optional = frozenset(forced_of(prefix))
        decoded = s.forced.decoded(good)
        assert isinstance(decoded, Transaction)
        again = verifier.import_block([*prefix, decoded], timestamp, optional=optional)
        assert again.hash == block.hash
    finally:
        verifier.close()


@pytest.mark.parametrize("seed", range(4))
def test_sequencer_blocks_match_the_rule_over_random_runs(
    make_chain: ChainFactory, clock: VirtualClock, seed: int
) -> None:
    """The deposit sequencer (deposit source of an L2 that also takes pool transactions)
    builds blocks whose prefix is the rule's, the safe-head check and a verifier's import
    agree with them, and a fresh sequencer recovers its records; with junk entries (huge gas
    that can never run) and deposits that use a sender's nonce under its placed forced
    transaction (which then fails when it runs)."""
    s = make(make_chain, clock, window=2)
    sequencer = DepositSequencer(L2_ID, s.portal, s.view, s.l2, clock, s.batcher, forced=s.forced)
    rng = random.Random(seed)
    nonces = dict.fromkeys(range(1, 5), 0)
    actions = ["force", "force", "big", "bad", "junk", "deposit", "l1", "l2", "pool"]
    for _ in range(60):
        action = rng.choice(actions)
        account = rng.randrange(1, 5)
        if action in ("force", "big"):
            gas = 21_000 if action == "force" else rng.choice([9_000_000, 15_000_000])
            s.force(s.signed(account, nonces[account], gas=gas))
            nonces[account] += 1
        elif action == "bad":
            s.force(rng.choice([b"\x02\x00", s.signed(account, 99), s.signed(account, 0)]))
        elif action == "junk":
            s.force(junk(s, rng.choice(list(JUNK)), account, nonces[account]))
        elif action == "deposit":
            s.deposit(account)
            nonces[account] += 1
        elif action == "l1":
            s.l1.mine(1)
        elif action == "l2":
            s.l2.mine(1)
        else:  # the same transaction through the pool (the watcher's path)
            try:
                s.l2.send_raw_transaction(s.signed(account, nonces[account]))
                nonces[account] += 1
            except CrossrollError:  # a nonce the pool refuses: skip
                pass
        clock.advance(1)
    s.l1.mine(3)
    while sequencer.has_pending():
        s.l2.mine(1)
    blocks = [s.l2.block(n) for n in range(s.l2.head().number + 1)]
    check_blocks(s, sequencer, blocks)
    fresh = DepositSequencer(L2_ID, s.portal, s.view, s.l2, clock, s.batcher, forced=s.forced)
    assert [fresh.origin(b) for b in blocks] == [sequencer.origin(b) for b in blocks]
    assert sequencer.origin(blocks[-1]).forced[0] >= 0  # something was consumed
    included = [tx.hash for b in blocks for tx in b.transactions]
    assert len(included) == len(set(included))  # nothing twice


def check_blocks(s: Setup, sequencer: DepositSequencer, blocks: list[Block]) -> None:
    """Each block's prefix is the rule's, the safe-head check expects the block, and a
    verifier importing ``[the rule's prefix on its own head][the batch]`` gets it too."""
    config = dataclasses.replace(s.l2.config, genesis_timestamp=blocks[0].header.timestamp)
    verifier = Chain(config, s.clock)
    derived = genesis_origin(s.view)
    try:
        for parent, block in itertools.pairwise(blocks):
            origin = l1_info_of(block.transactions[0])
            assert origin is not None
            prefix, consumed = s.prefix(sequencer.origin(parent), origin.number, on=parent)
            assert consumed == sequencer.origin(block), block.number
            deposits = [tx.hash for tx in prefix if tx.is_deposit]
            assert [tx.hash for tx in block.transactions[: len(deposits)]] == deposits
            # the forced ones that apply follow at once, in queue order
            batch = [tx.raw for tx in block.transactions if not tx.is_deposit]
            wanted = expected_hashes(s.l2, parent, prefix, block.header.timestamp, batch)
            assert [tx.hash for tx in block.transactions] == wanted, block.number
            mine, derived = s.prefix(derived, origin.number, chain=verifier)
            assert derived == consumed and mine == prefix
            txs = [*mine, *map(verifier.engine.decode_transaction, batch)]
            again = verifier.import_block(
                txs, block.header.timestamp, optional=frozenset(forced_of(mine))
            )
            assert again.hash == block.hash, block.number
    finally:
        verifier.close()


#: Entries that can never run, each declaring a block's worth of gas (or its most), and the
#: pre-check's reason.
JUNK = {
    "nonce": "nonce 1000000000, account at {nonce}",
    "fee cap": "fee cap 500000000 below base fee {base_fee}",
    "tip": "tip cap 20000000000 above fee cap 10000000000",
    "intrinsic": "gas 36999 below intrinsic gas 37000",
    "funds": "cannot pay gas x fee cap + value = 280000000000000001 wei with 0",
    "initcode": "initcode of 50000 bytes above 49152",
}


def junk(s: Setup, kind: str, account: int, nonce: int) -> bytes:
    """A forced transaction of ``kind`` (:data:`JUNK`) from L2 dev ``account``."""
    key = s.l2.dev_accounts[account].private_key
    fields: dict[str, Any] = dict(
        chain_id=L2_ID, nonce=nonce, tip=GWEI, max_fee=10 * GWEI, gas=28_000_000, to=ME,
        value=1, data=b"",
    )  # fmt: skip
    if kind == "nonce":
        fields["nonce"] = 10**9
    elif kind == "fee cap":
        fields |= {"tip": GWEI // 4, "max_fee": GWEI // 2}
    elif kind == "tip":
        fields["tip"] = 20 * GWEI
    elif kind == "intrinsic":
        fields |= {"data": b"\x01" * 1000, "gas": 21_000 + 16 * 1000 - 1}
    elif kind == "funds":
        key = b"\x42" * 32
    elif kind == "initcode":
        fields |= {"to": None, "data": b"\x00" * 50_000, "gas": 1_000_000}
    return sign_1559(key, **fields)


@pytest.mark.parametrize("kind", list(JUNK))
def test_junk_takes_no_room_and_says_why(
    make_chain: ChainFactory, clock: VirtualClock, kind: str
) -> None:
    """An entry that fails the pre-check is consumed without taking room: with room for it
    but not for it and the next one, the next one still goes in the same block."""
    s = make(make_chain, clock)
    bad, victim = junk(s, kind, 1, 0), s.signed(2, 0)
    q = s.force_together([bad, victim])
    s.l1.mine(WINDOW)
    tx = s.forced.decoded(bad)
    assert isinstance(tx, Transaction)
    limit = L1_INFO_GAS + tx.gas + 10_000  # room for the junk alone
    prefix, consumed = s.prefix(genesis_origin(s.view), q + WINDOW, gas_limit=limit)
    assert forced_of(prefix) == [keccak(victim)]
    assert consumed.forced == (q, END)
    context = ForcedContext.on(s.l2, s.l2.head().header)
    entries = s.forced.due(s.view, START, q + WINDOW)
    placed = s.forced.place(entries, limit - L1_INFO_GAS, limit - L1_INFO_GAS, context)
    wanted = JUNK[kind].format(nonce=0, base_fee=context.base_fee)
    assert placed.left_out == {keccak(bad): wanted}
    assert [t.hash for t in placed.taken] == [keccak(victim)] and not placed.full


def test_forty_junk_entries_do_not_delay_a_censored_victim(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    """The reviewer's grief (review 5, exp6): 40 entries declaring 28M gas with impossible
    nonces, queued in the L1 block of a censored account's forced transaction, used to take
    a block's room each and delay it 39 blocks; now it lands in the first L2 block whose L1
    origin is its deadline.  Only VALID forced transactions ahead of it that fill the room
    make it wait (here one: a block)."""
    s = make(make_chain, clock)
    sequencer = DepositSequencer(L2_ID, s.portal, s.view, s.l2, clock, s.batcher, forced=s.forced)
    victim, attacker = s.l2.dev_accounts[1].address, 5
    s.l2.set_censored([victim])
    plain = s.signed(1, 0)
    s.l2.send_raw_transaction(plain)  # censored: the pool keeps it, no block takes it
    rubbish = [s.signed(attacker, 10**9 + i, gas=28_000_000) for i in range(40)]
    q = s.force_together([*rubbish, plain])
    s.l2.mine(2)
    s.l1.mine(WINDOW)
    [block] = s.l2.mine(1)
    assert sequencer.origin(block).l1.number == q + WINDOW  # the first with that origin
    assert forced_of(list(block.transactions)) == [keccak(plain)]
    receipt = s.l2.receipt(keccak(plain))
    assert receipt is not None and receipt.status == 1 and receipt.block_number == block.number
    assert sequencer.origin(block).forced == (q, END)  # all 41 consumed
    # a valid forced transaction filling the room ahead of it does take it: one block later
    big, second = s.signed(2, 0, gas=30_000_000 - L1_INFO_GAS - 10_000), s.signed(1, 1)
    q2 = s.force_together([big, second])
    s.l1.mine(WINDOW)
    first, then = s.l2.mine(2)
    assert sequencer.origin(first).l1.number == q2 + WINDOW
    assert forced_of(list(first.transactions)) == [keccak(big)]
    assert forced_of(list(then.transactions)) == [keccak(second)]
    check_blocks(s, sequencer, [s.l2.block(n) for n in range(s.l2.head().number + 1)])


def test_placed_but_failing_when_run_is_left_out_alike(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    """A forced transaction that passes the pre-check (the parent's state) but fails when it
    runs, because a deposit of the same block used its sender's nonce first, is consumed
    and left out the same way by the sequencer, the safe-head check and a verifier; the
    watcher says why."""
    s = make(make_chain, clock)
    sequencer = DepositSequencer(L2_ID, s.portal, s.view, s.l2, clock, s.batcher, forced=s.forced)
    watcher = ForcedWatcher(L2_ID, s.view, s.l2, clock, s.forced, sequencer.origin, offer=False)
    asyncio.run(watcher.start())
    assert s.l1.dev_accounts[1].address == s.l2.dev_accounts[1].address
    doomed, fine = s.signed(1, 0), s.signed(2, 0)
    q = s.force_together([doomed, fine])
    s.l1.mine(WINDOW - 1)
    assert s.deposit(1) == q + WINDOW  # deposits come first in the deadline block
    [block] = s.l2.mine(1)
    held = [tx.hash for tx in block.transactions]
    assert sequencer.origin(block).forced == (q, END)
    assert keccak(doomed) not in held and forced_of(list(block.transactions)) == [keccak(fine)]
    assert s.l2.account(s.l2.dev_accounts[1].address).nonce == 1  # the deposit's
    check_blocks(s, sequencer, [s.l2.block(n) for n in range(s.l2.head().number + 1)])
    [entry] = [e for e in watcher.statuses() if e.tx_hash == keccak(doomed)]
    assert entry.status == "skipped" and "nonce" in (entry.reason or "").lower(), entry
    assert "although it applies" not in (entry.reason or "")
    asyncio.run(watcher.stop())


def test_a_senders_forced_txs_count_against_its_nonce_and_funds(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    """The pre-check counts the sender's forced transactions placed before in the block: a
    run of nonces goes in together; one its earlier ones may leave unpaid does not."""
    s = make(make_chain, clock)
    run = [s.signed(1, n) for n in range(3)]
    key = s.l2.dev_accounts[2].private_key
    balance = s.l2.account(s.l2.dev_accounts[2].address).balance
    spend = sign_1559(
        key, chain_id=L2_ID, nonce=0, tip=GWEI, max_fee=10 * GWEI, gas=21_000, to=ME,
        value=balance - 21_000 * 10 * GWEI - 1, data=b"",
    )  # fmt: skip
    unpaid = sign_tx(key, 1)  # 1 wei left, at most: cannot pay
    q = s.force_together([*run, spend, unpaid])
    s.l1.mine(WINDOW)
    prefix, _ = s.prefix(genesis_origin(s.view), q + WINDOW)
    assert forced_of(prefix) == [*map(keccak, run), keccak(spend)]
    entries = s.forced.due(s.view, START, q + WINDOW)
    context = ForcedContext.on(s.l2, s.l2.head().header)
    placed = s.forced.place(entries, 10**8, 29_000_000, context)
    cost = 21_000 * 10 * GWEI + 1
    assert placed.left_out == {
        keccak(unpaid): f"cannot pay gas x fee cap + value = {cost} wei with 1"
    }


def test_forced_tx_that_could_execute_a_message_is_left_out(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    """A forced transaction bypasses the fast-path check like a deposit, so one that
    access-lists the CrossL2Inbox (could execute a message) is consumed and left out; the
    transactions due with it still go in."""
    s = make(make_chain, clock)
    key = s.l2.dev_accounts[1].private_key
    entry = AccessListEntry(CROSS_L2_INBOX, (b"\x03" + b"\x00" * 31,))
    sneaky = sign_1559(
        key, chain_id=L2_ID, nonce=0, tip=GWEI, max_fee=10 * GWEI, gas=100_000,
        to=CROSS_L2_INBOX, value=0, data=b"", access_list=(entry,),
    )  # fmt: skip
    honest = s.signed(2, 0)
    q = s.force(sneaky)
    s.force(honest)
    s.l1.mine(WINDOW + 1)
    due, consumed = s.prefix(genesis_origin(s.view), q + WINDOW + 1)
    assert forced_of(due) == [keccak(honest)]
    assert consumed.forced >= (q, 0)
