"""``Network`` with a data dir, in process on virtual time: a restart resumes every chain
without redeploying, deposits are credited once across it, and a contradicting configuration
or a broken directory is refused with one sentence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crossroll.errors import ConfigError
from crossroll.network import Network
from crossroll.network.datadir import NETWORK_FILE, journal_path
from crossroll.rollup.abi import calldata
from crossroll.types import CallRequest

ETHER = 10**18
DEPOSIT = "depositTransaction(address,uint256,uint64,bool,bytes)"
ME = bytes.fromhex("00000000000000000000000000000000000c0ffe")


def options(data_dir: Path, **more: Any) -> dict[str, Any]:
    return {
        "l1__port": 0, "rollups__port": 0, "admin_port": 0, "virtual_time": True,
        "rollups": 1, "data_dir": str(data_dir), **more,
    }  # fmt: skip


def deposit(net: Network, value: int) -> bytes:
    portal = net.l1_addresses.rollup(901).optimism_portal
    data = calldata(DEPOSIT, ME, value, 100_000, False, b"")
    sender = net.accounts[0].address
    with net.lock:
        return net.l1.chain.send_transaction(
            CallRequest(sender=sender, to=portal, value=value, data=data)
        )


def state(net: Network) -> dict[str, Any]:
    l1, l2 = net.l1.chain, net.chain(901).chain
    return {
        "heads": [(c.head().number, c.head().hash, c.state_root) for c in (l1, l2)],
        "credited": l2.account(ME).balance,
        "nonce": l1.account(net.accounts[0].address).nonce,
        "addresses": net.l1_addresses,
    }


def test_restart_resumes_every_chain_and_credits_deposits_once(tmp_path: Path) -> None:
    with Network.start(**options(tmp_path)) as net:
        deposit(net, ETHER)
        net.advance(12)  # the L1 mines the deposit
        net.advance(2)  # the L2 includes it
        assert net.chain(901).chain.account(ME).balance == ETHER
        deposit(net, 2 * ETHER)
        net.advance(12)  # mined on the L1, not yet on the L2
        before = state(net)
        stopped_at = net.scheduler.now()
    assert json.loads((tmp_path / NETWORK_FILE).read_text())["rollupChainIds"] == [901]

    with Network.start(**options(tmp_path)) as net:
        assert state(net) == before  # nothing redeployed, nothing lost
        assert net.scheduler.now() == int(stopped_at)  # virtual time resumes
        net.advance(2)
        assert net.chain(901).chain.account(ME).balance == 3 * ETHER  # the second, once
        net.advance(30)
        assert net.chain(901).chain.account(ME).balance == 3 * ETHER
        deposit(net, 4 * ETHER)  # and new ones still arrive
        net.advance(14)
        assert net.chain(901).chain.account(ME).balance == 7 * ETHER


def test_a_contradicting_configuration_is_refused(tmp_path: Path) -> None:
    with Network.start(**options(tmp_path)):
        pass
    with pytest.raises(ConfigError, match=r"rollup chain ids \[901\].*asks for \[901, 902\]"):
        Network(_config(tmp_path, rollups=2))
    with pytest.raises(ConfigError, match="different mnemonic"):
        Network(_config(tmp_path, accounts__mnemonic=" ".join(["abandon"] * 11 + ["about"])))


def test_missing_l1_journal_is_refused_and_unfinished_first_start_discarded(
    tmp_path: Path,
) -> None:
    with Network.start(**options(tmp_path)):
        pass
    journal_path(tmp_path, 900).unlink()
    with pytest.raises(ConfigError, match="the L1 cannot be rebuilt"):
        Network(_config(tmp_path))
    # no network.json: the journals are from a start that never finished; start afresh
    (tmp_path / NETWORK_FILE).unlink()
    with Network.start(**options(tmp_path)) as net:
        assert net.l1.chain.head().number == 2  # the deploy, once


def test_a_rollup_without_journal_is_derived_again_from_the_l1(tmp_path: Path) -> None:
    with Network.start(**options(tmp_path)) as net:
        deposit(net, ETHER)
        net.advance(60)  # rollup blocks, and the batches that carry them to the L1
        l2 = net.chain(901).chain
        safe = l2.block("safe").number
        assert safe > 10
        batched = [(b.hash, b.header.state_root) for b in l2.store.blocks[: safe + 1]]
        l1_head = net.l1.chain.head().hash
    journal_path(tmp_path, 901).unlink()  # the rollup node's data is gone, the L1's is not
    with Network.start(**options(tmp_path)) as net:
        l2 = net.chain(901).chain
        assert net.l1.chain.head().hash == l1_head
        assert l2.head().number >= safe
        assert [(b.hash, b.header.state_root) for b in l2.store.blocks[: safe + 1]] == batched
        assert l2.account(ME).balance == ETHER
        net.advance(4)  # and the sequencer builds on the derived chain
        assert l2.head().number > safe


def _config(data_dir: Path, **more: Any) -> Any:
    from crossroll.network.config import NetworkConfig
    from crossroll.network.network import with_overrides

    return with_overrides(NetworkConfig(), options(data_dir, **more))
