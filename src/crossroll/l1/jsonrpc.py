"""The JSON edge of an external L1: a client whose transport failures are crossroll errors,
and JSON blocks and logs turned into :mod:`crossroll.types` values."""

from __future__ import annotations

import http.client
from collections.abc import Sequence
from typing import Any

from ..abc import ClientAPI
from ..errors import INTERNAL_ERROR, CrossrollError, L1Unavailable
from ..types import L1BlockInfo, Log, LogFilter
from .blobs import blob_base_fee

#: What a transport raises when the node is down, slow, or not a JSON-RPC server.
TRANSPORT_ERRORS = (OSError, http.client.HTTPException)


def quantity(value: Any) -> int:
    return value if isinstance(value, int) else int(value, 16)


def data(value: str | None) -> bytes:
    return bytes.fromhex(value[2:]) if value else b""


def hexstr(value: bytes) -> str:
    return "0x" + value.hex()


def describe(exc: BaseException) -> str:
    """One line for a transport failure (``Connection refused``, ``timed out``)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


class L1Client(ClientAPI):
    """``inner`` with transport failures raised as :class:`L1Unavailable` naming the node,
    so the services that catch crossroll errors retry instead of dying."""

    def __init__(self, inner: ClientAPI, url: str) -> None:
        self.inner = inner
        self.url = url

    def request(self, method: str, params: Sequence[Any] | None = None) -> Any:
        try:
            return self.inner.request(method, params)
        except TRANSPORT_ERRORS as exc:
            raise self._unavailable(exc) from None
        except CrossrollError as exc:
            raise self._translated(exc) from None

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        try:
            return self.inner.batch(calls)
        except TRANSPORT_ERRORS as exc:
            raise self._unavailable(exc) from None
        except CrossrollError as exc:
            raise self._translated(exc) from None

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()

    def _unavailable(self, exc: BaseException) -> L1Unavailable:
        return L1Unavailable(f"L1 node {self.url} did not answer: {describe(exc)}")

    def _translated(self, exc: CrossrollError) -> CrossrollError:
        # HttpClient's own failures (an HTTP error page, a body that is not JSON) are plain
        # CrossrollErrors with the internal-error code and no JSON-RPC error behind them.
        own = type(exc) is CrossrollError and exc.code == INTERNAL_ERROR and exc.data is None
        if own and exc.message.startswith(("HTTP ", "unexpected")):
            return L1Unavailable(f"L1 node {self.url}: {exc.message}")
        return exc


def parse_info(block: dict[str, Any]) -> L1BlockInfo:
    """An ``eth_getBlockByNumber`` object as :class:`L1BlockInfo`."""
    return L1BlockInfo(
        number=quantity(block["number"]),
        hash=data(block["hash"]),
        parent_hash=data(block["parentHash"]),
        timestamp=quantity(block["timestamp"]),
        base_fee=quantity(block.get("baseFeePerGas") or 0),
        # Cancun's rule; a node on a later fork may price blobs differently.
        blob_base_fee=blob_base_fee(quantity(block.get("excessBlobGas") or 0)),
    )


def parse_log(entry: dict[str, Any]) -> Log:
    return Log(
        address=data(entry["address"]),
        topics=tuple(data(t) for t in entry["topics"]),
        data=data(entry["data"]),
        block_number=quantity(entry["blockNumber"]),
        block_hash=data(entry["blockHash"]),
        transaction_hash=data(entry["transactionHash"]),
        transaction_index=quantity(entry["transactionIndex"]),
        log_index=quantity(entry["logIndex"]),
        removed=bool(entry.get("removed", False)),
    )


def log_filter_json(flt: LogFilter) -> dict[str, Any]:
    """``eth_getLogs``'s filter object for ``flt``."""
    out: dict[str, Any]
    if flt.block_hash is not None:
        out = {"blockHash": hexstr(flt.block_hash)}
    else:
        out = {"fromBlock": hex(flt.from_block), "toBlock": hex(flt.to_block)}
    if flt.addresses:
        out["address"] = [hexstr(a) for a in flt.addresses]
    if flt.topics:
        out["topics"] = [None if t is None else [hexstr(x) for x in t] for t in flt.topics]
    return out
