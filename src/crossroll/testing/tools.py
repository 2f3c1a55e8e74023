"""Locate and run the external dev tools (anvil, cast, forge, solc) for tests and benchmarks.

The tools are pinned in the repository's ``package.json`` and installed into ``node_modules`` by
``scripts/install-tools``. Lookup order for :func:`tool_path`:

1. the repository's ``node_modules`` — the native binary inside the platform package
   (``@foundry-rs/<tool>-linux-amd64/bin/<tool>``), else ``node_modules/.bin/<tool>``;
   for ``"solc"`` the solc-js shim ``scripts/solc-shim.js`` (native-solc command line,
   usable as ``forge --use``), provided ``node_modules/solc`` is installed;
2. the ``CROSSROLL_<TOOL>`` environment variable (e.g. ``CROSSROLL_ANVIL=/opt/foundry/anvil``);
3. ``PATH``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "DEV_PRIVATE_KEY_0",
    "TOOLS",
    "ToolStartError",
    "free_port",
    "node_modules_dirs",
    "require_tool",
    "start_anvil",
    "tool_path",
]

TOOLS = ("anvil", "cast", "forge", "solc")

_PLATFORM_SUFFIX = {
    ("Linux", "x86_64"): "linux-amd64",
    ("Linux", "aarch64"): "linux-arm64",
    ("Darwin", "x86_64"): "darwin-amd64",
    ("Darwin", "arm64"): "darwin-arm64",
}

#: Dev account 0 of anvil / crossroll (the well-known "test test ... junk" mnemonic).
DEV_PRIVATE_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


class ToolStartError(RuntimeError):
    """An external tool did not start or did not become ready in time."""


def _repo_roots() -> list[Path]:
    """Directories that may hold the pinned ``node_modules``: the source checkout, then the CWD."""
    roots: list[Path] = []
    here = Path(__file__).resolve()
    # src/crossroll/testing/tools.py -> repository root (only meaningful for a source checkout)
    if len(here.parents) > 3:
        roots.append(here.parents[3])
    cwd = Path.cwd().resolve()
    if cwd not in roots:
        roots.append(cwd)
    return roots


def node_modules_dirs() -> list[Path]:
    """Existing candidate ``node_modules`` directories, in lookup order."""
    return [
        r / "node_modules"
        for r in _repo_roots()
        if (r / "package.json").is_file() and (r / "node_modules").is_dir()
    ]


def _is_exe(p: Path) -> bool:
    return p.is_file() and os.access(p, os.X_OK)


def tool_path(name: str) -> Path | None:
    """Path of tool ``name`` (``anvil``, ``cast``, ``forge`` or ``solc``), or None if not found."""
    if name not in TOOLS:
        raise ValueError(f"unknown tool {name!r}; expected one of {', '.join(TOOLS)}")
    suffix = _PLATFORM_SUFFIX.get((platform.system(), platform.machine()))
    for nm in node_modules_dirs():
        if name == "solc":
            shim = nm.parent / "scripts" / "solc-shim.js"
            if (nm / "solc" / "package.json").is_file() and _is_exe(shim) and shutil.which("node"):
                return shim
            continue
        if suffix:
            native = nm / "@foundry-rs" / f"{name}-{suffix}" / "bin" / name
            if _is_exe(native):
                return native
        launcher = nm / ".bin" / name
        if _is_exe(launcher):
            return launcher
    env = os.environ.get(f"CROSSROLL_{name.upper()}")
    if env:
        p = Path(env).expanduser()
        if _is_exe(p):
            return p
    found = shutil.which(name)
    return Path(found) if found else None


def require_tool(name: str) -> Path:
    """Like :func:`tool_path` for tests: skip if the tool is missing, but fail when ``CI`` is set
    (CI installs the tools, so a missing tool there is a setup bug, not a reason to skip)."""
    import pytest

    p = tool_path(name)
    if p is not None:
        return p
    msg = f"{name} not found (run scripts/install-tools, or set CROSSROLL_{name.upper()})"
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now (the OS picks it; another process may still grab it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _chain_id(url: str, timeout: float) -> int | None:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return int(json.loads(resp.read())["result"], 16)
    except (OSError, urllib.error.URLError, ValueError, KeyError):
        return None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def start_anvil(
    port: int | None = None, *extra_args: str, timeout: float = 15.0
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run anvil on 127.0.0.1 and yield ``(url, process)``; terminate and reap it on exit.

    Always passes ``--prune-history`` (otherwise anvil writes old states to ``~/.foundry``
    and never deletes them). ``port=None`` picks a free port (retrying if it was taken).
    Waits until ``eth_chainId`` answers; raises :class:`ToolStartError` on exit or timeout.
    """
    anvil = tool_path("anvil")
    if anvil is None:
        raise ToolStartError("anvil not found (run scripts/install-tools, or set CROSSROLL_ANVIL)")
    args = list(extra_args)
    if not any(a == "--prune-history" or a.startswith("--prune-history=") for a in args):
        args.append("--prune-history")

    attempts = 3 if port is None else 1
    for attempt in range(attempts):
        p = port if port is not None else free_port()
        url = f"http://127.0.0.1:{p}"
        with tempfile.TemporaryFile() as stderr:
            proc = subprocess.Popen(
                [str(anvil), "--host", "127.0.0.1", "--port", str(p), *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            try:
                deadline = time.monotonic() + timeout
                while True:
                    if proc.poll() is not None:
                        stderr.seek(0)
                        err = stderr.read().decode(errors="replace").strip()
                        break
                    if _chain_id(url, timeout=1.0) is not None:
                        break
                    if time.monotonic() > deadline:
                        raise ToolStartError(f"anvil did not answer on {url} within {timeout:g}s")
                    time.sleep(0.01)
            except BaseException:
                _stop(proc)
                raise
        if proc.returncode is None:
            try:
                yield url, proc
            finally:
                _stop(proc)
            return
        if attempt == attempts - 1 or "address" not in err.lower():
            raise ToolStartError(f"anvil exited with code {proc.returncode}: {err[-2000:]}")
    raise AssertionError("unreachable")


# --------------------------------------------------- crossroll as a subprocess
def answers(url: str) -> bool:
    """Whether a JSON-RPC endpoint answers ``eth_chainId`` right now."""
    return _chain_id(url, timeout=1.0) is not None


def devnet_ready(admin_url: str) -> bool:
    """Whether a ``crossroll up`` admin server answers ``GET /ready`` with 200."""
    try:
        with urllib.request.urlopen(admin_url + "/ready", timeout=1.0) as resp:
            return bool(resp.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def wait_until(
    check: Callable[[], bool], proc: subprocess.Popen[Any], what: str, timeout: float = 60.0
) -> None:
    """Poll ``check`` until it holds; raise ToolStartError if ``proc`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while not check():
        if proc.poll() is not None:
            raise ToolStartError(f"{what} exited with code {proc.returncode}")
        if time.monotonic() > deadline:
            raise ToolStartError(f"{what} was not ready within {timeout:g}s")
        time.sleep(0.02)


def stop_gracefully(proc: subprocess.Popen[Any], sig: int = signal.SIGINT) -> None:
    """Ctrl-C a crossroll process (as a user would) and reap it; kill it if it hangs."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _stop(proc)


def crossroll_command(*args: str) -> list[str]:
    """``python -m crossroll.cli.main <args>`` with this interpreter."""
    return [sys.executable, "-m", "crossroll.cli.main", *args]


@contextmanager
def _serving(
    args: list[str], url: str, check: Callable[[str], bool], what: str, popen: dict[str, Any]
) -> Iterator[tuple[str, subprocess.Popen[Any]]]:
    """Run a crossroll command until ``check(url)`` holds; Ctrl-C it afterwards."""
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    proc = subprocess.Popen(crossroll_command(*args), **popen)
    try:
        wait_until(lambda: check(url), proc, what)
        yield url, proc
    finally:
        stop_gracefully(proc)


@contextmanager
def start_node(*args: str, **popen: Any) -> Iterator[tuple[str, subprocess.Popen[Any]]]:
    """``crossroll node`` on a free loopback port; yields ``(url, process)`` once it answers
    and stops it with Ctrl-C afterwards."""
    port = free_port()
    command = ["node", "--port", str(port), "--silent", *args]
    with _serving(command, f"http://127.0.0.1:{port}", answers, "crossroll node", popen) as out:
        yield out


def devnet_ports() -> tuple[int, int, int]:
    """Free (L1, first rollup, admin) ports for ``crossroll up``, rollups counting up."""
    l1, l2, admin = free_port(), free_port(), free_port()
    while {l2, l2 + 1, l2 + 2} & {l1, admin}:
        l2 = free_port()
    return l1, l2, admin


@contextmanager
def start_devnet(*args: str, **popen: Any) -> Iterator[tuple[str, subprocess.Popen[Any]]]:
    """``crossroll up`` with every port free; yields ``(admin_url, process)`` once
    ``/ready`` answers 200 and stops it with Ctrl-C afterwards."""
    l1, l2, admin = devnet_ports()
    ports = ["--l1-port", str(l1), "--l2-starting-port", str(l2), "--admin-port", str(admin)]
    admin_url = f"http://127.0.0.1:{admin}"
    with _serving(["up", *ports, *args], admin_url, devnet_ready, "crossroll up", popen) as out:
        yield out
