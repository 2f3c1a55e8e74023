"""``crossroll status``: each rollup of a running devnet at a glance.

Per rollup: its heads (unsafe, safe, finalized), the last batch on L1 (its L2 blocks, DA
kind, bytes posted and compression), the last output, deposits waiting and withdrawals not
yet finalized; all from the admin RPC (``admin_getChains``, ``crossroll_getRollup``).
"""

from __future__ import annotations

import json
from typing import Any

import click

DEFAULT_ADMIN_URL = "http://127.0.0.1:8420"


@click.command()
@click.option(
    "--admin-url", default=DEFAULT_ADMIN_URL, show_default=True, help="The devnet's admin RPC."
)
@click.option("--chain", "chains", type=int, multiple=True, help="Only these rollups (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(admin_url: str, chains: tuple[int, ...], as_json: bool) -> None:
    """Show each rollup's heads, last batch, last output and pending withdrawals."""
    from ..rpc.client import HttpClient

    admin = HttpClient(admin_url)
    rollups = [c["chainId"] for c in admin.request("admin_getChains") if c["kind"] == "l2"]
    views = [admin.request("crossroll_getRollup", [c]) for c in (chains or rollups)]
    if as_json:
        click.echo(json.dumps(views, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"crossroll rollups ({admin_url})")
    for column in ("rollup", "unsafe", "safe", "finalized", "last batch", "last output",
                   "deposits", "withdrawals"):  # fmt: skip
        table.add_column(column)
    for view in views:
        heads = view["heads"]
        table.add_row(
            str(view["chainId"]),
            str(heads["unsafe"]),
            str(heads["safe"]),
            str(heads["finalized"]),
            _batch(view["lastBatch"], view["da"]),
            _output(view["lastOutput"]),
            str(view["pendingDeposits"]),
            str(len(view["pendingWithdrawals"])),
        )
    Console().print(table)


def _batch(batch: dict[str, Any] | None, da: str) -> str:
    if batch is None:
        return f"none yet ({da})"
    return (
        f"L2 {batch['firstBlock']}-{batch['lastBlock']} in L1 {batch['l1BlockNumber']}, "
        f"{batch['da']}, {batch['postedBytes']} B ({batch['compressionRatio']}x)"
    )


def _output(output: dict[str, Any] | None) -> str:
    if output is None:
        return "none yet"
    return f"#{output['index']} for L2 {output['l2BlockNumber']} in L1 {output['l1BlockNumber']}"
