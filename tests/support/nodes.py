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
            r = requests.post(
                url,
                json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
                timeout=1,
            )
            if r.ok:
                return
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@contextlib.contextmanager
def crossroll_node(*args: str) -> Iterator[str]:
    """``crossroll node`` on a free loopback port; yields its URL and stops it after."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "crossroll.cli.main",
        "node",
        "--port",
        str(port),
        "--silent",
        *args,
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ}
    )
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


@contextlib.contextmanager
def crossroll_up(*args: str) -> Iterator[dict]:
    """``crossroll up`` with every port free; yields admin_getConfig's answer."""
    l1, l2, admin = free_port(), free_port(), free_port()
    while {l2, l2 + 1, l2 + 2} & {l1, admin}:
        l2 = free_port()
    cmd = [
        sys.executable,
        "-m",
        "crossroll.cli.main",
        "up",
        "--l1-port",
        str(l1),
        "--l2-starting-port",
        str(l2),
        "--admin-port",
        str(admin),
        *args,
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ}
    )
    admin_url = f"http://127.0.0.1:{admin}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read().decode() if proc.stdout else ""
                raise RuntimeError(f"crossroll up exited with {proc.returncode}: {out[-2000:]}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(admin_url + "/ready", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError("crossroll up did not become ready")
            time.sleep(0.05)
        config = requests.post(
            admin_url,
            json={"jsonrpc": "2.0", "id": 1, "method": "admin_getConfig", "params": []},
            timeout=5,
        ).json()["result"]
        yield {**config, "adminUrl": admin_url, "process": proc}
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
