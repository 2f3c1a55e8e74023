"""EVM execution engines (py-evm is the default)."""

from __future__ import annotations

from . import speedups
from .pyevm import PyEvmEngine

speedups.install()

__all__ = ["PyEvmEngine"]
