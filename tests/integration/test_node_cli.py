"""`crossroll node` as a real process: serves like anvil, stops cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

import pytest
import requests

from crossroll.testing.tools import free_port


def rpc(url: str, method: str, params: list[Any] | None = None) -> Any:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
    reply = requests.post(url, json=body, timeout=5).json()
    assert "error" not in reply, reply
    return reply["result"]


def wait_until_serving(url: str, proc: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"node exited early ({proc.returncode}): {proc.stderr.read()}")  # type: ignore[union-attr]
        try:
            rpc(url, "eth_chainId")
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("node did not become ready")


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
        wait_until_serving(url, proc)
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
