"""The ``crossroll`` command: a click group whose subcommands load on first use."""

from __future__ import annotations

import difflib
import importlib
from typing import Any

import click

from .. import __version__
from ..errors import CrossrollError

#: name -> ("module:attribute", one-line help shown by ``crossroll --help``)
COMMANDS = {
    "node": ("crossroll.cli.node:node", "Run one anvil-like chain (a drop-in for anvil)."),
    "up": ("crossroll.cli.up:up", "Run the devnet: an L1 and its rollups."),
    "status": (
        "crossroll.cli.status:status",
        "Show each rollup's heads, last batch, last output and pending withdrawals.",
    ),
    "withdraw": (
        "crossroll.cli.withdraw:withdraw",
        "Show, prove or finalize a withdrawal from a rollup to the L1.",
    ),
    "messages": (
        "crossroll.cli.messages:messages",
        "List cross-rollup messages with their status and lifecycle.",
    ),
    "relay": (
        "crossroll.cli.messages:relay",
        "Relay a cross-rollup message to its destination now.",
    ),
}


class LazyGroup(click.Group):
    """Imports a subcommand only when it runs, suggests names for typos and turns
    crossroll's errors into a one-line ``Error: ...``."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            module, _, attr = COMMANDS[cmd_name][0].partition(":")
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Help text without importing every subcommand.
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1, cutoff=0.5)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise click.UsageError(f"No such command '{name}'.{hint}", ctx)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CrossrollError as exc:
            raise click.ClickException(exc.message) from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="crossroll")
def cli() -> None:
    """crossroll: a local devnet for rollup interoperability."""


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="crossroll")


if __name__ == "__main__":
    main()
