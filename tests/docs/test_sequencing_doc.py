"""The sequencing pages' examples run as written: docs/sequencing.md's bundle (cast and
web3.py) and slot-signature check against ``crossroll up --sequencing shared``,
docs/forced-inclusion.md's cast block against a devnet censoring dev account 1 with the
page's own crossroll.toml, and docs/based.md's post-it-yourself block against
``crossroll up --sequencing based``.

Ports in the pages are the defaults (8545, 9545, 9546, 8420); the devnets run on free ports,
which the test substitutes. L1 blocks and slots are 1 s here so the examples finish quickly;
the pages' waits are sized for the default 2 s slots, so they hold a fortiori.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from crossroll.testing.tools import require_tool
from tests.support.nodes import crossroll_up

pytestmark = [pytest.mark.slow, pytest.mark.cast]

DOCS = Path(__file__).resolve().parents[2] / "docs"
SEQUENCING = (DOCS / "sequencing.md").read_text()
FORCED = (DOCS / "forced-inclusion.md").read_text()
BASED = (DOCS / "based.md").read_text()
ONE_SECOND = ("--block-time", "900=1")
DEV_1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"


def section(doc: str, heading: str) -> str:
    """The text under ``heading`` up to the next heading of the same or a higher level
    (a ``#`` line inside a code block is not a heading)."""
    level = len(heading.split(" ", 1)[0])
    lines = doc.split(f"\n{heading}\n", 1)[1].splitlines()
    fenced = False
    for i, line in enumerate(lines):
        fenced ^= line.startswith("```")
        if not fenced and re.match(rf"#{{1,{level}}} ", line):
            lines = lines[:i]
            break
    return "\n".join(lines)


def blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def ports_of(cfg: dict[str, Any]) -> dict[str, str]:
    chains = {c["chainId"]: str(c["port"]) for c in cfg["chains"]}
    admin = cfg["adminUrl"].rsplit(":", 1)[1]
    return {"8545": chains[900], "9545": chains[901], "9546": chains[902], "8420": admin}


def localize(text: str, ports: dict[str, str]) -> str:
    return re.sub(
        r"127\.0\.0\.1:(8545|9545|9546|8420)\b", lambda m: f"127.0.0.1:{ports[m.group(1)]}", text
    )


def bash(block: str, ports: dict[str, str]) -> str:
    """Run a page's bash block as a script (stopping at the first failing command), with the
    npm cast first on PATH; its stdout."""
    cast_dir = str(require_tool("cast").parent)
    env = {**os.environ, "PATH": f"{cast_dir}:{os.environ['PATH']}", "NO_COLOR": "1"}
    script = "set -euo pipefail\n" + localize(block, ports)
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def python(block: str, ports: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """Run a page's Python block; what it printed and its globals."""
    scope: dict[str, Any] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(localize(block, ports), "docs example", "exec"), scope)
    return out.getvalue(), scope


def rpc(url: str, method: str, *params: Any) -> Any:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    answer = requests.post(url, json=body, timeout=10).json()
    assert "error" not in answer, answer
    return answer["result"]


def receipt_fields(text: str) -> list[dict[str, str]]:
    """cast's human-readable receipts, in order: ``field  value`` lines, blank-separated."""
    receipts = []
    for chunk in text.strip().split("\n\n"):
        pairs = (line.split(None, 1) for line in chunk.splitlines() if line.strip())
        receipts.append({p[0]: p[1] if len(p) > 1 else "" for p in pairs})
    return receipts


# --- docs/sequencing.md ---------------------------------------------------------------------

SENDING = section(SEQUENCING, "### Sending one")
COMMITMENTS = section(SEQUENCING, "## Soft and firm commitments")


@pytest.fixture(scope="module")
def shared() -> Iterator[dict[str, str]]:
    with crossroll_up("--sequencing", "shared", "--slot-time", "1", *ONE_SECOND) as cfg:
        assert cfg["sequencing"]["modes"] == {"901": "shared", "902": "shared"}
        yield ports_of(cfg)


def test_the_blocks_tested_are_the_pages() -> None:
    assert len(blocks(SENDING, "bash")) == 1 and len(blocks(SENDING, "python")) == 1
    assert len(blocks(COMMITMENTS, "python")) == 1
    assert len(blocks(section(FORCED, "## Forcing a transaction"), "bash")) == 1
    assert len(blocks(section(FORCED, "## Censorship, as a fault to inject"), "toml")) == 1
    assert len(blocks(section(BASED, "### Yourself, with cast"), "bash")) == 1


def assert_included_in_one_slot(bundle: dict[str, Any], shared: dict[str, str]) -> None:
    assert bundle["status"] == "included" and bundle["reason"] is None
    assert [leg["chainId"] for leg in bundle["legs"]] == [901, 902]
    assert [leg["blockNumber"] for leg in bundle["legs"]] == [bundle["slot"]] * 2
    assert [leg["receipt"]["status"] for leg in bundle["legs"]] == ["0x1", "0x1"]
    for leg, port in zip(bundle["legs"], ("9545", "9546"), strict=True):
        url = f"http://127.0.0.1:{shared[port]}"
        receipt = rpc(url, "eth_getTransactionReceipt", leg["txHash"])
        assert int(receipt["blockNumber"], 16) == bundle["slot"] and receipt["status"] == "0x1"
    slot = rpc(f"http://127.0.0.1:{shared['8420']}", "crossroll_getSlot", bundle["slot"])
    assert bundle["hash"] in slot["bundles"]


def test_send_a_bundle_with_cast(shared: dict[str, str]) -> None:
    (block,) = blocks(SENDING, "bash")
    bundle = json.loads(bash(block, shared))
    assert_included_in_one_slot(bundle, shared)


def test_send_a_bundle_with_web3(shared: dict[str, str]) -> None:
    (block,) = blocks(SENDING, "python")
    printed, scope = python(block, shared)
    bundle = scope["bundle"]
    assert_included_in_one_slot(bundle, shared)
    n = bundle["slot"]
    assert printed.splitlines() == [f"included {n} [{n}, {n}]"]


def test_slot_signature_recovers_the_signer(shared: dict[str, str]) -> None:
    (block,) = blocks(COMMITMENTS, "python")
    admin = f"http://127.0.0.1:{shared['8420']}"
    signer = rpc(admin, "crossroll_getSequencing")["signer"]
    # a slot that holds a bundle first (an idle devnet may not have built any slot yet), so
    # the bundle hashes are part of what is signed
    (send,) = blocks(SENDING, "python")
    _, sent = python(send, shared)
    n = sent["bundle"]["slot"]
    _, scope = python(block, shared)  # as written: the latest slot
    assert scope["signer"].lower() == signer and scope["s"]["slot"] >= n
    _, scope = python(block.replace('["latest"]', f"[{n}]"), shared)
    assert scope["s"]["bundles"] == [sent["bundle_hash"]]
    assert scope["signer"].lower() == signer
    # the snippet's assert has teeth: a digest over other contents recovers someone else
    tampered = block.replace('s["slot"], s["timestamp"]', 's["slot"] + 1, s["timestamp"]')
    assert tampered != block
    with pytest.raises(AssertionError):
        python(tampered, shared)


# --- docs/forced-inclusion.md ----------------------------------------------------------------


def test_force_a_censored_transaction_with_cast(tmp_path: Path) -> None:
    """The page's crossroll.toml censors dev account 1 on 901; the page's block forces its
    transfer through the L1 queue: queued at once, in the rollup by the deadline."""
    (toml,) = blocks(section(FORCED, "## Censorship, as a fault to inject"), "toml")
    config = tmp_path / "crossroll.toml"
    config.write_text(toml)
    (block,) = blocks(section(FORCED, "## Forcing a transaction"), "bash")
    with crossroll_up("--config", str(config), *ONE_SECOND, "--block-time", "901=1") as cfg:
        assert cfg["sequencing"]["censor"] == {
            "901": ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]
        }
        ports = ports_of(cfg)
        out = bash(block, ports)
        *_, listing = out.strip().splitlines()
        [entry] = json.loads(listing)
        assert entry["index"] == 0 and entry["status"] == "queued"
        assert entry["from"] == entry["queuedBy"] == DEV_1
        assert entry["deadlineL1Block"] == entry["queuedL1Block"] + 10
        (post,) = receipt_fields(out.rsplit("\n[", 1)[0])
        assert int(post["blockNumber"]) == entry["queuedL1Block"]
        assert post["status"].startswith("1")

        deadline = time.monotonic() + 60
        while entry["status"] != "included":
            assert entry["status"] in ("queued", "overdue"), entry
            assert time.monotonic() < deadline, entry
            time.sleep(0.5)
            [entry] = rpc(cfg["adminUrl"], "crossroll_getForcedTransactions", 901)
        assert entry["l1Origin"] >= entry["deadlineL1Block"]
        l2 = f"http://127.0.0.1:{ports['9545']}"
        receipt = rpc(l2, "eth_getTransactionReceipt", entry["txHash"])
        assert receipt["status"] == "0x1" and receipt["from"] == DEV_1
        assert int(receipt["blockNumber"], 16) == entry["l2Block"]
        assert receipt["to"] == "0x000000000000000000000000000000000000beef"


# --- docs/based.md ---------------------------------------------------------------------------


def test_post_to_a_based_rollup_with_cast() -> None:
    """The post lands in L1 block n; the transaction is in rollup block n."""
    (block,) = blocks(section(BASED, "### Yourself, with cast"), "bash")
    with crossroll_up("--sequencing", "based", *ONE_SECOND) as cfg:
        assert cfg["sequencing"]["modes"] == {"901": "based", "902": "based"}
        ports = ports_of(cfg)
        post, l2_receipt = receipt_fields(bash(block, ports))
        assert post["to"] == "0xfB00000000000000000000000000000000000385"
        assert post["status"].startswith("1") and l2_receipt["status"].startswith("1")
        assert l2_receipt["to"] == "0x0000000000000000000000000000000000000B0b"
        assert l2_receipt["blockNumber"] == post["blockNumber"]
        l2 = f"http://127.0.0.1:{ports['9545']}"
        receipt = rpc(l2, "eth_getTransactionReceipt", l2_receipt["transactionHash"])
        assert receipt["status"] == "0x1" and receipt["from"] == DEV_1
        assert int(receipt["blockNumber"], 16) == int(post["blockNumber"])
