"""Bundles: transactions for several shared rollups that land together or not at all.

A bundle's hash is ``keccak(chainId_1 ‖ txHash_1 ‖ … ‖ chainId_n ‖ txHash_n)``, each chain id
as 32 bytes big-endian, legs in the order given: the same legs in the same order are the
same bundle, whatever the other fields say (geth/Flashbots bundles hash their transactions
the same way, without the chain ids a cross-rollup bundle needs).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from eth_hash.auto import keccak

from ..types import Hash32, Transaction

#: Most legs one bundle may hold.
MAX_LEGS = 16


@dataclass(frozen=True, slots=True)
class Leg:
    """One transaction of a bundle and the rollup it is for."""

    chain_id: int
    tx: Transaction


def bundle_hash(legs: tuple[tuple[int, Hash32], ...]) -> Hash32:
    """The hash of a bundle with legs ``(chainId, txHash)``, in order (module notes)."""
    return keccak(b"".join(cid.to_bytes(32, "big") + h for cid, h in legs))


@dataclass(frozen=True, slots=True)
class Bundle:
    """A bundle as the shared sequencer accepted it."""

    hash: Hash32
    legs: tuple[Leg, ...]
    #: Legs allowed to revert without dropping the bundle (by transaction hash).
    reverting: frozenset[Hash32] = frozenset()
    #: The bundle waits for a slot at or after this timestamp (None: any).
    min_timestamp: int | None = None
    #: The bundle is dropped as expired if no slot at or before this timestamp took it.
    max_timestamp: int | None = None
    received_at: float = 0.0  # the clock's time when it arrived
    seq: int = 0  # arrival order (first come, first served)


class BundleStatus(StrEnum):
    PENDING = "pending"
    INCLUDED = "included"
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class LegPlace:
    """Where an included leg landed."""

    chain_id: int
    tx_hash: Hash32
    block_number: int
    block_hash: Hash32


@dataclass(frozen=True, slots=True)
class InSlotRelay:
    """A relay the shared sequencer added to a slot for a message between a bundle's legs."""

    chain_id: int  # the destination, where the relay runs
    tx_hash: Hash32
    msg_hash: Hash32
    block_number: int


@dataclass(frozen=True, slots=True)
class BundleRecord:
    """A bundle and what became of it; changed only by :meth:`included` / :meth:`dropped`."""

    bundle: Bundle
    status: BundleStatus = BundleStatus.PENDING
    reason: str | None = None  # why it was dropped
    slot: int | None = None  # the slot that included it (or dropped it)
    legs: tuple[LegPlace, ...] = ()
    relays: tuple[InSlotRelay, ...] = ()

    @property
    def hash(self) -> Hash32:
        return self.bundle.hash

    def included(
        self, slot: int, legs: tuple[LegPlace, ...], relays: tuple[InSlotRelay, ...]
    ) -> BundleRecord:
        return dataclasses.replace(
            self, status=BundleStatus.INCLUDED, slot=slot, legs=legs, relays=relays
        )

    def dropped(self, slot: int | None, reason: str) -> BundleRecord:
        return dataclasses.replace(self, status=BundleStatus.DROPPED, slot=slot, reason=reason)

    def to_json(self) -> dict[str, Any]:
        """``crossroll_getBundle`` without the receipts (the RPC layer adds them)."""
        places = {p.tx_hash: p for p in self.legs}
        return {
            "hash": "0x" + self.hash.hex(),
            "status": self.status.value,
            "reason": self.reason,
            "slot": self.slot,
            "receivedAt": self.bundle.received_at,
            "legs": [_leg_json(leg, places.get(leg.tx.hash)) for leg in self.bundle.legs],
            "relays": [
                {
                    "chainId": r.chain_id,
                    "txHash": "0x" + r.tx_hash.hex(),
                    "msgHash": "0x" + r.msg_hash.hex(),
                    "blockNumber": r.block_number,
                }
                for r in self.relays
            ],
        }


def _leg_json(leg: Leg, place: LegPlace | None) -> dict[str, Any]:
    return {
        "chainId": leg.chain_id,
        "txHash": "0x" + leg.tx.hash.hex(),
        "blockNumber": None if place is None else place.block_number,
        "blockHash": None if place is None else "0x" + place.block_hash.hex(),
    }
