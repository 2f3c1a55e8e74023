"""Rollup node services and the L1 settlement they drive (DESIGN.md §3.4).

- :mod:`.config`: a rollup's frozen settlement configuration and role accounts;
- :mod:`.deploy`: the L1 contracts of a set of rollups (:class:`L1Addresses`);
- :mod:`.output`: OP's v0 output root of an L2 block;
- :mod:`.proposer`: the service posting output roots to the L1 oracle;
- :mod:`.sequencer`: the service putting the portal's deposits first into L2 blocks.
"""

from __future__ import annotations

from .addresses import L1Addresses, RollupAddresses
from .config import (
    Role,
    RollupConfig,
    batch_inbox,
    deployer_account,
    genesis_alloc,
    role_account,
)
from .deploy import deploy_rollups, planned_addresses
from .output import Output, output_at, output_root
from .proposer import Proposal, Proposer
from .sequencer import DepositSequencer

__all__ = [
    "DepositSequencer",
    "L1Addresses",
    "Output",
    "Proposal",
    "Proposer",
    "Role",
    "RollupAddresses",
    "RollupConfig",
    "batch_inbox",
    "deploy_rollups",
    "deployer_account",
    "genesis_alloc",
    "output_at",
    "output_root",
    "planned_addresses",
    "role_account",
]
