"""EVM execution engines (py-evm is the default)."""

from __future__ import annotations

from .pyevm import PyEvmEngine

__all__ = ["PyEvmEngine"]
