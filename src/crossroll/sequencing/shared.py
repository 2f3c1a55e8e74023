"""The shared sequencer of one network and what the admin RPC and ``Network`` ask of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast

from ..abc import ChainAPI, SchedulerAPI
from ..chain.chain import Chain
from ..messaging.fastpath import InteropGuard, InteropRules
from ..rollup.sequencer import DepositSequencer
from ..types import Hash32
from .addresses import shared_sequencer_account
from .admission import BundleRequest
from .bundle import BundleRecord
from .commitment import SlotCommitment
from .firm import BatchRecord, Derived, FirmView
from .policy import policy_named
from .realign import Posted
from .rpc import bundle_json
from .sequencer import SharedSequencer


class SharedSequencing:
    """A :class:`SharedSequencer` with its firm view, behind one small API."""

    def __init__(self, sequencer: SharedSequencer, firm: FirmView) -> None:
        self.sequencer, self.firm = sequencer, firm

    @classmethod
    def build(
        cls,
        members: Mapping[int, ChainAPI],
        sequencers: Mapping[int, DepositSequencer],
        scheduler: SchedulerAPI,
        *,
        guards: Mapping[int, InteropGuard],
        slot_time: float,
        ordering: str,
        mnemonic: str,
        derived: Mapping[int, Derived],
        batch: BatchRecord | None = None,
        posted: Mapping[int, Posted] | None = None,
    ) -> SharedSequencing:
        """The shared sequencer over ``members`` (their deposit sequencers, guards,
        derivations and highest posted blocks by chain id) with the key of ``mnemonic``'s
        shared-sequencer account."""
        some = next(iter(guards.values()), None)
        sequencer = SharedSequencer(
            {cid: cast(Chain, chain) for cid, chain in members.items()},  # builds blocks
            {cid: sequencers[cid] for cid in members},
            scheduler,
            key=shared_sequencer_account(mnemonic),
            slot_time=slot_time,
            guards={cid: guards[cid] for cid in members if cid in guards},
            rules=some.rules if some is not None else InteropRules(),
            policy=policy_named(ordering),
            posted={cid: posted[cid] for cid in members if cid in posted} if posted else None,
        )
        return cls(sequencer, FirmView({cid: derived[cid] for cid in members}, batch))

    # ------------------------------------------------------------- bundles
    def send(self, request: BundleRequest) -> Hash32:
        return self.sequencer.send(request).hash

    def send_bundle(
        self,
        legs: Sequence[tuple[int, bytes]],
        reverting: Sequence[Hash32] = (),
        min_timestamp: int | None = None,
        max_timestamp: int | None = None,
    ) -> Hash32:
        return self.send(BundleRequest(tuple(legs), tuple(reverting), min_timestamp, max_timestamp))

    def bundle(self, bundle_hash: Hash32) -> BundleRecord:
        return self.sequencer.bundle(bundle_hash)

    def bundle_json(self, bundle_hash: Hash32) -> dict[str, Any]:
        return bundle_json(self.sequencer, self.sequencer.bundle(bundle_hash))

    # --------------------------------------------------------------- slots
    def slot(self, number: int | Literal["latest"]) -> SlotCommitment:
        return self.sequencer.slot(number)

    def slot_json(self, number: int | Literal["latest"]) -> dict[str, Any]:
        commitment = self.sequencer.slot(number)
        return {**commitment.to_json(), "firm": self.firm.of(commitment)}

    def to_json(self) -> dict[str, Any]:
        """The shared sequencer's part of ``crossroll_getSequencing``."""
        s = self.sequencer
        return {
            "members": list(s.members),
            "softSlot": s.soft_slot(),
            "firmSlot": self.firm.firm_slot(s.slots),
            "signer": "0x" + s.ctx.key.address.hex(),
            "aligned": s.aligned(),
            "nextSlotTimestamp": s.next_slot_timestamp(),
            "pendingBundles": len(s.pending),
        }
