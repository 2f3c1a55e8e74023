"""`forge script --broadcast` (offline, solc-js shim) deploys a contract to a live RPC node."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crossroll.testing.tools import DEV_PRIVATE_KEY_0, require_tool, start_anvil
from tests.support.nodes import crossroll_node

FORGE_PROJECT = Path(__file__).parent / "forge_project"


@contextlib.contextmanager
def _anvil() -> Iterator[str]:
    require_tool("anvil")
    with start_anvil() as (url, _proc):
        yield url


# Node backends under test: name -> context manager factory yielding an RPC URL.
BACKENDS: dict[str, Callable[[], contextlib.AbstractContextManager[str]]] = {
    "anvil": _anvil,
    "crossroll": crossroll_node,
}


@pytest.fixture(params=sorted(BACKENDS))
def rpc_url(request: pytest.FixtureRequest) -> Iterator[str]:
    with BACKENDS[request.param]() as url:
        yield url


def _rpc(url: str, method: str, *params: Any) -> Any:
    body = json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    ).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        reply = json.loads(resp.read())
    assert "error" not in reply, reply
    return reply["result"]


def test_forge_script_broadcast_deploys(rpc_url: str, tmp_path: Path) -> None:
    forge = require_tool("forge")
    solc = require_tool("solc")  # the solc-js shim (needs node + node_modules/solc)
    project = tmp_path / "forge_project"
    shutil.copytree(
        FORGE_PROJECT, project, ignore=shutil.ignore_patterns("out", "cache", "broadcast")
    )

    cmd = [
        str(forge), "script", "script/Deploy.s.sol:Deploy",
        "--broadcast", "--rpc-url", rpc_url, "--private-key", DEV_PRIVATE_KEY_0,
        "--offline", "--use", str(solc),
    ]  # fmt: skip
    proc = subprocess.run(cmd, cwd=project, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, f"forge script failed:\n{proc.stdout}\n{proc.stderr}"

    chain_id = int(_rpc(rpc_url, "eth_chainId"), 16)
    run = json.loads(
        (project / "broadcast" / "Deploy.s.sol" / str(chain_id) / "run-latest.json").read_text()
    )
    creates = [tx for tx in run["transactions"] if tx["transactionType"] == "CREATE"]
    assert len(creates) == 1, run["transactions"]
    address = creates[0]["contractAddress"]
    assert all(int(r["status"], 16) == 1 for r in run["receipts"]), run["receipts"]

    code = _rpc(rpc_url, "eth_getCode", address, "latest")
    assert len(code) > 2, f"no code at {address}"
    # greeting() after the script's setGreeting("hello again") call
    out = bytes.fromhex(
        _rpc(rpc_url, "eth_call", {"to": address, "data": "0xef690cc0"}, "latest")[2:]
    )
    length = int.from_bytes(out[32:64], "big")
    assert out[64 : 64 + length] == b"hello again"
