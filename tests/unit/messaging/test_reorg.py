"""Reorg injection and deposits-only replacement (crossroll.messaging.reorg), and the chain's
``rewind`` underneath them, journal included."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.persist import ChainJournal, History
from crossroll.chain.rules import L2Rules
from crossroll.clock import VirtualClock
from crossroll.errors import RollupError, UnknownBlock
from crossroll.messaging.reorg import inject_reorg, replace_blocks
from crossroll.types import CallRequest

START = 1_700_000_000
TO = bytes.fromhex("000000000000000000000000000000000000beef")


def l2_chain() -> Chain:
    config = ChainConfig(chain_id=901, rules=L2Rules, automine=True, genesis_timestamp=START)
    return Chain(config, VirtualClock(start=START))


def transfer(chain: Chain, value: int, sender: int = 0) -> bytes:
    account = chain.dev_accounts[sender]
    return chain.send_transaction(CallRequest(sender=account.address, to=TO, value=value))


def test_rewind_removes_blocks_and_restores_state() -> None:
    chain = l2_chain()
    transfer(chain, 1)
    root_1 = chain.head().header.state_root
    transfer(chain, 2)
    transfer(chain, 3)
    removed = chain.rewind(1)
    assert [b.number for b in removed] == [2, 3]
    assert chain.head().number == 1
    assert chain.state_root == root_1
    assert chain.account(TO).balance == 1
    assert chain.receipt(removed[0].transactions[0].hash) is None
    with pytest.raises(UnknownBlock):
        chain.rewind(5)


def test_inject_reorg_replaces_blocks_with_deposit_only_ones_and_requeues() -> None:
    chain = l2_chain()
    for value in (1, 2, 3):
        transfer(chain, value)
    old = [chain.block(n) for n in (2, 3)]
    chain.set_automine(False)
    result = inject_reorg(chain, 2, lowest=1)
    assert chain.head().number == 3  # the height stays
    for before, number in zip(old, (2, 3), strict=True):
        now = chain.block(number)
        assert now.hash != before.hash
        assert now.header.timestamp == before.header.timestamp
        assert all(tx.is_deposit for tx in now.transactions)  # deposits only
    assert result.removed == tuple(b.hash for b in old)
    assert result.requeued == 2 and len(chain.pool) == 2
    assert chain.account(TO).balance == 1  # the reorged transfers are not applied ...
    chain.mine(1)
    assert chain.account(TO).balance == 6  # ... until they are mined again, elsewhere
    assert chain.receipt(old[0].transactions[0].hash).block_number == 4  # type: ignore[union-attr]


def test_reorg_refuses_batched_blocks_and_bad_depths() -> None:
    chain = l2_chain()
    for value in (1, 2, 3):
        transfer(chain, value)
    head = chain.head().hash
    with pytest.raises(RollupError, match="already batched"):
        inject_reorg(chain, 2, lowest=3)
    with pytest.raises(RollupError, match="at least 1"):
        inject_reorg(chain, 0, lowest=1)
    with pytest.raises(RollupError):
        replace_blocks(chain, 5)
    assert chain.head().hash == head  # nothing changed


def test_replace_keeps_lower_blocks_and_drops_higher_ones() -> None:
    chain = l2_chain()
    for value in (1, 2, 3):
        transfer(chain, value)
    chain.set_automine(False)
    kept = chain.block(1).hash
    result = replace_blocks(chain, 2, keep=2)
    assert chain.head().number == 2 and chain.block(1).hash == kept
    assert len(result.removed) == 2 and len(result.added) == 1
    assert result.requeued == 2


def test_rewind_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "chain.log"
    chain = l2_chain()
    journal, _ = ChainJournal.attach(chain, path)
    for value in (1, 2, 3):
        transfer(chain, value)
    inject_reorg(chain, 1, lowest=1)
    expected = [chain.block(n).hash for n in range(chain.head().number + 1)]
    journal.close()
    again = l2_chain()
    journal, _ = ChainJournal.attach(again, path, History.read(path))
    try:
        assert [again.block(n).hash for n in range(again.head().number + 1)] == expected
        assert again.state_root == chain.state_root
    finally:
        journal.close()
