"""Cross-safety (crossroll.messaging.crosssafety): a block is only as safe as the source
blocks its executing messages rely on; the batcher holds cross-unsafe blocks back; a
reorged source makes the dependent block be replaced by a deposits-only block."""

from __future__ import annotations

import pytest

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.rules import L2Rules
from crossroll.clock import VirtualClock
from crossroll.errors import RollupError
from crossroll.messaging.crosssafety import CrossSafety
from crossroll.messaging.fastpath import InteropGuard, InteropRules, executing_messages
from crossroll.messaging.reorg import inject_reorg
from tests.unit.messaging.test_fastpath import EMITTER, EMITTER_CODE, START, execute, initiate

SOURCE, DEST = 901, 902


@pytest.fixture
def chains() -> dict[int, Chain]:
    clock = VirtualClock(start=START)
    made = {cid: Chain(ChainConfig(chain_id=cid, rules=L2Rules), clock) for cid in (SOURCE, DEST)}
    made[SOURCE].set_code(EMITTER, EMITTER_CODE)
    return made


class Heads:
    """Stand-in local-safe heads (derivation's), set by the test."""

    def __init__(self) -> None:
        self.safe = {SOURCE: 0, DEST: 0}

    def of(self, chain_id: int) -> int:
        return self.safe[chain_id]


@pytest.fixture
def setup(chains: dict[int, Chain]) -> tuple[CrossSafety, Heads]:
    rules = InteropRules()
    guards = {cid: InteropGuard(cid, chains, rules) for cid in chains}
    for cid, guard in guards.items():
        chains[cid].set_tx_guard(guard)
    heads = Heads()
    safety = CrossSafety(
        guards,
        {cid: (lambda c=cid: heads.of(c)) for cid in chains},
        {cid: (lambda c=cid: heads.of(c)) for cid in chains},
    )
    return safety, heads


def test_dependent_block_is_cross_unsafe_until_its_source_is_safe(
    chains: dict[int, Chain], setup: tuple[CrossSafety, Heads]
) -> None:
    safety, heads = setup
    ident, hash_ = initiate(chains[SOURCE])  # source block 1
    chains[DEST].mine(1)  # dest block 1: nothing cross-chain
    tx = execute(chains[DEST], ident, hash_)  # dest block 2 executes source block 1
    block = chains[DEST].receipt(tx).block_number  # type: ignore[union-attr]
    assert block == 2
    heads.safe = {SOURCE: 0, DEST: 2}  # the destination derived both, the source nothing
    assert safety.safe(DEST) == 1  # block 2 waits for source block 1
    assert safety.batch_limit(DEST) == 1  # ... and the batcher holds it back
    assert safety.batch_limit(SOURCE) == chains[SOURCE].head().number
    heads.safe[SOURCE] = 1
    assert safety.safe(DEST) == 2
    assert safety.batch_limit(DEST) == 2


def test_reorged_source_replaces_the_dependent_block(
    chains: dict[int, Chain], setup: tuple[CrossSafety, Heads]
) -> None:
    safety, _ = setup
    ident, hash_ = initiate(chains[SOURCE])
    tx = execute(chains[DEST], ident, hash_)
    number = chains[DEST].receipt(tx).block_number  # type: ignore[union-attr]
    old = chains[DEST].block(number)
    assert safety.revalidate() == []  # nothing changed yet
    chains[SOURCE].set_automine(False)
    inject_reorg(chains[SOURCE], 1, lowest=1)  # the initiating log leaves block 1
    [replaced] = safety.revalidate()
    assert replaced.chain_id == DEST and replaced.first == number
    new = chains[DEST].block(number)
    assert new.hash != old.hash and new.header.timestamp == old.header.timestamp
    assert not any(executing_messages(r.logs) for r in new.receipts)
    assert chains[DEST].receipt(tx) is None  # the executing transaction is gone ...
    assert tx not in chains[DEST].pool  # ... and the guard refused it back into the pool
    assert safety.revalidate() == []  # stable


def test_a_source_reorg_that_keeps_the_log_keeps_the_block(
    chains: dict[int, Chain], setup: tuple[CrossSafety, Heads]
) -> None:
    safety, _ = setup
    ident, hash_ = initiate(chains[SOURCE])
    chains[SOURCE].mine(1)  # an empty source block 2
    execute(chains[DEST], ident, hash_)
    head = chains[DEST].head().hash
    inject_reorg(chains[SOURCE], 1, lowest=1)  # block 2 goes; block 1's log stays
    assert safety.revalidate() == []
    assert chains[DEST].head().hash == head


def test_reorg_below_the_batched_range_is_refused(
    chains: dict[int, Chain], setup: tuple[CrossSafety, Heads]
) -> None:
    safety, heads = setup
    initiate(chains[SOURCE])
    initiate(chains[SOURCE])
    heads.safe[SOURCE] = 1
    assert safety.lowest_reorgable(SOURCE) == 2
    with pytest.raises(RollupError, match="already batched"):
        inject_reorg(chains[SOURCE], 2, lowest=safety.lowest_reorgable(SOURCE))
