"""Soft commitments: the shared sequencer's signed word on what each slot holds.

A slot's commitment is ``(slot, timestamp, blocks, bundles)``, ``blocks`` the
``(chainId, number, hash)`` of every shared rollup's block, ``bundles`` the hashes of the
bundles included, signed with the shared sequencer's key over
``keccak(rlp([slot, timestamp, [[chainId, number, hash], …], [bundleHash, …]]))``
(secp256k1, 65 bytes ``r ‖ s ‖ v`` with v 0 or 1; anyone recovers the signer from it).
It is available as soon as the slot is built; the slot is *firm* once its data is on the L1
and each rollup's derivation produced the same blocks (docs/sequencing.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import rlp
from coincurve import PrivateKey, PublicKey
from eth_hash.auto import keccak

from ..types import Address, Hash32


@dataclass(frozen=True, slots=True)
class SlotCommitment:
    """One slot as the shared sequencer built and signed it."""

    slot: int
    timestamp: int
    blocks: tuple[tuple[int, int, Hash32], ...]  # (chainId, number, hash), by chain id
    bundles: tuple[Hash32, ...]  # included, in the order they were applied
    signature: bytes = field(default=b"", compare=False)

    def digest(self) -> Hash32:
        """What the signature signs (module notes)."""
        blocks = [[cid, number, h] for cid, number, h in self.blocks]
        return keccak(rlp.encode([self.slot, self.timestamp, blocks, list(self.bundles)]))

    def signed(self, private_key: bytes) -> SlotCommitment:
        raw = PrivateKey(private_key).sign_recoverable(self.digest(), hasher=None)
        return SlotCommitment(self.slot, self.timestamp, self.blocks, self.bundles, raw)

    def signer(self) -> Address:
        """The address that signed it (raises ValueError for a malformed signature)."""
        public = PublicKey.from_signature_and_message(self.signature, self.digest(), hasher=None)
        return keccak(public.format(compressed=False)[1:])[-20:]

    def block_of(self, chain_id: int) -> tuple[int, Hash32] | None:
        for cid, number, h in self.blocks:
            if cid == chain_id:
                return number, h
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "slot": self.slot,
            "timestamp": self.timestamp,
            "blocks": [
                {"chainId": cid, "number": number, "hash": "0x" + h.hex()}
                for cid, number, h in self.blocks
            ],
            "bundles": ["0x" + h.hex() for h in self.bundles],
            "signer": "0x" + self.signer().hex(),
            "signature": "0x" + self.signature.hex(),
        }
