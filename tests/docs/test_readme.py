"""The README's commands run as tests: the quickstart names real entry points, every
tour command succeeds against a real `crossroll up`, and both Python examples run.

Ports in the README are the defaults (8545, 9545, 9546, 8420); the test starts the devnet
on free ports and substitutes them, so it never collides with a devnet you are running.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from crossroll.testing.tools import crossroll_command, require_tool
from tests.support.nodes import crossroll_up

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()

pytestmark = pytest.mark.slow


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_quickstart_is_two_commands_that_exist():
    quickstart = blocks("bash")[0]
    commands = [line.split("#")[0].strip() for line in quickstart.splitlines() if line.strip()]
    assert commands == ["python -m pip install . && crossroll up", "scripts/test"]
    assert os.access(ROOT / "scripts" / "test", os.X_OK)
    assert 'crossroll = "crossroll.cli.main:main"' in (ROOT / "pyproject.toml").read_text()
    assert (ROOT / ".ci" / "run").read_text().strip().endswith('exec scripts/test "$@"')


@pytest.fixture(scope="module")
def devnet():
    with crossroll_up(
        "--block-time", "900=1", "--block-time", "901=1", "--block-time", "902=1"
    ) as cfg:
        ports = {c["chainId"]: c["port"] for c in cfg["chains"]}
        admin = cfg["adminUrl"].rsplit(":", 1)[1]
        yield {
            "8545": str(ports[900]),
            "9545": str(ports[901]),
            "9546": str(ports[902]),
            "8420": admin,
        }


def localize(text: str, ports: dict[str, str]) -> str:
    return re.sub(
        r"127\.0\.0\.1:(8545|9545|9546|8420)", lambda m: f"127.0.0.1:{ports[m.group(1)]}", text
    )


def test_tour_commands_succeed(devnet):
    cast = str(require_tool("cast"))
    if shutil.which("curl") is None:
        pytest.skip("curl not installed")
    outputs = []
    for line in localize(blocks("bash")[1], devnet).splitlines():
        command = line.split("  #")[0].strip()
        if not command:
            continue
        argv = shlex.split(command)
        if argv[0] == "cast":
            argv[0] = cast
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (command, done.stderr)
        outputs.append(done.stdout.strip())
    assert outputs[0] == "900" and outputs[1] == "901"
    assert outputs[2] == "10000.000000000000000000"
    assert '"chainId":901' in outputs[-1].replace(" ", "")


def test_python_examples_run(devnet):
    web3_example, network_example = blocks("python")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(localize(web3_example, devnet), "README web3 example", "exec"), {})
        exec(compile(network_example, "README Network example", "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0] == "5"
    assert "'value': 5" in lines[1]
    assert lines[-1].strip() == "30"


def test_cross_rollup_message(devnet):
    """The tour's message from 901 to 902: the balance on 902 is read once the relayer has
    delivered it (the page says a block later; the test waits up to 30 s)."""
    cast = str(require_tool("cast"))
    outputs = []
    for line in localize(blocks("bash")[2], devnet).splitlines():
        command, _, shown = line.partition("  #")
        argv = shlex.split(command)
        if argv[0] == "cast":
            argv[0] = cast
        else:
            argv = crossroll_command(*argv[1:])
        deadline = time.monotonic() + 30
        while True:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, (command, done.stderr)
            if not command.startswith("cast call") or done.stdout.split()[0] == shown.strip():
                break
            assert time.monotonic() < deadline, (command, done.stdout)
            time.sleep(0.25)
        outputs.append(done.stdout)
    assert "901→902" in outputs[2]
    assert outputs[3].split()[0] == "1000"
