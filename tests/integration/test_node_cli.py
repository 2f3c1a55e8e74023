"""`crossroll node` as a real process: serves like anvil, stops cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

import pytest

from crossroll.testing.tools import answers, free_port, wait_until
from tests.support.rpc import Rpc


def rpc(url: str, method: str, params: list[Any] | None = None) -> Any:
    return Rpc(url)(method, *(params or []))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_node_serves_and_stops_cleanly(sig: signal.Signals) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crossroll.cli.main",
            "node",
            "--port",
            str(port),
            "--chain-id",
            "1337",
            "--accounts",
            "3",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers(url), proc, "crossroll node")
        assert int(rpc(url, "eth_chainId"), 16) == 1337
        accounts = rpc(url, "eth_accounts")
        assert [a.lower() for a in accounts][:1] == ["0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"]
        assert int(rpc(url, "eth_getBalance", [accounts[0], "latest"]), 16) == 10_000 * 10**18
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "Available Accounts" in out and "Private Keys" in out
    assert f"Listening on 127.0.0.1:{port}" in out


def test_port_in_use_is_a_one_line_error() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "crossroll.cli.main", "node", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: ") and proc.stderr.count("\n") == 1, proc.stderr
