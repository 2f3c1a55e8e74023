"""The admin server (:8420): ``GET /ready`` and the ``admin_*`` JSON-RPC namespace.

It knows nothing about chains: the ``admin_*`` methods are declared below as a
:class:`~crossroll.rpc.dispatch.MethodTable` over an :class:`AdminContext` (the
network), and the rpc :class:`~crossroll.rpc.dispatch.Dispatcher` answers them
with the same JSON-RPC envelopes, batches and error objects as every chain.
"""

from __future__ import annotations

import math
import string
import threading
from collections.abc import Sequence
from typing import Any, Protocol

from aiohttp import web

from ..abc import SchedulerAPI, ServiceAPI
from ..errors import CrossrollError, InvalidParams, UnknownBlock
from ..l1.blobs import BlobsPruned, BlobsUnknown, beacon_block_ref
from ..rpc.codec import decode_block_number, decode_hash
from ..rpc.dispatch import Dispatcher, MethodTable, opt
from ..types import BlockRef
from .config import NetworkConfig
from .messaging import add_methods as add_messaging_methods
from .sequencing import add_methods as add_sequencing_methods


class AdminContext(Protocol):
    """What the admin methods see (a :class:`~crossroll.network.Network`)."""

    @property
    def ready(self) -> bool: ...

    def describe(self) -> dict[str, Any]: ...

    def chain_infos(self) -> list[dict[str, Any]]: ...

    def l1_addresses_json(self, chain_id: int | None = None) -> dict[str, Any]: ...

    def advance(self, seconds: float) -> int: ...

    @property
    def config(self) -> NetworkConfig: ...

    @property
    def scheduler(self) -> SchedulerAPI: ...

    def rollup_json(self, chain_id: int) -> dict[str, Any]: ...

    def withdrawal_json(
        self, l2_tx_hash: bytes, chain_id: int | None = None, index: int = 0
    ) -> dict[str, Any]: ...

    def blob_sidecars(self, ref: BlockRef) -> list[dict[str, Any]]: ...

    def beacon_blob_sidecars(
        self, ref: BlockRef, indices: Sequence[int] | None = None
    ) -> dict[str, Any]: ...

    @property
    def messaging(self) -> Any: ...

    @property
    def sequencing(self) -> Any: ...


def decode_seconds(value: Any) -> float:
    """A number of seconds, finite and >= 0: a JSON number or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidParams(f"want a number of seconds, got {value!r:.40}")
    try:
        seconds = float(value)
    except ValueError:
        raise InvalidParams(f"want a number of seconds, got {value!r:.40}") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise InvalidParams(f"want a finite number of seconds >= 0, got {value!r:.40}")
    return seconds


def advance_time(ctx: AdminContext, seconds: float) -> dict[str, int]:
    """``crossroll_advanceTime``: the actions that fired and the clock time after them."""
    fired = ctx.advance(seconds)
    return {"fired": fired, "timestamp": int(ctx.scheduler.now())}


def describe(ctx: AdminContext) -> dict[str, Any]:
    """``admin_getConfig``: the network's description and the rollups' settlement settings."""
    rollups = ctx.config.rollups
    return {
        **ctx.describe(),
        "challengeWindow": rollups.challenge_window,
        "submissionInterval": rollups.submission_interval,
    }


def decode_count(value: Any) -> int:
    """A chain id or an index: a JSON integer or a decimal or 0x-hex string."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        base = 16 if value.startswith("0x") else 10
        digits = value[2:] if base == 16 else value
        allowed = string.hexdigits if base == 16 else string.digits
        if digits and all(c in allowed for c in digits):
            return int(digits, base)
    raise InvalidParams(f"want a non-negative integer, got {value!r:.40}")


def admin_table() -> MethodTable:
    table = MethodTable()
    table.add("admin_getConfig", describe)
    table.add("admin_getChains", lambda ctx: ctx.chain_infos())
    table.add("admin_ready", lambda ctx: ctx.ready)
    # The rollups' settlement contracts on the L1 (registry; per rollup oracle, portal, bridge).
    # With a rollup's chain id (as Supersim's takes it): that rollup's, Supersim's names too.
    table.add(
        "admin_getL1Addresses",
        lambda ctx, chain_id: ctx.l1_addresses_json(chain_id),
        [opt(decode_count)],
    )
    # Virtual time only (a wall-clock network answers -32000): {fired, timestamp}.
    table.add("crossroll_advanceTime", advance_time, [decode_seconds])
    # The older name: answers only how many actions fired.
    table.add("admin_advanceTime", lambda ctx, seconds: ctx.advance(seconds), [decode_seconds])
    # A withdrawal's lifecycle from its L2 transaction (docs/withdrawals.md).
    table.add(
        "crossroll_getWithdrawal",
        lambda ctx, tx, chain_id, index: ctx.withdrawal_json(tx, chain_id, index),
        [decode_hash, opt(decode_count), opt(decode_count, 0)],
    )
    # A rollup's heads, last batch and output, derivation counters (docs/rollups.md).
    table.add(
        "crossroll_getRollup", lambda ctx, chain_id: ctx.rollup_json(chain_id), [decode_count]
    )
    # L1 blob sidecars: [{index, blob, kzgCommitment, kzgProof, versionedHash}] (hex).
    table.add(
        "crossroll_getBlobSidecars",
        lambda ctx, ref: ctx.blob_sidecars(ref),
        [decode_block_number],
    )
    # Cross-rollup messages: status, relay, Supersim's access-list helpers (docs/messaging.md).
    add_messaging_methods(table)
    add_sequencing_methods(table)
    return table


def decode_indices(values: Sequence[str]) -> list[int] | None:
    """The beacon API's ``indices`` query: repeated and/or comma-separated decimals."""
    if not values:
        return None
    out = []
    for value in values:
        for part in value.split(","):
            if not part.strip().isdigit():
                raise InvalidParams(f"invalid blob index {part[:20]!r}")
            out.append(int(part))
    return out


class AdminServer(ServiceAPI):
    name = "admin"

    def __init__(
        self,
        context: AdminContext,
        *,
        host: str = "127.0.0.1",
        port: int = 8420,
        lock: threading.RLock | None = None,
    ) -> None:
        self.context = context
        self.dispatcher = Dispatcher(
            admin_table(),
            context,
            lock,
            unknown_method="the method {method} does not exist/is not available",
        )
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/ready", self._ready)
        app.router.add_post("/", self._rpc)
        app.router.add_get("/eth/v1/beacon/blob_sidecars/{block_id}", self._blob_sidecars)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except OSError as exc:
            await self.stop()
            raise CrossrollError(
                f"admin server cannot listen on {self.host}:{self.port}: {exc.strerror or exc}"
            ) from None
        if self.port == 0:
            self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # -- handlers
    async def _ready(self, request: web.Request) -> web.Response:
        if self.context.ready:
            return web.Response(text="OK")
        return web.Response(status=503, text="starting")

    async def _rpc(self, request: web.Request) -> web.Response:
        body = self.dispatcher.handle_bytes(await request.read())
        return web.Response(body=body or b"", content_type="application/json")

    async def _blob_sidecars(self, request: web.Request) -> web.Response:
        """The beacon API's blob sidecars of one L1 block; errors as the beacon API
        shapes them (``{"code", "message"}``): 400 for a malformed block id or index,
        404 for an unknown block and for pruned sidecars (the message says which)."""
        try:
            ref = beacon_block_ref(request.match_info["block_id"])
            indices = decode_indices(request.query.getall("indices", []))
            with self.dispatcher.lock:
                body = self.context.beacon_blob_sidecars(ref, indices)
        except InvalidParams as exc:
            return _beacon_error(400, exc.message)
        except (BlobsPruned, BlobsUnknown, UnknownBlock) as exc:
            return _beacon_error(404, exc.message)
        except CrossrollError as exc:
            return _beacon_error(500, exc.message)
        return web.json_response(body)


def _beacon_error(status: int, message: str) -> web.Response:
    return web.json_response({"code": status, "message": message}, status=status)
