"""docs/forced-inclusion.md with cast: censor an account through the admin RPC, sign its
transfer with ``cast mktx``, queue it with ``cast send <queue> "forceInclude(uint256,bytes)"``
and watch it land by the deadline (a devnet on virtual time)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from crossroll.network import Network
from crossroll.testing.tools import require_tool

pytestmark = [pytest.mark.cast, pytest.mark.slow]

FREE = {"l1__port": 0, "rollups__port": 0, "admin_port": 0}
WINDOW = 10


def test_force_a_censored_transfer_with_cast() -> None:
    cast = str(require_tool("cast"))

    def run(*args: str) -> str:
        proc = subprocess.run(
            [cast, *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "NO_COLOR": "1"},
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()

    with Network.start(virtual_time=True, **FREE) as net:  # type: ignore[arg-type]
        l1, l2, admin = net.l1.url, net.chain(901).url, net.admin_url
        payer, victim = net.accounts[0], net.accounts[1]

        def rpc(method: str, *params: str) -> object:
            return json.loads(run("rpc", method, *params, "--rpc-url", admin))

        queue = rpc("admin_getL1Addresses")["ForcedInclusionQueue"]  # type: ignore[index]
        censor = json.dumps(["0x" + victim.address.hex()])
        assert rpc("crossroll_setCensored", "901", censor) == [
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
        ]
        key = "0x" + victim.private_key.hex()
        raw = run("mktx", "--private-key", key, "0x" + "77" * 20, "--value", "1", "--rpc-url", l2)
        tx_hash = run("publish", raw, "--rpc-url", l2, "--async")
        payer_key = "0x" + payer.private_key.hex()
        signature = "forceInclude(uint256,bytes)"
        run(
            "send",
            queue,
            signature,
            "901",
            raw,
            "--private-key",
            payer_key,
            "--rpc-url",
            l1,
            "--async",
        )
        rpc("crossroll_advanceTime", "12")
        [entry] = rpc("crossroll_getForcedTransactions", "901")  # type: ignore[misc]
        assert entry["txHash"] == tx_hash and entry["status"] == "queued"
        deadline = entry["queuedL1Block"] + WINDOW
        assert entry["deadlineL1Block"] == deadline
        rpc("crossroll_advanceTime", "60")  # censored: still out, though in the pool
        assert rpc("crossroll_getForcedTransactions", "901")[0]["status"] == "queued"  # type: ignore[index]
        rpc("crossroll_advanceTime", "70")
        [entry] = rpc("crossroll_getForcedTransactions", "901")  # type: ignore[misc]
        assert entry["status"] == "included" and entry["l1Origin"] == deadline
        assert run("receipt", tx_hash, "status", "--rpc-url", l2) == "true"
        assert int(run("receipt", tx_hash, "blockNumber", "--rpc-url", l2)) == entry["l2Block"]
