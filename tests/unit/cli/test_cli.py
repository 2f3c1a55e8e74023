"""The click front end: parsing into configs, typos, errors, version."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crossroll import __version__
from crossroll.cli import banner, serve
from crossroll.cli.main import cli
from crossroll.network import NetworkConfig, NodeConfig, network, node


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for var in [v for v in os.environ if v.startswith("CROSSROLL_")]:
        monkeypatch.delenv(var)


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace the network and node with recorders; return what they were given."""
    seen: dict[str, Any] = {}

    class FakeNetwork:
        def __init__(self, config: NetworkConfig) -> None:
            seen["up"] = config

        def run(self) -> None:
            seen["ran"] = True

        def stop(self) -> None:
            seen["stopped"] = True

    class FakeNode:
        accounts = ()
        port = 8545

        def __init__(self, config: NodeConfig) -> None:
            seen["node"] = config

        def run(self) -> None:
            seen["ran"] = True

        def stop(self) -> None:
            seen["stopped"] = True

    monkeypatch.setattr(network, "Network", FakeNetwork)
    monkeypatch.setattr(node, "Node", FakeNode)
    monkeypatch.setattr(banner, "print_network", lambda net, elapsed: None)
    monkeypatch.setattr(serve, "wait_forever", lambda: None)
    return seen


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_commands() -> None:
    result = run("--help")
    assert "node" in result.output and "up" in result.output


@pytest.mark.parametrize(("typo", "suggestion"), [("nod", "node"), ("upp", "up"), ("nde", "node")])
def test_typos_get_a_suggestion(typo: str, suggestion: str) -> None:
    result = run(typo)
    assert result.exit_code == 2
    assert f"Did you mean '{suggestion}'?" in result.output


def test_up_flags(captured: dict[str, Any]) -> None:
    result = run(
        "up",
        "--rollups",
        "3",
        "--block-time",
        "901=0.5",
        "--block-time",
        "900=1",
        "--l1-port",
        "0",
        "--l2-starting-port",
        "10000",
        "--admin-port",
        "0",
        "--host",
        "127.0.0.2",
        "--virtual-time",
    )
    assert result.exit_code == 0, result.output
    config: NetworkConfig = captured["up"]
    assert config.rollup_ids == [901, 902, 903]
    assert config.block_time == {900: 1.0, 901: 0.5}
    assert (config.l1.port, config.rollups.port, config.admin_port) == (0, 10000, 0)
    assert config.host == "127.0.0.2" and config.virtual_time and not config.automine
    assert captured["ran"] and captured["stopped"]


def test_up_flags_beat_env_and_file(tmp_path: Path, captured: dict[str, Any]) -> None:
    (tmp_path / "crossroll.toml").write_text("admin_port = 7000\n[rollups]\ncount = 5\n")
    result = run("up", "--rollups", "4", env={"CROSSROLL_ROLLUPS": "3", "CROSSROLL_AUTOMINE": "1"})
    assert result.exit_code == 0, result.output
    config = captured["up"]
    assert (config.rollups.count, config.automine, config.admin_port) == (4, True, 7000)


def test_up_config_option(tmp_path: Path, captured: dict[str, Any]) -> None:
    path = tmp_path / "net.toml"
    path.write_text("[l1]\nchain_id = 1337\n")
    assert run("up", "--config", str(path)).exit_code == 0
    assert captured["up"].l1.chain_id == 1337


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["up", "--rollups", "0"], "Error: invalid config rollups.count"),
        (["up", "--block-time", "901"], "Error: --block-time: expected CHAIN_ID=SECONDS"),
        (["up", "--l1-port", "9545"], "Error: port 9545 is used twice"),
        (["up", "--config", "nope.toml"], "Error: config file nope.toml does not exist"),
        (["node", "--no-mining", "--block-time", "1"], "Error: --no-mining and --block-time"),
        (["node", "--port", "99999"], "Error: invalid config port"),
    ],
)
def test_errors_are_one_line(captured: dict[str, Any], args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert result.output.startswith(message), result.output
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_node_flags(captured: dict[str, Any]) -> None:
    result = run(
        "node",
        "--port",
        "0",
        "--chain-id",
        "5",
        "--block-time",
        "2",
        "--accounts",
        "3",
        "--balance",
        "1.5",
        "--base-fee",
        "7",
        "--gas-limit",
        "100000",
        "--silent",
    )
    assert result.exit_code == 0, result.output
    config: NodeConfig = captured["node"]
    assert (config.port, config.chain_id, config.block_time) == (0, 5, 2)
    assert (config.accounts.count, config.accounts.balance_wei) == (3, 15 * 10**17)
    chain = config.chain_config()
    assert (chain.base_fee, chain.gas_limit, chain.automine) == (7, 100000, False)
    assert result.output == ""


def test_node_defaults_are_anvils(captured: dict[str, Any]) -> None:
    assert run("node").exit_code == 0
    config: NodeConfig = captured["node"]
    assert (config.host, config.port, config.chain_id) == ("127.0.0.1", 8545, 31337)
    assert config.chain_config().automine


def test_node_banner_like_anvil() -> None:
    from crossroll.chain.accounts import dev_accounts

    config = NodeConfig()
    text = banner.node_banner(config, dev_accounts(config.accounts.mnemonic, 2), 8545)
    assert "(0) 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 (10000.000000000000000000 ETH)" in text
    assert "(0) 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" in text
    for section in (
        "Available Accounts",
        "Private Keys",
        "Wallet",
        "Chain ID",
        "Base Fee",
        "Gas Limit",
    ):
        assert section in text
    assert "Derivation path:   m/44'/60'/0'/0/" in text
    assert text.endswith("Listening on 127.0.0.1:8545")


def test_node_accepts_anvils_flag_spellings() -> None:
    """Scripts written for anvil pass --quiet, --no-mine and --blockTime."""
    from crossroll.cli.node import node

    names = {opt for param in node.params for opt in getattr(param, "opts", [])}
    assert {"--quiet", "-q", "--silent", "--no-mine", "--no-mining", "--blockTime", "-b"} <= names
