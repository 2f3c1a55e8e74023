"""Where the settlement contracts of a devnet live on its L1 (``admin_getL1Addresses``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from rlp import encode as rlp_encode

from ..errors import ConfigError
from ..types import Address


def create_address(sender: Address, nonce: int) -> Address:
    """The address CREATE gives the contract ``sender`` deploys with ``nonce``."""
    return keccak(rlp_encode([sender, nonce]))[12:]


def checksum(address: Address) -> str:
    return str(to_checksum_address(address))


@dataclass(frozen=True, slots=True)
class RollupAddresses:
    """One rollup's L1 contracts and its batch inbox."""

    chain_id: int
    l2_output_oracle: Address
    optimism_portal: Address
    l1_standard_bridge: Address
    batch_inbox: Address

    def to_json(self) -> dict[str, Any]:
        named = {
            "L2OutputOracle": self.l2_output_oracle,
            "OptimismPortal": self.optimism_portal,
            "L1StandardBridge": self.l1_standard_bridge,
            "BatchInbox": self.batch_inbox,
        }
        return {"chainId": self.chain_id} | {k: checksum(v) for k, v in named.items()}


@dataclass(frozen=True, slots=True)
class L1Addresses:
    """The registry, every rollup's contracts (rollups in chain-id order), the settled
    path's hub and the forced-inclusion queue every rollup shares."""

    l1_chain_id: int
    rollup_registry: Address
    rollups: tuple[RollupAddresses, ...]
    settlement_hub: Address
    forced_inclusion_queue: Address

    def rollup(self, chain_id: int) -> RollupAddresses:
        for entry in self.rollups:
            if entry.chain_id == chain_id:
                return entry
        known = ", ".join(str(r.chain_id) for r in self.rollups)
        raise ConfigError(f"no L1 contracts for chain {chain_id} (rollups: {known})")

    def to_json(self) -> dict[str, Any]:
        return {
            "l1ChainId": self.l1_chain_id,
            "RollupRegistry": checksum(self.rollup_registry),
            "SettlementHub": checksum(self.settlement_hub),
            "ForcedInclusionQueue": checksum(self.forced_inclusion_queue),
            "rollups": {str(r.chain_id): r.to_json() for r in self.rollups},
        }
