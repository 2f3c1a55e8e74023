"""What the commands print once their chains serve."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

import click

from ..network.accounts import checksum
from ..network.config import DERIVATION_PATH, NodeConfig
from ..types import DevAccount

if TYPE_CHECKING:
    from ..network.network import Network


def _section(title: str, *body: str, blank: bool = True) -> list[str]:
    return ["", title, "=" * 18, *([""] if blank else []), *body]


def _eth(amount: Decimal) -> str:
    return f"{amount:.18f} ETH"


def node_banner(config: NodeConfig, accounts: Sequence[DevAccount], port: int) -> str:
    """anvil's startup banner, with the same sections and layout."""
    balance = _eth(config.accounts.balance)
    if config.no_mining:
        mining = "manual (evm_mine)"
    elif config.block_time:
        mining = f"every {config.block_time:g}s"
    else:
        mining = "automine"
    lines = [
        *_section("Available Accounts",
                  *(f"({a.index}) {checksum(a.address)} ({balance})" for a in accounts)),
        *_section("Private Keys", *(f"({a.index}) 0x{a.private_key.hex()}" for a in accounts)),
        *_section("Wallet", f"Mnemonic:          {config.accounts.mnemonic}",
                  f"Derivation path:   {DERIVATION_PATH}", "", blank=False),
        *_section("Chain ID", str(config.chain_id)),
        *_section("Base Fee", str(config.effective_base_fee)),
        *_section("Gas Limit", str(config.effective_gas_limit)),
        *_section("Mining", mining),
        "",
        f"Listening on {config.host}:{port}",
    ]  # fmt: skip
    return "\n".join(lines)


def print_network(net: Network, elapsed: float) -> None:
    """The devnet's chains and accounts as rich tables; readiness to stderr."""
    import sys

    from rich.console import Console
    from rich.table import Table

    out = Console(highlight=False, soft_wrap=True)
    chains = Table(title="crossroll devnet", title_justify="left")
    for column in ("chain id", "name", "RPC URL", "block time"):
        chains.add_column(column)
    for h in net.chains:
        block_time = "automine" if h.plan.block_time is None else f"{h.plan.block_time:g}s"
        chains.add_row(str(h.chain_id), h.name, h.url, block_time)
    out.print(chains)
    out.print("\nAccounts (address, private key)")
    for a in net.accounts:
        out.print(f"({a.index}) {checksum(a.address)} 0x{a.private_key.hex()}")
    balance = net.config.accounts.balance
    out.print(f"Each account holds {balance:,} ETH on every chain.")
    out.print(f"Mnemonic: {net.config.accounts.mnemonic}")
    out.print(f"Admin RPC: {net.admin_url}  (GET /ready, admin_getConfig)")
    if net.config.virtual_time:
        out.print("Virtual time: blocks are mined only when time is advanced.")
    sys.stdout.flush()
    click.echo(f"crossroll ready in {elapsed:.2f}s", err=True)
