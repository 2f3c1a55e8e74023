"""Gas estimation: the smallest gas limit with which a message succeeds."""

from __future__ import annotations

from collections.abc import Callable

from ..types import CallResult
from .revert import call_error

#: geth's optimistic first guess: gas used plus the call stipend, times 64/63.
CALL_STIPEND = 2_300


def estimate_gas(run: Callable[[int], CallResult], cap: int) -> int:
    """Binary search over ``run(gas)`` between the gas used at ``cap`` and ``cap``.

    Raises the call's error (ExecutionReverted, EVM error ...) when even ``cap``
    fails, as geth and anvil do.
    """
    first = run(cap)
    if not first.success:
        raise call_error(first)
    lo, hi = first.gas_used - 1, cap
    optimistic = min((first.gas_used + CALL_STIPEND) * 64 // 63, hi)
    if optimistic < hi and run(optimistic).success:
        hi = optimistic
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if run(mid).success:
            hi = mid
        else:
            lo = mid
    return hi
