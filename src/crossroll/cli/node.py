"""``crossroll node``: one chain, with anvil's flags, defaults and banner."""

from __future__ import annotations

from typing import Any

import click


@click.command()
@click.option(
    "-p", "--port", type=int, help="Port to listen on (0: any free port).  [default: 8545]"
)
@click.option("--host", help="Address to listen on.  [default: 127.0.0.1]")
@click.option("--chain-id", type=int, help="Chain id.  [default: 31337]")
@click.option(
    "-b",
    "--block-time",
    "--blockTime",
    type=float,
    help="Mine a block every SECONDS instead of per transaction.",
)
@click.option("--no-mining", "--no-mine", is_flag=True, default=None, help="Mine only on evm_mine.")
@click.option("-a", "--accounts", type=int, help="Number of dev accounts.  [default: 10]")
@click.option("--balance", help="Balance of each dev account, in ETH.  [default: 10000]")
@click.option("-m", "--mnemonic", help="BIP-39 mnemonic of the dev accounts.")
@click.option(
    "--base-fee",
    "--block-base-fee-per-gas",
    type=int,
    help="Base fee of the genesis block, in wei.",
)
@click.option("--gas-limit", type=int, help="Block gas limit.  [default: 30000000]")
@click.option("--coinbase", help="Address that receives block rewards and tips.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="crossroll.toml to read ([node] table).",
)
@click.option("-q", "--quiet", "--silent", "silent", is_flag=True, help="Print nothing but errors.")
def node(config_file: str | None, silent: bool, **options: Any) -> None:
    """Run one anvil-like chain: automine, 10 funded dev accounts, JSON-RPC on :8545."""
    from ..network.node import Node
    from ..network.sources import load_node_config
    from .banner import node_banner
    from .serve import flags_of, serve

    keys = {
        "port": "port", "host": "host", "chain_id": "chain_id", "block_time": "block_time",
        "no_mining": "no_mining", "accounts": "accounts.count", "balance": "accounts.balance",
        "mnemonic": "accounts.mnemonic", "base_fee": "base_fee", "gas_limit": "gas_limit",
        "coinbase": "coinbase",
    }  # fmt: skip
    config = load_node_config(flags_of(options, keys), config_file=config_file)
    running = Node(config)

    def announce() -> None:
        if not silent:
            click.echo(node_banner(config, running.accounts, running.port))

    serve(running, announce)
