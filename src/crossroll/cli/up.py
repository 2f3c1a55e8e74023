"""``crossroll up``: the devnet, an L1 and its rollups, until Ctrl-C."""

from __future__ import annotations

import sys
import time
from typing import Any

import click


@click.command()
@click.option("--rollups", type=int, help="Number of rollups (1-16).  [default: 2]")
@click.option(
    "--block-time",
    multiple=True,
    metavar="CHAIN=SECONDS",
    help="Block time of one chain (repeatable; 0: automine), e.g. --block-time 901=0.5",
)
@click.option(
    "--automine", is_flag=True, default=None, help="Mine a block per transaction on every chain."
)
@click.option("--host", help="Address every server listens on.  [default: 127.0.0.1]")
@click.option("--l1-port", type=int, help="L1 JSON-RPC port (0: any free port).  [default: 8545]")
@click.option(
    "--l2-starting-port", type=int, help="Port of the first rollup, counting up.  [default: 9545]"
)
@click.option("--admin-port", type=int, help="Admin RPC port.  [default: 8420]")
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False), help="crossroll.toml to read."
)
@click.option("--virtual-time", is_flag=True, default=None, help="Time moves only when advanced.")
@click.option(
    "--challenge-window",
    type=int,
    metavar="SECONDS",
    help="Seconds before an output's withdrawals can finalize.  [default: 604800, 7 days]",
)
@click.option(
    "--submission-interval",
    type=int,
    metavar="BLOCKS",
    help="L2 blocks between two proposed outputs.  [default: 10]",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Keep the chains in DIR and resume them at the next start.",
)
@click.option(
    "--fsync", is_flag=True, default=None, help="With --data-dir: fsync every block to disk."
)
@click.option("--l1-rpc", metavar="URL", help="Use this Ethereum JSON-RPC node as the L1.")
@click.option(
    "--l1-key", metavar="KEY", help="Private key that deploys on --l1-rpc (CROSSROLL_L1_KEY)."
)
@click.option("--l1-beacon", metavar="URL", help="Beacon API of --l1-rpc, for blobs.")
@click.option(
    "--da",
    type=click.Choice(["calldata", "blobs", "auto"]),
    help="Where batches go (auto: blobs on the embedded L1, calldata on --l1-rpc).",
)
@click.option(
    "--autorelay/--no-autorelay",
    default=None,
    help="Relay every cross-rollup message without being asked.  [default: on]",
)
@click.option(
    "--relay-delay", type=float, metavar="SECONDS", help="Wait before relaying.  [default: 0]"
)
@click.option(
    "--relay-path",
    type=click.Choice(["fast", "settled"]),
    help="fast: relayMessage at once; settled: relaySettledMessage once settled.  [default: fast]",
)
@click.option(
    "--dependency-set",
    metavar="'[901,902]'",
    help="Rollups that accept each other's messages.  [default: all]",
)
@click.option(
    "--interop-delay",
    type=int,
    metavar="SECONDS",
    help="Seconds before a message may execute on its destination.  [default: 0]",
)
@click.option(
    "--sequencing",
    type=click.Choice(["own", "shared", "based"]),
    help="Who orders the rollups' transactions (per chain: [sequencing.chains]).  [default: own]",
)
@click.option(
    "--slot-time", type=float, metavar="SECONDS", help="Shared-sequencer slot.  [default: 2]"
)
@click.option(
    "--ordering",
    type=click.Choice(["fcfs", "priority"]),
    help="Order of bundles in a shared slot.  [default: fcfs]",
)
@click.option(
    "--forced-inclusion-window",
    type=int,
    metavar="L1_BLOCKS",
    help="L1 blocks before a forced transaction must be included.  [default: 10]",
)
def up(config_file: str | None, **options: Any) -> None:
    """Run the devnet: L1 900 on :8545, rollups 901, 902, ... on :9545, :9546, ...,
    admin RPC on :8420 (crossroll.toml < CROSSROLL_* env < flags)."""
    from ..network.network import Network
    from ..network.sources import load_network_config
    from . import STARTED
    from .banner import print_network
    from .serve import flags_of, serve

    keys = {
        "rollups": "rollups.count", "block_time": "block_time", "automine": "automine",
        "host": "host", "l1_port": "l1.port", "l2_starting_port": "rollups.port",
        "admin_port": "admin_port", "virtual_time": "virtual_time",
        "challenge_window": "rollups.challenge_window",
        "submission_interval": "rollups.submission_interval",
        "data_dir": "data_dir", "fsync": "fsync",
        "l1_rpc": "l1.rpc_url", "l1_key": "l1.key", "l1_beacon": "l1.beacon_url", "da": "rollups.da",
        "autorelay": "messaging.autorelay", "relay_delay": "messaging.relay_delay",
        "relay_path": "messaging.relay_path", "dependency_set": "messaging.dependency_set",
        "interop_delay": "messaging.interop_delay",
        "sequencing": "sequencing.mode", "slot_time": "sequencing.slot_time",
        "ordering": "sequencing.ordering",
        "forced_inclusion_window": "sequencing.forced_inclusion_window",
    }  # fmt: skip
    config = load_network_config(flags_of(options, keys), config_file=config_file)
    _print_message_events()
    net = Network(config)
    serve(net, lambda: print_network(net, time.perf_counter() - STARTED))


def _print_message_events() -> None:
    """Print the indexer's message events (SentMessage with its msgHash, RelayedMessage) as
    Supersim prints its ``L2ToL2CrossChainMessenger#...`` lines."""
    import logging

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    events = logging.getLogger("crossroll.messaging.events")
    events.addHandler(handler)
    events.setLevel(logging.INFO)
    events.propagate = False
