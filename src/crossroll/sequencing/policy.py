"""Ordering policies: which bundle the shared sequencer tries first in a slot.

Bundles are tried one after the other on the slot's running state, so the order decides
who wins a conflict (two bundles spending the same nonce or the same liquidity).

A commit-reveal (encrypted) mempool plugs in here: bundles arrive encrypted, the policy
orders the ciphertexts (by arrival, or by a fee committed in clear), the sequencer commits
to that order (signs it, as it signs slots), and only then a reveal step (a key release,
threshold decryption) turns them into the bundles the slot executes in the committed order.
Nothing of that is built (docs/sequencing.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..abc import OrderingPolicyAPI
from ..errors import ConfigError
from .bundle import Bundle


class FirstComeFirstServed(OrderingPolicyAPI):
    """Arrival order (the default)."""

    name = "fcfs"

    def order(self, bundles: Sequence[Bundle], base_fees: Mapping[int, int]) -> list[Bundle]:
        return sorted(bundles, key=lambda b: b.seq)


class PriorityFee(OrderingPolicyAPI):
    """Highest gas-weighted effective priority fee of the legs first, ties by arrival."""

    name = "priority"

    def order(self, bundles: Sequence[Bundle], base_fees: Mapping[int, int]) -> list[Bundle]:
        return sorted(bundles, key=lambda b: (-priority_fee(b, base_fees), b.seq))


def priority_fee(bundle: Bundle, base_fees: Mapping[int, int]) -> float:
    """Wei per gas the legs pay their block producers beyond the base fee, weighted by
    each leg's gas limit: ``Σ gas·min(tip, feeCap - baseFee) / Σ gas``."""
    weighted = total = 0
    for leg in bundle.legs:
        tx = leg.tx
        tip = max(min(tx.tip_cap, tx.fee_cap - base_fees.get(leg.chain_id, 0)), 0)
        weighted += tx.gas * tip
        total += tx.gas
    return weighted / total if total else 0.0


POLICIES: dict[str, type[OrderingPolicyAPI]] = {
    FirstComeFirstServed.name: FirstComeFirstServed,
    PriorityFee.name: PriorityFee,
}


def policy_named(name: str) -> OrderingPolicyAPI:
    cls = POLICIES.get(name)
    if cls is None:
        raise ConfigError(f"unknown ordering {name!r}; one of {sorted(POLICIES)}")
    return cls()
