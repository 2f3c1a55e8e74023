"""One module per JSON-RPC namespace; each exposes ``register(table)``."""

from __future__ import annotations

from ..dispatch import MethodTable
from . import anvil, eth, eth_filter, evm, net, sign, web3


def register_all(table: MethodTable) -> None:
    for module in (web3, net, eth, eth_filter, sign, evm, anvil):
        module.register(table)
