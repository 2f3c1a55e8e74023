"""Compiled Solidity artifacts shipped with crossroll.

The sources live in ``contracts/src/*.sol``; ``scripts/build_contracts.js`` compiles them with
the pinned solc-js and commits one JSON artifact per contract to ``contracts/artifacts/``. At
run time nothing is compiled: this module only reads the packaged JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["Artifact", "load", "names"]

_PACKAGE = __name__


@dataclass(frozen=True)
class Artifact:
    """One compiled contract: ABI and creation/runtime bytecode."""

    name: str
    abi: tuple[dict[str, Any], ...] = field(repr=False, compare=False, hash=False)
    bytecode: bytes = field(repr=False)
    deployed_bytecode: bytes = field(repr=False)

    def functions(self) -> dict[str, dict[str, Any]]:
        """ABI function entries by name (the last one wins for overloads)."""
        return {e["name"]: e for e in self.abi if e.get("type") == "function"}


def _artifacts_dir() -> Any:
    return resources.files(_PACKAGE).joinpath("artifacts")


@cache
def names() -> tuple[str, ...]:
    """Names of the available artifacts, sorted."""
    return tuple(
        sorted(
            p.name[: -len(".json")] for p in _artifacts_dir().iterdir() if p.name.endswith(".json")
        )
    )


@cache
def load(name: str) -> Artifact:
    """Load the artifact of contract ``name`` (e.g. ``"TestToken"``). Raises KeyError if unknown."""
    if name not in names():
        raise KeyError(f"no contract artifact named {name!r}; available: {', '.join(names())}")
    data = json.loads(_artifacts_dir().joinpath(f"{name}.json").read_text(encoding="utf-8"))
    return Artifact(
        name=data["contractName"],
        abi=tuple(data["abi"]),
        bytecode=bytes.fromhex(data["bytecode"].removeprefix("0x")),
        deployed_bytecode=bytes.fromhex(data["deployedBytecode"].removeprefix("0x")),
    )
