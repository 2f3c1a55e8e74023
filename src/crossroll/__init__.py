"""crossroll: a local network and Python framework for rollup interoperability."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _keccak  # noqa: F401  (must run before eth_hash is imported)

__version__ = "0.1.0"

__all__ = ["Network", "NetworkConfig", "__version__"]

if TYPE_CHECKING:
    from .network import Network, NetworkConfig

# Imported on first use, so ``import crossroll`` (and the CLI's --help) stay fast.
_LAZY = {"Network": "crossroll.network", "NetworkConfig": "crossroll.network"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'crossroll' has no attribute {name!r}")
