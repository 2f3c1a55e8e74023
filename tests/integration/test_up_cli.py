"""`crossroll up` as a real process: /ready, every chain's endpoint, admin_getConfig, SIGINT."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from crossroll.testing.tools import devnet_ready, free_port, wait_until
from tests.support.rpc import Rpc


def rpc(url: str, method: str, params: list[Any] | None = None) -> Any:
    return Rpc(url)(method, *(params or []))


def test_up_serves_every_chain_and_stops_on_sigint() -> None:
    admin_port = free_port()
    admin = f"http://127.0.0.1:{admin_port}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crossroll.cli.main",
            "up",
            "--rollups",
            "3",
            "--l1-port",
            "0",
            "--l2-starting-port",
            "0",
            "--admin-port",
            str(admin_port),
            "--block-time",
            "901=1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: devnet_ready(admin), proc, "crossroll up")
        config = rpc(admin, "admin_getConfig")
        chains = config["chains"]
        assert [c["chainId"] for c in chains] == [900, 901, 902, 903]
        assert [c["name"] for c in chains] == ["l1", "rollup-901", "rollup-902", "rollup-903"]
        assert [c["blockTime"] for c in chains] == [12, 1, 2, 2]
        for chain in chains:
            assert int(rpc(chain["rpcUrl"], "eth_chainId"), 16) == chain["chainId"]
        assert config["accounts"][0]["address"] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        assert len(config["accounts"]) == 10
        assert config["adminUrl"] == admin
        # /ready answers once the chains serve; the banner is printed just after it
        first_line = proc.stderr.readline() if proc.stderr else ""
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        err = first_line + err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "crossroll ready in" in err
    for chain in chains:
        assert chain["rpcUrl"] in out


def test_up_bad_flag_is_a_one_line_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "crossroll.cli.main", "up", "--rollups", "99"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr == (
        "Error: invalid config rollups.count: Input should be less than or equal to 16 "
        "(from --rollups)\n"
    )
