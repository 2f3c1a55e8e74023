"""A chain's journal (crossroll.chain.persist): everything replays into an identical chain, a
torn last record is dropped, corruption and foreign journals are refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_hash.auto import keccak

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.blobtx import sign_blob_transaction
from crossroll.chain.deposits import DepositTransaction
from crossroll.chain.journal import MAGIC, frame
from crossroll.chain.persist import ChainJournal, History
from crossroll.chain.records import decode, encode
from crossroll.chain.rules import L1Rules, L2Rules
from crossroll.clock import VirtualClock
from crossroll.da.blob import encode_blob
from crossroll.da.kzg import BlobSidecar
from crossroll.errors import JournalCorrupt, JournalError
from crossroll.types import Block, CallRequest, LogFilter
from tests.unit.chain.helpers import GWEI, START, calldata, deploy, sign

TO = bytes.fromhex("000000000000000000000000000000000000beef")


_OPEN: list[ChainJournal] = []


@pytest.fixture(autouse=True)
def _close_journals() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def new_chain(**config: Any) -> Chain:
    config.setdefault("genesis_timestamp", START)
    return Chain(ChainConfig(**config), VirtualClock(start=START))


def attach(chain: Chain, path: Path, history: History | None = None) -> Any:
    journal, blobs = ChainJournal.attach(chain, path, history)
    _OPEN.append(journal)
    return blobs


def restart(chain: Chain, path: Path, **config: Any) -> tuple[Chain, Any]:
    """A new chain from the same config with ``path`` replayed into it."""
    assert chain.journal is not None
    chain.journal.close()  # type: ignore[attr-defined]
    chain.journal = None  # the old chain goes on without it, for comparisons
    chain.close()
    again = new_chain(**config)
    return again, attach(again, path, History.read(path))


def fingerprint(chain: Chain) -> tuple[Any, ...]:
    return (
        chain.head().hash,
        chain.state_root,
        chain.time_offset,
        chain.next_timestamp,
        tuple(chain.store.blocks),
    )


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "31337" / "chain.log"


@pytest.fixture
def journaled(path: Path) -> Iterator[Chain]:
    chain = new_chain()
    attach(chain, path)
    yield chain
    chain.close()


# ------------------------------------------------------------------- codec
@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        1,
        -1,
        2**256 - 1,
        -(2**70),
        b"",
        b"\x00" * 40,
        "text",
        (),
        ((1, b"x"), None),
    ],
)
def test_codec_round_trip(value: Any) -> None:
    assert decode(encode(value)) == value


def test_codec_refuses_other_types_and_garbage() -> None:
    with pytest.raises(TypeError):
        encode({"a": 1})
    with pytest.raises(JournalCorrupt):
        decode(b"\x05\x10abc")  # bytes longer than the record
    with pytest.raises(JournalCorrupt):
        decode(encode(1) + b"\x00")


# ------------------------------------------------------------------ replay
def test_replay_rebuilds_blocks_receipts_logs_state_and_controls(
    journaled: Chain, path: Path
) -> None:
    chain = journaled
    alice, bob = chain.dev_accounts[0], chain.dev_accounts[1]
    token = deploy(chain, alice, "TestToken", _token_ctor())
    transfer = calldata("transfer(address,uint256)", ["address", "uint256"], [bob.address, 5])
    chain.send_transaction(CallRequest(sender=alice.address, to=token, data=transfer))
    chain.send_raw_transaction(sign(bob.private_key, to=TO, value=7, nonce=0))
    chain.set_balance(TO, 10**18)
    chain.set_code(TO, b"\x60\x2a")
    chain.set_storage_at(TO, 3, 99)
    chain.set_nonce(TO, 4)
    snap = chain.snapshot()
    chain.mine(3)
    assert chain.revert(snap)
    later = chain.snapshot()  # survives the restart
    at_later = chain.head().number
    chain.increase_time(1000)
    chain.mine(1)
    chain.set_next_block_timestamp(chain.head().header.timestamp + 500)
    before = fingerprint(chain)
    receipts = [chain.receipt(tx.hash) for b in chain.store.blocks for tx in b.transactions]
    logs = chain.logs(LogFilter(0, 100, addresses=(token,)))
    assert len(logs) == 2  # the mint and the transfer

    again, _ = restart(chain, path)
    assert fingerprint(again) == before
    assert [again.receipt(r.transaction_hash) for r in receipts if r] == receipts
    assert again.logs(LogFilter(0, 100, addresses=(token,))) == logs
    assert (again.account(TO).balance, again.account(TO).nonce) == (10**18, 4)
    assert (again.code(TO), again.storage(TO, 3)) == (b"\x60\x2a", 99)
    assert again.account(bob.address) == chain.account(bob.address)
    # the chain keeps working where it stopped: same next block as without the restart
    raw = sign(alice.private_key, to=TO, value=1, nonce=again.account(alice.address).nonce)
    assert again.send_raw_transaction(raw) == chain.send_raw_transaction(raw)
    assert again.head() == chain.head()
    assert again.revert(later) and chain.revert(later)
    assert again.head().number == at_later and fingerprint(again) == fingerprint(chain)


def test_replay_of_a_thousand_blocks_is_identical(journaled: Chain, path: Path) -> None:
    chain = journaled
    alice = chain.dev_accounts[0]
    for nonce in range(300):
        chain.send_raw_transaction(sign(alice.private_key, to=TO, value=1, nonce=nonce))
    chain.mine(700)
    again, _ = restart(chain, path)
    assert again.head().number == 1000
    assert fingerprint(again) == fingerprint(chain)
    assert again.account(TO).balance == 300


def test_pooled_transactions_come_back(journaled: Chain, path: Path) -> None:
    chain = journaled
    alice = chain.dev_accounts[0]
    gapped = chain.send_raw_transaction(sign(alice.private_key, to=TO, value=2, nonce=1))
    chain.set_automine(False)
    waiting = chain.send_raw_transaction(sign(alice.private_key, to=TO, value=3, nonce=2))
    chain.set_automine(True)  # nothing ready: nonce 0 is missing
    again, _ = restart(chain, path)
    assert gapped in again.pool and waiting in again.pool
    again.send_raw_transaction(sign(alice.private_key, to=TO, value=1, nonce=0))
    assert again.account(TO).balance == 6 and len(again.pool) == 0


def test_deposits_replay_exactly(path: Path) -> None:
    chain = new_chain(chain_id=901, rules=L2Rules)
    attach(chain, path)
    deposit = DepositTransaction(
        source_hash=keccak(b"one"), sender=b"\x11" * 20, to=TO, mint=10**18, value=5,
        gas=100_000, is_system_tx=False, data=b"",
    )  # fmt: skip
    block = chain.mine_with_deposits([deposit])
    again, _ = restart(chain, path, chain_id=901, rules=L2Rules)
    assert again.head() == block
    (receipt,) = again.head().receipts
    assert receipt.deposit_nonce == 0 and receipt.deposit_receipt_version == 1
    assert again.head().transactions[0].source_hash == keccak(b"one")
    assert again.account(TO).balance == 5


def test_blob_sidecars_are_restored(path: Path) -> None:
    chain = new_chain(rules=L1Rules, chain_id=900)
    attach(chain, path)
    key = chain.dev_accounts[0].private_key
    sidecars = [BlobSidecar.of(encode_blob(b"persisted blob"))]
    raw = sign_blob_transaction(
        key, chain_id=900, nonce=0, to=TO, sidecars=sidecars, max_fee_per_gas=3 * GWEI,
        max_priority_fee_per_gas=GWEI, max_fee_per_blob_gas=10 * GWEI,
    )  # fmt: skip
    chain.send_raw_transaction(raw)
    head = chain.head()
    assert path.stat().st_size < 32 * 1024  # a 128 KiB blob, mostly padding, compressed
    _, blobs = restart(chain, path, rules=L1Rules, chain_id=900)
    assert [(b.block_number, b.timestamp, b.sidecars) for b in blobs] == [
        (head.number, head.header.timestamp, tuple(sidecars))
    ]


# -------------------------------------------------------------- failures
def test_torn_last_record_is_dropped(journaled: Chain, path: Path) -> None:
    chain = journaled
    alice = chain.dev_accounts[0]
    chain.send_raw_transaction(sign(alice.private_key, to=TO, value=1, nonce=0))
    kept = fingerprint(chain)
    size = path.stat().st_size
    chain.send_raw_transaction(sign(alice.private_key, to=TO, value=1, nonce=1))
    assert chain.journal is not None
    chain.journal.close()  # type: ignore[attr-defined]
    torn = size + (path.stat().st_size - size) // 2
    with open(path, "r+b") as f:  # what a kill in the middle of a write leaves
        f.truncate(torn)
    again, _ = restart(chain, path)
    assert fingerprint(again) == kept
    assert path.stat().st_size == size  # cut before new records follow it
    again.send_raw_transaction(sign(alice.private_key, to=TO, value=1, nonce=1))
    third, _ = restart(again, path)
    assert third.head().number == 2 and third.account(TO).balance == 2


def test_corruption_in_the_middle_is_refused(journaled: Chain, path: Path) -> None:
    chain = journaled
    chain.mine(3)
    data = bytearray(path.read_bytes())
    data[len(MAGIC) + 40] ^= 0xFF  # inside the first record (the header)
    path.write_bytes(bytes(data))
    with pytest.raises(JournalCorrupt, match="checksum"):
        History.read(path)


def test_journal_of_another_chain_is_refused(journaled: Chain, path: Path) -> None:
    journaled.mine(1)
    other = new_chain(account_count=3)  # another genesis state
    with pytest.raises(JournalError, match="configuration changed"):
        ChainJournal.attach(other, path, History.read(path))
    path.write_bytes(MAGIC + b"\x00" * 3)  # a torn first record: as good as no journal
    assert History.read(path) is None
    path.write_bytes(MAGIC + frame(b"B" + encode((1,))))  # no header record
    with pytest.raises(JournalError, match="not a crossroll chain journal"):
        History.read(path)


def test_failed_write_changes_nothing(journaled: Chain) -> None:
    chain = journaled
    assert chain.journal is not None
    chain.journal.journal.close()  # type: ignore[attr-defined]
    head = chain.head()
    with pytest.raises(JournalError, match="cannot write"):
        chain.mine(1)
    assert chain.head() == head
    with pytest.raises(JournalError):
        chain.set_balance(TO, 1)
    assert chain.account(TO).balance == 0


def test_no_journal_means_no_write_log() -> None:
    chain = new_chain()
    chain.mine(2)
    assert chain.engine.write_log.take() == ()  # type: ignore[attr-defined]
    assert isinstance(chain.head(), Block)


def _token_ctor() -> bytes:
    from eth_abi import encode as abi

    return abi(["string", "string", "uint8", "uint256"], ["Test", "TST", 18, 10**24])
