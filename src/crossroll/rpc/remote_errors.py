"""JSON-RPC error objects back into the :mod:`crossroll.errors` tree (client side)."""

from __future__ import annotations

from typing import Any

from .. import errors as e
from ..chain.validation import REJECTIONS

# crossroll's own rejections (anvil's wording), recognised exactly.
_EXACT: dict[str, type[e.CrossrollError]] = {
    message: cls for cls, _, message in REJECTIONS.values()
}

_BY_CODE: dict[int, type[e.CrossrollError]] = {
    e.PARSE_ERROR: e.ParseError,
    e.INVALID_REQUEST: e.InvalidRequest,
    e.METHOD_NOT_FOUND: e.MethodNotFound,
    e.INVALID_PARAMS: e.InvalidParams,
    e.EXECUTION_REVERTED: e.ExecutionReverted,
    e.TRANSACTION_REJECTED: e.TransactionRejected,
}

# Other nodes' pool rejections as geth/anvil word them (lowercased substrings).
_BY_MESSAGE: tuple[tuple[str, type[e.CrossrollError]], ...] = (
    ("nonce too low", e.NonceTooLow),
    ("nonce too high", e.NonceTooHigh),
    ("insufficient funds", e.InsufficientFunds),
    ("intrinsic gas too low", e.IntrinsicGasTooLow),
    ("exceeds block gas limit", e.GasLimitExceeded),
    ("already known", e.AlreadyKnown),
    ("invalid chain id", e.WrongChainId),
    ("chain id", e.WrongChainId),
    ("invalid signature", e.InvalidSignature),
    ("invalid sender", e.InvalidSignature),
    ("fee cap", e.FeeCapTooLow),
    ("less than block base fee", e.FeeCapTooLow),
    ("max priority fee per gas higher than max fee per gas", e.FeeCapTooLow),
    ("oversized", e.OversizedTransaction),
    ("transaction type not supported", e.UnsupportedTransactionType),
    ("filter not found", e.FilterNotFound),
)


def error_from_rpc(err: Any) -> e.CrossrollError:
    """The CrossrollError subclass for an ``{"code", "message", "data"}`` object;
    ``.code`` and ``.data`` are kept as the server sent them."""
    if not isinstance(err, dict):
        return e.CrossrollError(f"malformed error object: {err!r}", code=e.INTERNAL_ERROR)
    code = err.get("code")
    message = str(err.get("message", ""))
    data = err.get("data")
    cls: type[e.CrossrollError] = (
        _BY_CODE.get(code, e.CrossrollError) if isinstance(code, int) else e.CrossrollError
    )
    if message in _EXACT:
        cls = _EXACT[message]
    elif code in (e.TRANSACTION_REJECTED, e.SERVER_ERROR):
        lowered = message.lower()
        for needle, candidate in _BY_MESSAGE:
            if needle in lowered:
                cls = candidate
                break
    return cls(message, data=data, code=code if isinstance(code, int) else None)
