"""Start real nodes as subprocesses for integration tests (crossroll node, crossroll up)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import requests

from crossroll.testing.tools import free_port


def wait_rpc(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise RuntimeError(f"node exited with {proc.returncode}: {out[-2000:]}")
        with contextlib.suppress(requests.RequestException):
            r = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=1)
            if r.ok:
                return
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@contextlib.contextmanager
def crossroll_node(*args: str) -> Iterator[str]:
    """``crossroll node`` on a free loopback port; yields its URL and stops it after."""
    port = free_port()
    cmd = [sys.executable, "-m", "crossroll.cli.main", "node", "--port", str(port), "--silent", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_rpc(url, proc)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
