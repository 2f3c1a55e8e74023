"""Sequencing in a devnet (docs/sequencing.md): what :class:`~crossroll.network.Network`
builds from its ``sequencing`` config, and the admin RPC methods over it.

Built after the rollups and messaging (it needs their chains, deposit sequencers and
fast-path guards): the censorship the config asks for, the shared sequencer over the
``shared`` rollups, the gateways of the ``based`` rollups and the forced-inclusion watchers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..abc import ChainAPI, ClientAPI, L1ViewAPI, SchedulerAPI, ServiceAPI
from ..rpc.dispatch import MethodTable
from .config import NetworkConfig

if TYPE_CHECKING:
    from ..messaging.fastpath import InteropGuard
    from ..rollup import L1Addresses
    from .rollups import RollupWiring


class SequencingWiring:
    """The sequencing services of one network and the queries over them."""

    def __init__(self, config: NetworkConfig) -> None:
        self.config = config.sequencing
        self.mnemonic = config.accounts.mnemonic
        self.modes: dict[int, str] = {
            cid: config.sequencing.mode_of(cid) for cid in config.rollup_ids
        }
        self._services: list[ServiceAPI] = []

    def members(self, mode: str) -> list[int]:
        """The rollups sequenced in ``mode``, in chain-id order."""
        return [cid for cid, m in self.modes.items() if m == mode]

    def build(
        self,
        chains: Mapping[int, ChainAPI],
        scheduler: SchedulerAPI,
        *,
        l1_view: L1ViewAPI,
        l1_client: ClientAPI,
        rollups: RollupWiring,
        guards: Mapping[int, InteropGuard],
        addresses: L1Addresses,
    ) -> None:
        """Build everything (call with the network's lock held, before services start)."""
        for chain_id, chain in chains.items():
            censored = self.config.censored(chain_id)
            if censored:
                chain.set_censored(censored)  # type: ignore[attr-defined]

    @property
    def services(self) -> list[ServiceAPI]:
        return list(self._services)

    def to_json(self) -> dict[str, Any]:
        """The ``sequencing`` part of ``admin_getConfig``."""
        cfg = self.config
        return {
            "modes": {str(cid): mode for cid, mode in self.modes.items()},
            "slotTime": cfg.slot_time,
            "ordering": cfg.ordering,
            "forcedInclusionWindow": cfg.forced_inclusion_window,
            "censor": {str(cid): list(a) for cid, a in cfg.censor.items()},
        }


# ---------------------------------------------------------------- admin RPC
def _wiring(ctx: Any) -> SequencingWiring:
    wiring: SequencingWiring = ctx.sequencing
    return wiring


def add_methods(table: MethodTable) -> None:
    """The sequencing methods of the admin server (docs/sequencing.md)."""
