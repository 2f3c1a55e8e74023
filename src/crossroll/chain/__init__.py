"""One EVM chain: engine, pool, block store and anvil-style controls."""

from __future__ import annotations

from .accounts import dev_accounts
from .chain import Chain
from .config import ChainConfig
from .engine import PyEvmEngine

__all__ = ["Chain", "ChainConfig", "PyEvmEngine", "dev_accounts"]
