"""``crossroll up --challenge-window SECONDS --submission-interval BLOCKS``: parsed into the
config like every setting (flags > env > crossroll.toml > defaults), checked, and shown by
``admin_getConfig`` of a real ``crossroll up``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from crossroll.cli import banner, serve
from crossroll.cli.main import cli
from crossroll.network import NetworkConfig, network
from crossroll.rollup.abi import calldata
from tests.support.nodes import crossroll_up


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for var in [v for v in os.environ if v.startswith("CROSSROLL_")]:
        monkeypatch.delenv(var)


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace the network with a recorder; return the config it was given."""
    seen: dict[str, Any] = {}

    class FakeNetwork:
        def __init__(self, config: NetworkConfig) -> None:
            seen["up"] = config

        def run(self) -> None:
            pass

        def stop(self) -> None:
            pass

    monkeypatch.setattr(network, "Network", FakeNetwork)
    monkeypatch.setattr(banner, "print_network", lambda net, elapsed: None)
    monkeypatch.setattr(serve, "wait_forever", lambda: None)
    return seen


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_defaults_are_seven_days_and_ten_blocks(captured: dict[str, Any]) -> None:
    assert run("up").exit_code == 0
    rollups = captured["up"].rollups
    assert (rollups.challenge_window, rollups.submission_interval) == (604_800, 10)


def test_flags_beat_the_config_file(tmp_path: Path, captured: dict[str, Any]) -> None:
    (tmp_path / "crossroll.toml").write_text(
        "[rollups]\nchallenge_window = 60\nsubmission_interval = 3\n"
    )
    assert run("up").exit_code == 0
    rollups = captured["up"].rollups
    assert (rollups.challenge_window, rollups.submission_interval) == (60, 3)
    assert run("up", "--challenge-window", "0", "--submission-interval", "7").exit_code == 0
    rollups = captured["up"].rollups
    assert (rollups.challenge_window, rollups.submission_interval) == (0, 7)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--challenge-window", "-1"], "Error: invalid config rollups.challenge_window: "),
        (["--submission-interval", "0"], "Error: invalid config rollups.submission_interval: "),
    ],
)
def test_out_of_range_is_a_one_line_error(
    captured: dict[str, Any], args: list[str], message: str
) -> None:
    result = run("up", *args)
    assert result.exit_code == 1
    assert result.output.startswith(message), result.output
    assert f"(from {args[0]})" in result.output
    assert result.output.count("\n") == 1


def test_a_real_devnet_shows_and_deploys_them() -> None:
    flags = ["--rollups", "1", "--challenge-window", "3600", "--submission-interval", "4"]
    with crossroll_up(*flags) as config:
        assert (config["challengeWindow"], config["submissionInterval"]) == (3600, 4)
        l1 = next(c["rpcUrl"] for c in config["chains"] if c["kind"] == "l1")
        oracle = config["l1Addresses"]["rollups"]["901"]["L2OutputOracle"]
        for signature, expected in [
            ("FINALIZATION_PERIOD_SECONDS()", 3600),
            ("SUBMISSION_INTERVAL()", 4),
        ]:
            call = {"to": oracle, "data": "0x" + calldata(signature).hex()}
            body: Any = {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "eth_call",
                "params": [call, "latest"],
            }
            answer = requests.post(l1, json=body, timeout=5).json()["result"]
            assert int(answer, 16) == expected, signature
