"""``crossroll withdraw status|prove|finalize <l2TxHash>``: a withdrawal on a running devnet.

Endpoints and contract addresses come from the devnet's admin RPC (``admin_getConfig``); the
work is :class:`crossroll.rollup.withdrawals.Withdrawals` over HTTP clients, so the L1 sees
ordinary signed transactions, as from any wallet.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click

from ..errors import ConfigError

DEFAULT_ADMIN_URL = "http://127.0.0.1:8420"


def _options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.argument("l2_tx_hash", metavar="L2_TX_HASH"),
            click.option("--chain", type=int, help="Rollup chain id.  [default: the one with the tx]"),
            click.option("--index", type=int, default=0, show_default=True,
                         help="Which withdrawal of the transaction."),
            click.option("--admin-url", default=DEFAULT_ADMIN_URL, show_default=True,
                         help="The devnet's admin RPC."),
            click.option("--json", "as_json", is_flag=True, help="Print JSON."),
        ]
    ):  # fmt: skip
        command = option(command)
    return command


def _key_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--private-key", help="L1 signer's key (0x...).  [default: dev account 0]")(
        command
    )


@click.group()
def withdraw() -> None:
    """Show, prove or finalize a withdrawal from a rollup to the L1."""


@withdraw.command()
@_options
def status(l2_tx_hash: str, chain: int | None, index: int, admin_url: str, as_json: bool) -> None:
    """Where a withdrawal stands: each stage, its block and time."""
    withdrawals, tx, _ = _connect(admin_url, l2_tx_hash, chain)
    _print_status(withdrawals.status(tx, index), as_json)


@withdraw.command()
@_options
@_key_option
def prove(l2_tx_hash: str, private_key: str | None, **options: Any) -> None:
    """Prove a withdrawal on the L1 against its output."""
    _act("prove", l2_tx_hash, private_key, **options)


@withdraw.command()
@_options
@_key_option
def finalize(l2_tx_hash: str, private_key: str | None, **options: Any) -> None:
    """Finalize a proven withdrawal after its challenge window."""
    _act("finalize", l2_tx_hash, private_key, **options)


def _act(
    action: str,
    l2_tx_hash: str,
    private_key: str | None,
    *,
    chain: int | None,
    index: int,
    admin_url: str,
    as_json: bool,
) -> None:
    withdrawals, tx, config = _connect(admin_url, l2_tx_hash, chain)
    account = _account(private_key or config["accounts"][0]["privateKey"])
    receipt = getattr(withdrawals, action)(tx, account, index)
    after = withdrawals.status(tx, index)
    if as_json:
        out = {
            "transactionHash": "0x" + receipt.transaction_hash.hex(),
            "l1Block": receipt.block_number,
        }
        click.echo(json.dumps({**out, "withdrawal": after.to_json()}, indent=2))
        return
    done = "proven" if action == "prove" else "finalized"
    line = (
        f"{done} withdrawal 0x{after.withdrawal.hash.hex()} in L1 block {receipt.block_number} "
        f"(tx 0x{receipt.transaction_hash.hex()})"
    )
    if action == "prove":
        line += f"; finalizable at {_time(after.finalizable_at)}"
    elif after.success is False:
        line += "; the portal's call to the target FAILED: the ETH stays in the portal"
    click.echo(line)


def _connect(admin_url: str, l2_tx_hash: str, chain: int | None) -> tuple[Any, bytes, Any]:
    """The withdrawals library over the devnet's endpoints, the tx hash and the config."""
    from ..rollup.addresses import RollupAddresses
    from ..rollup.withdrawals import Withdrawals, locate, parse_tx_hash
    from ..rpc.client import HttpClient

    tx = parse_tx_hash(l2_tx_hash)
    try:
        config = HttpClient(admin_url, timeout=10).request("admin_getConfig")
    except OSError as exc:
        raise ConfigError(
            f"cannot reach the devnet's admin RPC at {admin_url} ({exc}); is crossroll up running?"
        ) from None
    urls = {c["chainId"]: c["rpcUrl"] for c in config["chains"]}
    rollups = {c["chainId"]: HttpClient(c["rpcUrl"]) for c in config["chains"] if c["kind"] == "l2"}
    if chain is None:
        chain = locate(rollups, tx)
    found = (config.get("l1Addresses") or {}).get("rollups", {}).get(str(chain))
    if found is None or chain not in rollups:
        raise ConfigError(
            f"no rollup {chain} on this devnet (rollups: {', '.join(map(str, rollups))})"
        )
    where = RollupAddresses(
        chain_id=chain,
        l2_output_oracle=bytes.fromhex(found["L2OutputOracle"][2:]),
        optimism_portal=bytes.fromhex(found["OptimismPortal"][2:]),
        l1_standard_bridge=bytes.fromhex(found["L1StandardBridge"][2:]),
        batch_inbox=bytes.fromhex(found["BatchInbox"][2:]),
    )
    l1_id = config["l1Addresses"]["l1ChainId"]
    return Withdrawals(HttpClient(urls[l1_id]), rollups[chain], where), tx, config


def _account(private_key: str) -> Any:
    from coincurve import PrivateKey
    from eth_hash.auto import keccak

    from ..types import DevAccount

    try:
        key = bytes.fromhex(private_key.removeprefix("0x"))
        public = PrivateKey(key).public_key.format(compressed=False)[1:]
    except ValueError:
        raise ConfigError("--private-key: want 32 bytes of hex") from None
    return DevAccount(address=keccak(public)[12:], private_key=key)


def _time(timestamp: int | None) -> str:
    if timestamp is None:
        return "-"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _print_status(status: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(status.to_json(), indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    from ..rollup.addresses import checksum
    from ..rollup.withdrawals import Stage

    w = status.withdrawal
    out = Console(highlight=False, soft_wrap=True)
    out.print(
        f"withdrawal 0x{w.hash.hex()} on chain {w.chain_id}: {w.value / 10**18:g} ETH "
        f"to {checksum(w.target)}; status [bold]{status.stage.value}[/bold]"
    )
    table = Table(show_edge=False)
    for column in ("stage", "reached", "L1 block", "L2 block", "time (UTC)"):
        table.add_column(column)
    for stage in Stage:
        step = status.step(stage)
        if step is None and not (stage is Stage.FINALIZABLE and status.finalizable_at):
            table.add_row(stage.value, "no", "", "", "")
            continue
        if step is None:  # proven, window still open: say when
            table.add_row(stage.value, "no", "", "", f"at {_time(status.finalizable_at)}")
            continue
        blocks = ("" if n is None else str(n) for n in (step.l1_block, step.l2_block))
        when = "" if step.timestamp is None else _time(step.timestamp)
        table.add_row(stage.value, "yes", *blocks, when)
    out.print(table)
