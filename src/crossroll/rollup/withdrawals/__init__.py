"""Withdrawals from a rollup to its L1, end to end over JSON-RPC (any L1 and L2 endpoints):

- :mod:`.message`: a withdrawal found from its L2 transaction's ``MessagePassed`` log, its hash;
- :mod:`.status`: its lifecycle stages with the block and time of each;
- :mod:`.actions`: :class:`Withdrawals`, which proves and finalizes at the portal.
"""

from __future__ import annotations

from .actions import FINALIZE, PROVE, WithdrawalProof, Withdrawals
from .message import (
    Withdrawal,
    locate,
    parse_tx_hash,
    withdrawal_hash,
    withdrawal_slot,
    withdrawals_in,
)
from .status import Endpoints, OracleOutput, Stage, Step, WithdrawalStatus, read_status

__all__ = [
    "FINALIZE",
    "PROVE",
    "Endpoints",
    "OracleOutput",
    "Stage",
    "Step",
    "Withdrawal",
    "WithdrawalProof",
    "WithdrawalStatus",
    "Withdrawals",
    "locate",
    "parse_tx_hash",
    "read_status",
    "withdrawal_hash",
    "withdrawal_slot",
    "withdrawals_in",
]
