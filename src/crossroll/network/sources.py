"""Read configuration from its sources, highest precedence last:
defaults < ``crossroll.toml`` < ``CROSSROLL_*`` environment < CLI flags.

Each source becomes a flat layer ``{"l1.port": (value, "where it came from")}``;
layers are merged key by key and validated once, so a bad value is reported
with the key and the source that set it.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import ConfigError
from .config import NetworkConfig, NodeConfig

CONFIG_FILE = "crossroll.toml"
ENV_PREFIX = "CROSSROLL_"

Layer = dict[str, tuple[Any, str]]
M = TypeVar("M", bound=BaseModel)

#: Environment variable (without prefix) -> key of NetworkConfig.
NETWORK_ENV = {
    "HOST": "host",
    "ADMIN_PORT": "admin_port",
    "AUTOMINE": "automine",
    "VIRTUAL_TIME": "virtual_time",
    "ROLLUPS": "rollups.count",
    "L1_CHAIN_ID": "l1.chain_id",
    "L1_PORT": "l1.port",
    "L1_BLOCK_TIME": "l1.block_time",
    "L1_RPC_URL": "l1.rpc_url",
    "L1_KEY": "l1.key",
    "L1_BEACON_URL": "l1.beacon_url",
    "DA": "rollups.da",
    "CHALLENGE_WINDOW": "rollups.challenge_window",
    "SUBMISSION_INTERVAL": "rollups.submission_interval",
    "L2_CHAIN_ID": "rollups.chain_id",
    "L2_STARTING_PORT": "rollups.port",
    "L2_BLOCK_TIME": "rollups.block_time",
    "BLOCK_TIME": "block_time",  # "900=1,901=0.5"
    "MNEMONIC": "accounts.mnemonic",
    "ACCOUNTS": "accounts.count",
    "BALANCE": "accounts.balance",
    "DATA_DIR": "data_dir",
    "FSYNC": "fsync",
    # Supersim's SUPERSIM_INTEROP_AUTORELAY / _DELAY / SUPERSIM_DEPENDENCY_SET, crossroll-named.
    "AUTORELAY": "messaging.autorelay",
    "RELAY_DELAY": "messaging.relay_delay",
    "RELAY_PATH": "messaging.relay_path",
    "DEPENDENCY_SET": "messaging.dependency_set",
    "INTEROP_DELAY": "messaging.interop_delay",
    "SEQUENCING": "sequencing.mode",
    "SLOT_TIME": "sequencing.slot_time",
    "ORDERING": "sequencing.ordering",
    "FORCED_INCLUSION_WINDOW": "sequencing.forced_inclusion_window",
}

#: Environment variable (without prefix) -> key of NodeConfig.
NODE_ENV = {
    "HOST": "host",
    "NODE_PORT": "port",
    "NODE_CHAIN_ID": "chain_id",
    "NODE_BLOCK_TIME": "block_time",
    "NODE_BASE_FEE": "base_fee",
    "NODE_GAS_LIMIT": "gas_limit",
    "MNEMONIC": "accounts.mnemonic",
    "ACCOUNTS": "accounts.count",
    "BALANCE": "accounts.balance",
}


# ------------------------------------------------------------------- layers
def parse_block_times(items: Iterable[str], where: str) -> Layer:
    """``["900=1", "901=0.5"]`` (or one comma-separated string) -> block_time keys."""
    layer: Layer = {}
    for item in items:
        for part in filter(None, (p.strip() for p in item.split(","))):
            chain, sep, seconds = part.partition("=")
            if not sep or not chain.strip().isdigit():
                raise ConfigError(f"{where}: expected CHAIN_ID=SECONDS, got {part!r}")
            layer[f"block_time.{int(chain)}"] = (seconds.strip(), where)
    return layer


def file_layer(path: Path, section: str | None = None) -> Layer:
    """A TOML file's keys (of one ``[section]``, or all but the known sections)."""
    try:
        text = path.read_text()
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if section is not None:
        data = data.get(section, {})
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
    else:
        data = {k: v for k, v in data.items() if k != "node"}
    lines = text.splitlines()
    layer: Layer = {}
    for key, value in _flatten(data):
        full = f"{section}.{key}" if section else key
        layer[key] = (value, f"{path.name}{_line_of(lines, full)}")
    return layer


def env_layer(
    env: Mapping[str, str], names: Mapping[str, str], per_chain: Collection[str] = ()
) -> Layer:
    """Variables ``CROSSROLL_<NAME>``; keys in ``per_chain`` hold ``CHAIN=SECONDS`` lists."""
    layer: Layer = {}
    for suffix, key in names.items():
        var = ENV_PREFIX + suffix
        if var not in env:
            continue
        secret = suffix.endswith("KEY")  # a private key is never echoed in an error
        where = f"env {var}" if secret else f"env {var}={env[var]!r}"
        if key in per_chain:
            layer.update(parse_block_times([env[var]], where))
        else:
            layer[key] = (env[var], where)
    return layer


def flag_layer(flags: Mapping[str, tuple[Any, str]], per_chain: Collection[str] = ()) -> Layer:
    """CLI flags as ``{key: (value, "--flag")}``; values of None are not given."""
    layer: Layer = {}
    for key, (value, flag) in flags.items():
        if value is None or value == ():
            continue
        if key in per_chain:
            layer.update(parse_block_times(value, flag))
        else:
            layer[key] = (value, flag)
    return layer


# ------------------------------------------------------------------ loading
def find_config_file(path: str | Path | None, env: Mapping[str, str]) -> Path | None:
    if path is None:
        path = env.get(ENV_PREFIX + "CONFIG")
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file {p} does not exist")
        return p
    default = Path.cwd() / CONFIG_FILE
    return default if default.is_file() else None


def load_network_config(
    flags: Mapping[str, tuple[Any, str]] | None = None,
    *,
    config_file: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> NetworkConfig:
    return _load(NetworkConfig, None, NETWORK_ENV, {"block_time"}, flags, config_file, env).check()


def load_node_config(
    flags: Mapping[str, tuple[Any, str]] | None = None,
    *,
    config_file: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> NodeConfig:
    return _load(NodeConfig, "node", NODE_ENV, set(), flags, config_file, env).check()


def _load(
    model: type[M],
    section: str | None,
    names: Mapping[str, str],
    per_chain: Collection[str],
    flags: Mapping[str, tuple[Any, str]] | None,
    config_file: str | Path | None,
    env: Mapping[str, str] | None,
) -> M:
    """``model`` from the config file (its ``[section]``), the environment and flags."""
    env = os.environ if env is None else env
    layers = []
    if (path := find_config_file(config_file, env)) is not None:
        layers.append(file_layer(path, section))
    layers += [env_layer(env, names, per_chain), flag_layer(flags or {}, per_chain)]
    return build(model, layers)


def build(model: type[M], layers: Iterable[Layer]) -> M:
    """Merge layers (later wins, key by key) and validate into ``model``."""
    merged: Layer = {}
    for layer in layers:
        for key, entry in layer.items():
            # A whole table replaces its keys from lower layers and vice versa.
            for other in [k for k in merged if k.startswith(key + ".") or key.startswith(k + ".")]:
                del merged[other]
            merged[key] = entry
    try:
        return model.model_validate(_unflatten({k: v for k, (v, _) in merged.items()}))
    except ValidationError as exc:
        raise _config_error(exc, {k: w for k, (_, w) in merged.items()}) from None


def overrides_layer(overrides: Mapping[str, Any], where: str = "argument") -> Layer:
    """Keyword overrides of the Python API (``l1__port=0`` or nested dicts)."""
    layer: Layer = {}
    for key, value in overrides.items():
        dotted = key.replace("__", ".")
        if isinstance(value, Mapping) and dotted != "block_time":
            for sub, v in _flatten(dict(value)):
                layer[f"{dotted}.{sub}"] = (v, f"{where} {key}")
        elif isinstance(value, BaseModel):
            layer[dotted] = (value.model_dump(), f"{where} {key}")
        elif dotted == "block_time" and isinstance(value, Mapping):
            for chain, seconds in value.items():
                layer[f"block_time.{int(chain)}"] = (seconds, f"{where} {key}")
        else:
            layer[dotted] = (value, f"{where} {key}")
    return layer


# ------------------------------------------------------------------ helpers
def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from _flatten(value, full + ".")
        else:
            yield full, value


def _unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key, value in flat.items():
        *parents, leaf = key.split(".")
        node = tree
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # a scalar where a table belongs: let pydantic say so
                break
            node = child
        else:
            node[leaf] = value
    return tree


def _line_of(lines: list[str], key: str) -> str:
    """`` line N`` of ``key`` in a TOML text, or "" when not found cheaply."""
    *tables, leaf = key.split(".")
    table = ".".join(tables)
    pattern = re.compile(rf"""^\s*["']?{re.escape(leaf)}["']?\s*=""")
    current = ""
    for number, line in enumerate(lines, 1):
        header = re.match(r"^\s*\[([^\]]+)\]", line)
        if header:
            current = header.group(1).strip()
        elif (current == table and pattern.match(line)) or (
            current == "" and table and re.match(rf"^\s*{re.escape(key)}\s*=", line)
        ):
            return f" line {number}"
    return ""


def _config_error(exc: ValidationError, sources: Mapping[str, str]) -> ConfigError:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"] if p != "[key]")
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = "unknown key"
    where = ""
    probe = key
    while probe:
        if probe in sources:
            where = f" (from {sources[probe]})"
            break
        probe = probe.rpartition(".")[0]
    more = exc.error_count() - 1
    tail = f"; and {more} more error{'s' if more > 1 else ''}" if more else ""
    return ConfigError(f"invalid config {key}: {message}{where}{tail}")
