"""cast (foundry) against a real RpcServer over a real Chain."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from crossroll.chain import Chain, ChainConfig
from crossroll.clock import VirtualClock
from crossroll.rpc.server import RpcServer
from crossroll.rpc.thread import BackgroundServer
from crossroll.testing.tools import require_tool
from tests.support.evm import ADDR0, ADDR1, INITCODE, KEY0

pytestmark = pytest.mark.cast

ROOT = Path(__file__).resolve().parents[2]
ERROR_NOPE = "0x08c379a0" + "20".rjust(64, "0") + "4".rjust(64, "0") + b"nope".hex().ljust(64, "0")


@pytest.fixture(scope="module")
def cast() -> str:
    return str(require_tool("cast"))


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    lock = threading.RLock()
    clock = VirtualClock(lock=lock)
    server = BackgroundServer(RpcServer(Chain(ChainConfig(), clock), "127.0.0.1", 0, clock, lock))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def run(cast: str, url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [cast, args[0], "--rpc-url", url, *args[1:]],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_cast_session(cast: str, url: str) -> None:
    assert run(cast, url, "chain-id").stdout.strip() == "31337"
    assert run(cast, url, "client").stdout.strip().startswith("crossroll/v")
    start = int(run(cast, url, "block-number").stdout)
    receipt = json.loads(
        run(cast, url, "send", "--private-key", KEY0, ADDR1, "--value", "1", "--json").stdout
    )
    assert receipt["status"] == "0x1" and receipt["type"] == "0x2"
    legacy = json.loads(
        run(
            cast, url, "send", "--private-key", KEY0, "--legacy", ADDR1, "--value", "2", "--json"
        ).stdout
    )
    assert legacy["status"] == "0x1" and legacy["type"] == "0x0"
    unlocked = json.loads(
        run(
            cast, url, "send", "--unlocked", "--from", ADDR0, ADDR1, "--value", "3", "--json"
        ).stdout
    )
    assert unlocked["status"] == "0x1"
    deployed = json.loads(
        run(cast, url, "send", "--private-key", KEY0, "--create", INITCODE, "--json").stdout
    )
    address = deployed["contractAddress"]
    run(cast, url, "send", "--private-key", KEY0, address)
    logs = run(cast, url, "logs", "--from-block", "0", "--address", address, "--json").stdout
    assert json.loads(logs)[0]["data"].endswith("aa")
    tx = json.loads(run(cast, url, "tx", receipt["transactionHash"], "--json").stdout)
    assert tx["hash"] == receipt["transactionHash"]
    block = json.loads(run(cast, url, "block", "latest", "--json").stdout)
    assert int(block["number"], 16) == start + 5
    reverted = run(cast, url, "call", address, ERROR_NOPE, ok=False)
    assert reverted.returncode != 0
    assert "code 3" in reverted.stderr and "nope" in reverted.stderr
    run(cast, url, "rpc", "anvil_mine", "0x2")
    assert int(run(cast, url, "block-number").stdout) == start + 7
    assert run(cast, url, "balance", ADDR1, "--block", "0").stdout.strip() == str(10_000 * 10**18)
