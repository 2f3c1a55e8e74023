"""docs/messaging.md's five-minute walkthrough runs as written: its cast and crossroll
commands against a real ``crossroll up`` (with and without the relayer), its web3.py example
against the same devnet, and its virtual-time example as it is.

Ports in the page are the defaults (8545, 9545, 9546, 8420); the devnets here run on free
ports, which the test substitutes. ``0x<msgHash>`` is the one placeholder the page asks the
reader to fill in. The step-by-step cast relay the walkthrough summarizes is Supersim's guide,
run by ``tests/integration/test_supersim_tutorials.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crossroll.testing.tools import crossroll_command, require_tool
from tests.support.nodes import crossroll_up

pytestmark = pytest.mark.slow

DOC = (Path(__file__).resolve().parents[2] / "docs" / "messaging.md").read_text()
WALKTHROUGH = DOC.split("## A five-minute walkthrough", 1)[1].split("\n## ", 1)[0]
ONE_BLOCK = ("--block-time", "900=1", "--block-time", "901=1", "--block-time", "902=1")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", WALKTHROUGH, flags=re.S)


def ports_of(cfg: dict) -> dict[str, str]:
    chains = {c["chainId"]: str(c["port"]) for c in cfg["chains"]}
    admin = cfg["adminUrl"].rsplit(":", 1)[1]
    return {"8545": chains[900], "9545": chains[901], "9546": chains[902], "8420": admin}


def localize(text: str, ports: dict[str, str]) -> str:
    return re.sub(
        r"127\.0\.0\.1:(8545|9545|9546|8420)\b", lambda m: f"127.0.0.1:{ports[m.group(1)]}", text
    )


def run(line: str, ports: dict[str, str], values: dict[str, str]) -> str:
    """One command of the page: ``cast`` is the npm cast, ``crossroll`` this checkout's, with
    the devnet's admin URL. A trailing ``# value`` on a cast line is the output it shows once
    the relay is done: waited for, then compared."""
    command, _, comment = line.partition("  #")
    for placeholder, value in values.items():
        command = command.replace(placeholder, value)
    argv = shlex.split(localize(command, ports))
    expected = None
    if argv[0] == "crossroll":
        argv = crossroll_command(*argv[1:], "--admin-url", f"http://127.0.0.1:{ports['8420']}")
    else:
        assert argv[0] == "cast", line
        argv[0] = str(require_tool("cast"))
        expected = comment.strip() or None
    deadline = time.monotonic() + 30
    while True:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (line, done.stderr)
        out = done.stdout.strip()
        if expected is None or out.split()[0] == expected:
            return out
        assert time.monotonic() < deadline, (line, out)
        time.sleep(0.25)


def commands(block: str) -> list[str]:
    return [line for line in block.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def devnet() -> Iterator[dict[str, str]]:
    with crossroll_up(*ONE_BLOCK) as cfg:
        yield ports_of(cfg)


def test_walkthrough_blocks_are_the_ones_tested() -> None:
    assert len(blocks("bash")) == 3 and len(blocks("python")) == 2


def test_cast_walkthrough(devnet: dict[str, str]) -> None:
    tokens, eth, _by_hand = blocks("bash")
    outputs = [run(line, devnet, {}) for line in commands(tokens)]
    assert "901→902" in outputs[2]
    assert outputs[3].split()[0] == "1000"
    outputs = [run(line, devnet, {}) for line in commands(eth)]
    assert outputs[1] == "10001.000000000000000000"


def test_web3_walkthrough(devnet: dict[str, str]) -> None:
    web3_example, _settled = blocks("python")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(localize(web3_example, devnet), "messaging.md web3", "exec"), {})
    assert out.getvalue().splitlines() == ["902 True", "5", "relayed fast True"]


def test_relay_without_the_relayer() -> None:
    *_, by_hand = blocks("bash")
    with crossroll_up(*ONE_BLOCK, "--no-autorelay") as cfg:
        ports = ports_of(cfg)
        tokens = commands(blocks("bash")[0])
        for line in tokens[:2]:  # mint and send, as in the walkthrough
            run(line, ports, {})
        listing, relay = commands(by_hand)
        assert "sent" in run(listing, ports, {})
        query = crossroll_command("messages", "--json", "--admin-url", cfg["adminUrl"])
        (message,) = json.loads(subprocess.run(query, capture_output=True, check=True).stdout)
        assert message["status"] != "relayed"
        relayed = run(relay, ports, {"0x<msgHash>": message["msgHash"]})
        assert f"relayed {message['msgHash']} to chain 902" in relayed
        assert run(tokens[3], ports, {}).split()[0] == "1000"


def test_settled_path_example() -> None:
    _web3, settled = blocks("python")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(settled, "messaging.md settled path", "exec"), {})
    assert out.getvalue().splitlines() == ["sent", "settled", "relayed 1000"]
