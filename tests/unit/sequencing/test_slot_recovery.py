"""A slot appended on some shared rollups only: a failing append (a listener, the journal)
takes back the blocks already appended, a failing take-back is retried before the next
slot, and a crash between two appends is repaired when the devnet starts again."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from crossroll.network import Network
from crossroll.sequencing.bundle import BundleStatus
from crossroll.types import Block
from tests.unit.sequencing.helpers import Wallet, nonce_of, shared_net

TO = b"\x11" * 20
REPO = Path(__file__).resolve().parents[3]


def heads(net: Network) -> dict[int, int]:
    with net.lock:
        return {cid: net.chain(cid).chain.head().number for cid in (901, 902)}


def two_legs(net: Network, me: Wallet, value: int = 1) -> tuple[bytes, bytes]:
    """A bundle with a leg on each rollup; its hash and the 901 leg's transaction hash."""
    legs = [(901, me.tx(901, TO, value=value)), (902, me.tx(902, TO, value=value))]
    leg = net.chain(901).chain.engine.decode_transaction(legs[0][1]).hash
    return net.send_bundle(legs), leg


def fail_once(holds: bytes, error: BaseException) -> Any:
    """A block listener that raises ``error`` for the first block holding ``holds``."""
    fired: list[Block] = []

    def listener(block: Block) -> None:
        if not fired and any(tx.hash == holds for tx in block.transactions):
            fired.append(block)
            raise error

    return listener


def test_a_failing_listener_takes_the_whole_slot_back() -> None:
    with shared_net() as net:
        me, other = Wallet(net, net.accounts[0]), Wallet(net, net.accounts[1])
        plain = net.chain(901).chain.send_raw_transaction(other.tx(901, TO, value=7))
        before = heads(net)
        h, leg = two_legs(net, me)
        # 902 is appended after 901: its listener fails once 901 already has the slot.
        leg902 = net.bundle(h).bundle.legs[1].tx.hash
        net.chain(902).chain.on_block(fail_once(leg902, RuntimeError("listener broke")))
        net.advance(2)
        assert heads(net) == before  # neither rollup keeps the slot
        assert net.bundle(h).status is BundleStatus.PENDING
        assert nonce_of(net, 901, me.address) == nonce_of(net, 902, me.address) == 0
        assert plain in net.chain(901).chain.pool  # the pool is as before the slot
        net.advance(2)  # the listener lets the next one through
        record = net.bundle(h)
        assert record.status is BundleStatus.INCLUDED
        assert heads(net) == {901: record.slot, 902: record.slot}
        assert net.chain(901).chain.receipt(plain) is not None
        assert net.chain(901).chain.receipt(leg) is not None
        assert net.sequencing.sequencing_json()["aligned"] is True


def test_a_journal_failure_takes_the_slot_back_on_disk_too(tmp_path: Path) -> None:
    with shared_net(data_dir=str(tmp_path)) as net:
        me = Wallet(net, net.accounts[0])
        before = heads(net)
        h, leg = two_legs(net, me)
        journal = net.chain(902).chain.journal
        assert journal is not None
        real = journal.block
        calls = []

        def broken(block: Block, sidecars: Any) -> None:
            calls.append(block.number)
            raise OSError(28, "No space left on device")

        journal.block = broken  # type: ignore[method-assign]
        net.advance(2)
        assert calls and heads(net) == before  # 901's block was journaled, then rewound
        journal.block = real  # type: ignore[method-assign]
        net.advance(2)
        assert net.bundle(h).status is BundleStatus.INCLUDED
        slot = net.bundle(h).slot
    with shared_net(data_dir=str(tmp_path)) as net:  # the journal agrees with what was kept
        assert heads(net)[901] == heads(net)[902] >= slot
        assert net.chain(901).chain.receipt(leg) is not None


def test_a_failing_take_back_is_retried_before_the_next_slot() -> None:
    with shared_net() as net:
        me = Wallet(net, net.accounts[0])
        before = heads(net)
        h, _ = two_legs(net, me)
        leg902 = net.bundle(h).bundle.legs[1].tx.hash
        chain901 = net.chain(901).chain
        net.chain(902).chain.on_block(fail_once(leg902, RuntimeError("listener broke")))
        real = chain901.rewind
        chain901.rewind = lambda n: (_ for _ in ()).throw(OSError("disk"))  # type: ignore
        net.advance(2)
        assert heads(net) == {901: before[901] + 1, 902: before[902]}  # 901 kept it
        chain901.rewind = real  # type: ignore[method-assign]
        net.advance(2)  # taken back first, then the slot is built again
        record = net.bundle(h)
        assert record.status is BundleStatus.INCLUDED
        assert record.slot == before[901] + 1
        assert heads(net) == {901: record.slot, 902: record.slot}


CRASH = """
import os, sys
from tests.unit.sequencing.helpers import Wallet, shared_net
with shared_net(data_dir=sys.argv[1]) as net:
    me = Wallet(net, net.accounts[0])
    net.send_bundle([(901, me.tx(901, me.address, value=1))])  # slot 1, whole
    net.advance(2)
    legs = [(901, me.tx(901, b"\\x11" * 20, value=1)), (902, me.tx(902, b"\\x11" * 20, value=1))]
    leg = net.chain(901).chain.engine.decode_transaction(legs[0][1]).hash
    def crash(block):  # dies right after 901's block is journaled, before 902's
        if any(tx.hash == leg for tx in block.transactions):
            os._exit(9)
    net.chain(901).chain.on_block(crash)
    net.send_bundle(legs)
    net.advance(2)
"""


def crashed_mid_slot(data_dir: Path) -> None:
    code = textwrap.dedent(CRASH)
    done = subprocess.run(
        [sys.executable, "-c", code, str(data_dir)], cwd=REPO, capture_output=True, timeout=120
    )
    assert done.returncode == 9, done.stderr.decode()[-2000:]


def test_a_crash_between_two_appends_is_repaired_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crashed_mid_slot(tmp_path)
    with (
        caplog.at_level(logging.WARNING, "crossroll.sequencing"),
        shared_net(data_dir=str(tmp_path)) as net,
    ):
        assert heads(net) == {901: 1, 902: 1}
        assert nonce_of(net, 901, net.accounts[0].address) == 1  # the half slot's leg is gone
        assert "slot 2 was appended on rollups 901 only" in caplog.text
        me = Wallet(net, net.accounts[0])
        h, _ = two_legs(net, me, value=2)
        net.advance(2)
        record = net.bundle(h)
        assert record.status is BundleStatus.INCLUDED
        assert heads(net) == {901: record.slot, 902: record.slot}


def test_other_misalignments_are_left_alone_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with shared_net(data_dir=str(tmp_path)) as net, net.lock:
        net.chain(901).chain.mine(2)  # by hand, from Python: two blocks ahead
    with (
        caplog.at_level(logging.ERROR, "crossroll.sequencing"),
        shared_net(data_dir=str(tmp_path)) as net,
    ):
        assert heads(net) == {901: 2, 902: 0}
        assert "not repaired: some rollups are more than one block ahead" in caplog.text
        assert net.sequencing.sequencing_json()["aligned"] is False
