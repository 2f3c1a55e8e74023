"""``crossroll messages`` and ``crossroll relay <msgHash>``: cross-rollup messages on a running
devnet, through its admin RPC (``crossroll_getMessages``, ``crossroll_relayMessage``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from ..errors import ConfigError

DEFAULT_ADMIN_URL = "http://127.0.0.1:8420"
STATUSES = ("sent", "batched", "outputProposed", "settled", "relayed", "failed", "reorged")

_admin_url = click.option(
    "--admin-url", default=DEFAULT_ADMIN_URL, show_default=True, help="The devnet's admin RPC."
)
_as_json = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _request(admin_url: str, method: str, params: list[Any]) -> Any:
    from ..rpc.client import HttpClient

    try:
        return HttpClient(admin_url, timeout=30).request(method, params)
    except OSError as exc:
        raise ConfigError(
            f"cannot reach the devnet's admin RPC at {admin_url} ({exc}); is crossroll up running?"
        ) from None


@click.command()
@click.option("--chain", type=int, help="Only messages from or to this rollup.")
@click.option("--status", type=click.Choice(STATUSES), help="Only messages with this status.")
@_admin_url
@_as_json
def messages(chain: int | None, status: str | None, admin_url: str, as_json: bool) -> None:
    """List cross-rollup messages: route, status and when each step happened."""
    query: dict[str, Any] = {}
    if chain is not None:
        query["chainId"] = chain
    if status is not None:
        query["status"] = status
    found = _request(admin_url, "crossroll_getMessages", [query])
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    out = Console(highlight=False, soft_wrap=True)
    if not found:
        out.print("no messages")
        return
    table = Table(show_edge=False)
    for column in ("msgHash", "route", "status"):
        table.add_column(column, no_wrap=True)
    for column in ("sent", "relayed", "path", "tries"):
        table.add_column(column)
    for m in found:
        steps = m["lifecycle"]
        table.add_row(
            m["msgHash"][:10] + "…" + m["msgHash"][-4:],
            f"{m['source']}→{m['destination']} #{m['nonce']}",
            m["status"],
            _time(steps["sent"]),
            _time(steps["relayed"]),
            m["path"] or "",
            str(m["attempts"]),
        )
    out.print(table)


@click.command()
@click.argument("msg_hash", metavar="MSG_HASH")
@click.option("--settled", is_flag=True, help="relaySettledMessage with a Merkle proof.")
@_admin_url
@_as_json
def relay(msg_hash: str, settled: bool, admin_url: str, as_json: bool) -> None:
    """Relay a message to its destination now (fast path unless --settled)."""
    found = _request(admin_url, "crossroll_relayMessage", [msg_hash, {"settled": settled}])
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    click.echo(
        f"relayed {found['msgHash']} to chain {found['destination']} ({found['path']} path) "
        f"in tx {found['relayTransactionHash']}; status {found['status']}"
    )


def _time(step: dict[str, Any] | None) -> str:
    if step is None:
        return ""
    when = datetime.fromtimestamp(step["time"], UTC).strftime("%H:%M:%S")
    block = step.get("blockNumber")
    return when if block is None else f"#{block} {when}"
