"""Rollup node services and the L1 settlement they drive (DESIGN.md §3.4).

- :mod:`.config`: a rollup's frozen settlement configuration and role accounts;
- :mod:`.deploy`: the L1 contracts of a set of rollups (:class:`L1Addresses`);
- :mod:`.output`: OP's v0 output root of an L2 block;
- :mod:`.proposer`: the service posting output roots to the L1 oracle;
- :mod:`.l1info`: the L1-attributes deposit (OP's ``L1Block`` Ecotone calldata);
- :mod:`.origin`: what each L2 block consumed of the L1, and its deposit prefix;
- :mod:`.sequencer`: the service putting the L1-info and portal deposits first into L2 blocks;
- :mod:`.forced`: forced inclusion from the L1 queue (the rule); :mod:`.forcedwatch` offers
  queued transactions to the pool and reports their status;
- :mod:`.based`, :mod:`.basedgateway`: a based rollup's blocks built from L1 blocks and the
  posts anyone makes to its L1 inbox, and the gateway posting its endpoint's transactions;
- :mod:`.withdrawals`: a withdrawal's lifecycle, proven and finalized over JSON-RPC
  (import it from there: ``crossroll up`` does not need it at start-up).
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
from .forced import ForcedInclusion
from .l1info import L1Info
from .origin import BlockOrigin, block_deposits, genesis_origin
from .output import Output, output_at, output_root
from .proposer import Proposal, Proposer
from .sequencer import DepositSequencer

__all__ = [
    "BlockOrigin",
    "DepositSequencer",
    "ForcedInclusion",
    "L1Addresses",
    "L1Info",
    "Output",
    "Proposal",
    "Proposer",
    "Role",
    "RollupAddresses",
    "RollupConfig",
    "batch_inbox",
    "block_deposits",
    "deploy_rollups",
    "deployer_account",
    "genesis_alloc",
    "genesis_origin",
    "output_at",
    "output_root",
    "planned_addresses",
    "role_account",
]
