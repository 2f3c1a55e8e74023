"""The external-L1 settings: flags, environment and crossroll.toml; what they exclude; the DA
default they imply; the deployer key's account; never echoing the key in errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossroll.errors import ConfigError
from crossroll.network.config import NetworkConfig
from crossroll.network.external import deploy_settings, key_account
from crossroll.network.sources import load_network_config
from crossroll.rollup import deployer_account
from crossroll.testing.tools import DEV_PRIVATE_KEY_0

URL = "http://127.0.0.1:8545"
KEY = DEV_PRIVATE_KEY_0


def test_flags_environment_and_file(tmp_path: Path) -> None:
    flags = {"l1.rpc_url": (URL, "--l1-rpc"), "l1.key": (KEY, "--l1-key")}
    config = load_network_config(flags, env={})
    assert (config.l1.rpc_url, config.l1.key, config.l1.external) == (URL, KEY, True)
    assert config.da_mode == "calldata"  # auto on an external L1
    assert KEY not in repr(config)

    env = {
        "CROSSROLL_L1_RPC_URL": URL,
        "CROSSROLL_L1_KEY": KEY[2:].upper(),
        "CROSSROLL_DA": "blobs",
    }
    config = load_network_config(env=env)
    assert (config.l1.key, config.da_mode) == (KEY, "blobs")

    toml = tmp_path / "crossroll.toml"
    toml.write_text(
        f'[l1]\nrpc_url = "{URL}"\nkey = "{KEY}"\nbeacon_url = "{URL}/beacon"\n'
        'poll_interval = 0.5\nrole_funding = "2.5"\n'
    )
    config = load_network_config(config_file=toml, env={})
    assert (config.l1.beacon_url, config.l1.poll_interval) == (f"{URL}/beacon", 0.5)
    deployer, fund, mine = deploy_settings(config)
    assert (deployer.address.hex(), fund, mine) == (
        "f39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        25 * 10**17,
        False,
    )


def test_the_embedded_l1_keeps_its_defaults() -> None:
    config = NetworkConfig()
    assert (config.l1.external, config.da_mode) == (False, "blobs")
    deployer, fund, mine = deploy_settings(config)
    assert (deployer, fund, mine) == (deployer_account(), 0, True)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"l1.rpc_url": URL}, "needs both l1.rpc_url"),
        ({"l1.key": KEY}, "needs both l1.rpc_url"),
        ({"l1.rpc_url": URL, "l1.key": KEY, "virtual_time": True}, "virtual_time needs"),
        ({"l1.rpc_url": "ws://x", "l1.key": KEY}, "http:// or https://"),
        ({"l1.rpc_url": URL, "l1.key": KEY[:-2]}, "32-byte private key"),
    ],
)
def test_contradictions_are_config_errors(flags: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_network_config({k: (v, "flag") for k, v in flags.items()}, env={})
    assert KEY[2:12] not in info.value.message


def test_a_bad_key_from_the_environment_is_not_echoed() -> None:
    bad = KEY[:-1] + "z"
    with pytest.raises(ConfigError) as info:
        load_network_config(env={"CROSSROLL_L1_RPC_URL": URL, "CROSSROLL_L1_KEY": bad})
    assert info.value.message.endswith("(from env CROSSROLL_L1_KEY)")


def test_the_port_of_an_external_l1_is_not_ours() -> None:
    # the L1 node may listen on the port a rollup would use: it is not bound here
    flags = {"l1.rpc_url": (URL, "f"), "l1.key": (KEY, "f"), "l1.port": (9545, "f")}
    assert load_network_config(flags, env={}).l1.port == 9545


def test_key_account() -> None:
    account = key_account(KEY)
    assert account.address.hex() == "f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
    assert account.private_key == bytes.fromhex(KEY[2:])
