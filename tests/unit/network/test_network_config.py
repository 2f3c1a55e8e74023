"""Configuration: precedence of the sources, validation and the chains it plans."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossroll.chain.rules import L1Rules, L2Rules
from crossroll.errors import ConfigError
from crossroll.network.config import NetworkConfig, NodeConfig
from crossroll.network.sources import load_network_config, load_node_config


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for var in [v for v in __import__("os").environ if v.startswith("CROSSROLL_")]:
        monkeypatch.delenv(var)


def test_defaults_match_the_design() -> None:
    config = load_network_config()
    plan = config.plan()
    assert [(c.chain_id, c.name, c.port, c.block_time) for c in plan] == [
        (900, "l1", 8545, 12.0),
        (901, "rollup-901", 9545, 2.0),
        (902, "rollup-902", 9546, 2.0),
    ]
    assert config.admin_port == 8420
    assert config.host == "127.0.0.1"
    assert config.accounts.count == 10
    assert config.accounts.balance_wei == 10_000 * 10**18


def test_file_then_env_then_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "crossroll.toml").write_text(
        "admin_port = 1111\n[l1]\nport = 2222\nblock_time = 6\n[rollups]\ncount = 4\n"
    )
    assert load_network_config().rollups.count == 4
    monkeypatch.setenv("CROSSROLL_ROLLUPS", "3")
    monkeypatch.setenv("CROSSROLL_L1_PORT", "3333")
    config = load_network_config({"l1.port": (4444, "--l1-port")})
    assert config.rollups.count == 3  # env over file
    assert config.l1.port == 4444  # flag over env
    assert config.l1.block_time == 6  # file over default
    assert config.admin_port == 1111


def test_block_time_overrides_merge_per_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "crossroll.toml").write_text("[block_time]\n900 = 3\n902 = 4\n")
    monkeypatch.setenv("CROSSROLL_BLOCK_TIME", "900=1,901=0.5")
    config = load_network_config({"block_time": (("902=0",), "--block-time")})
    assert config.block_time == {900: 1.0, 901: 0.5, 902: 0.0}
    assert [c.block_time for c in config.plan()] == [1.0, 0.5, None]  # 0: automine


def test_automine_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSROLL_AUTOMINE", "true")
    configs = load_network_config().chain_configs()
    assert all(c.block_time is None and c.automine for _, c in configs)


def test_explicit_config_path(tmp_path: Path) -> None:
    path = tmp_path / "other.toml"
    path.write_text("host = '0.0.0.0'\n")
    assert load_network_config(config_file=path).host == "0.0.0.0"
    with pytest.raises(ConfigError, match="does not exist"):
        load_network_config(config_file=tmp_path / "missing.toml")


def test_chain_configs_use_l1_and_l2_rules() -> None:
    configs = NetworkConfig().chain_configs()
    assert [c.rules for _, c in configs] == [L1Rules, L2Rules, L2Rules]
    assert all(not c.automine and c.block_time for _, c in configs)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CROSSROLL_L1_PORT": "70000"},
            r"l1\.port: .*65535 \(from env CROSSROLL_L1_PORT='70000'\)",
        ),
        ({"CROSSROLL_ROLLUPS": "0"}, r"rollups\.count: .*\(from env CROSSROLL_ROLLUPS"),
        ({"CROSSROLL_ROLLUPS": "17"}, r"rollups\.count"),
        ({"CROSSROLL_L1_CHAIN_ID": "0"}, r"l1\.chain_id: .*greater than 0"),
        ({"CROSSROLL_L1_CHAIN_ID": "901"}, r"also a rollup chain id"),
        ({"CROSSROLL_L1_PORT": "9546"}, r"port 9546 is used twice: l1\.port and rollup 902 port"),
        ({"CROSSROLL_ADMIN_PORT": "8545"}, r"port 8545 is used twice"),
        ({"CROSSROLL_BLOCK_TIME": "905=1"}, r"chain 905 is not in this network"),
        ({"CROSSROLL_BLOCK_TIME": "901"}, r"CROSSROLL_BLOCK_TIME.*expected CHAIN_ID=SECONDS"),
        ({"CROSSROLL_BLOCK_TIME": "901=-1"}, r"block_time\.901: .*greater than or equal to 0"),
        ({"CROSSROLL_AUTOMINE": "maybe"}, r"automine: .*valid boolean"),
        ({"CROSSROLL_MNEMONIC": "too short"}, r"accounts\.mnemonic: .*got 2"),
    ],
)
def test_validation_errors_name_key_and_source(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError, match=message) as info:
        load_network_config()
    assert "\n" not in str(info.value)


def test_file_errors_point_at_the_line(tmp_path: Path) -> None:
    (tmp_path / "crossroll.toml").write_text("host = 'x'\n\n[l1]\nchain_id = 1\nprot = 5\n")
    with pytest.raises(ConfigError, match=r"l1\.prot: unknown key \(from crossroll\.toml line 5\)"):
        load_network_config()
    (tmp_path / "crossroll.toml").write_text("[rollups]\ncount = 'many'\n")
    with pytest.raises(ConfigError, match=r"rollups\.count: .*crossroll\.toml line 2"):
        load_network_config()
    (tmp_path / "crossroll.toml").write_text("[l1\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_network_config()


def test_port_zero_may_repeat() -> None:
    config = load_network_config(
        {"l1.port": (0, "--l1-port"), "rollups.port": (0, "x"), "admin_port": (0, "y")}
    )
    assert {c.port for c in config.plan()} == {0}


def test_node_defaults_and_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    node = load_node_config()
    chain = node.chain_config()
    assert (node.port, node.chain_id, chain.automine, chain.block_time) == (8545, 31337, True, None)
    (tmp_path / "crossroll.toml").write_text("[node]\nchain_id = 5\nport = 1\n")
    monkeypatch.setenv("CROSSROLL_NODE_PORT", "2")
    node = load_node_config({"block_time": (3, "--block-time")})
    assert (node.chain_id, node.port) == (5, 2)
    assert (node.chain_config().automine, node.chain_config().block_time) == (False, 3)


def test_node_checks() -> None:
    with pytest.raises(ConfigError, match="contradict"):
        NodeConfig(no_mining=True, block_time=1).check()
    assert NodeConfig(no_mining=True).chain_config().automine is False
    with pytest.raises(ConfigError, match="coinbase must be a 20-byte hex address"):
        load_node_config({"coinbase": ("0x12", "--coinbase")})
    cb = "0x" + "ab" * 20
    assert (
        load_node_config({"coinbase": (cb, "--coinbase")}).chain_config().coinbase == b"\xab" * 20
    )


def test_messaging_settings_from_the_environment() -> None:
    env = {
        "CROSSROLL_AUTORELAY": "false",
        "CROSSROLL_RELAY_DELAY": "3",
        "CROSSROLL_RELAY_PATH": "settled",
        "CROSSROLL_DEPENDENCY_SET": "[901,902]",
        "CROSSROLL_INTEROP_DELAY": "2",
    }
    messaging = load_network_config(env=env).messaging
    assert messaging.autorelay is False and messaging.relay_delay == 3
    assert messaging.relay_path == "settled" and messaging.dependency_set == [901, 902]
    assert messaging.interop_delay == 2
    with pytest.raises(ConfigError):
        load_network_config(env={"CROSSROLL_RELAY_PATH": "sideways"})
