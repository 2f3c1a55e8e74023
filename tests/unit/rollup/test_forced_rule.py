"""Forced inclusion as pure functions over a real L1 and L2 on a virtual clock: the queue
contract, when a forced transaction is due (q + window <= origin), the cursor across blocks,
the gas rule, and forced transactions that cannot apply (undecodable, another chain's, used
nonce, no funds, duplicates) consumed and left out the same way by the sequencer's block, a
verifier's import and the safe-head check."""

from __future__ import annotations

import dataclasses
import itertools
import random

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
from crossroll.rollup.l1info import L1_INFO_GAS, l1_info_of
from crossroll.rollup.origin import END, START, BlockOrigin, origin_of_block
from crossroll.rollup.sequencer import DepositSequencer
from crossroll.rollup.transact import sign_1559
from crossroll.types import AccessListEntry, Block, CallRequest, Transaction
from tests.unit.rollup.conftest import L1_ID, L2_ID, ChainFactory, deploy

ME = b"\x77" * 20
GWEI = 10**9
WINDOW = 3


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

    def signed(
        self, account: int = 1, nonce: int = 0, *, gas: int = 21_000, chain_id: int = L2_ID
    ) -> bytes:
        key = self.l2.dev_accounts[account].private_key
        return sign_tx(key, nonce, gas=gas, chain_id=chain_id)

    def prefix(
        self, parent: BlockOrigin, origin: int, gas_limit: int = 30_000_000
    ) -> tuple[list[Transaction], BlockOrigin]:
        got, consumed = block_deposits(
            self.view, self.portal, self.batcher, parent, origin, gas_limit, forced=self.forced
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
        recovered.append(origin_of_block(s.view, s.portal, recovered[-1], block, s.forced))
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
    assert forced_of(prefix) == [keccak(queued[2]), keccak(queued[3]), keccak(good)]
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


@pytest.mark.parametrize("seed", range(3))
def test_sequencer_blocks_match_the_rule_over_random_runs(
    make_chain: ChainFactory, clock: VirtualClock, seed: int
) -> None:
    """The deposit sequencer (deposit source of an L2 that also takes pool transactions)
    builds blocks whose prefix is the rule's, and a fresh sequencer recovers its records."""
    s = make(make_chain, clock, window=2)
    sequencer = DepositSequencer(L2_ID, s.portal, s.view, s.l2, clock, s.batcher, forced=s.forced)
    rng = random.Random(seed)
    nonces = dict.fromkeys(range(1, 5), 0)
    for _ in range(40):
        action = rng.choice(["force", "force", "bad", "l1", "l2", "pool"])
        account = rng.randrange(1, 5)
        if action == "force":
            s.force(s.signed(account, nonces[account]))
            nonces[account] += 1
        elif action == "bad":
            s.force(rng.choice([b"\x02\x00", s.signed(account, 99), s.signed(account, 0)]))
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
    for parent, block in itertools.pairwise(blocks):
        origin = l1_info_of(block.transactions[0])
        assert origin is not None
        prefix, consumed = s.prefix(sequencer.origin(parent), origin.number)
        assert consumed == sequencer.origin(block), block.number
        deposits = [tx.hash for tx in prefix if tx.is_deposit]
        assert [tx.hash for tx in block.transactions[: len(deposits)]] == deposits
        # the forced ones that apply follow at once, in queue order
        batch = [tx.raw for tx in block.transactions if not tx.is_deposit]
        wanted = expected_hashes(s.l2, parent, prefix, block.header.timestamp, batch)
        assert [tx.hash for tx in block.transactions] == wanted, block.number


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
