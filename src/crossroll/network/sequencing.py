"""Sequencing in a devnet (docs/sequencing.md): what :class:`~crossroll.network.Network`
builds from its ``sequencing`` config, and the admin RPC methods over it.

Built after the rollups and messaging (it needs their chains, deposit sequencers and
fast-path guards): the censorship the config asks for, the shared sequencer over the
``shared`` rollups, the gateways of the ``based`` rollups and the forced-inclusion watchers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..abc import ChainAPI, ClientAPI, L1ViewAPI, SchedulerAPI, ServiceAPI
from ..errors import ConfigError, InvalidParams
from ..rollup import transact
from ..rollup.abi import calldata
from ..rollup.addresses import checksum
from ..rollup.forced import FORCE_INCLUDE, MAX_FORCED_SIZE
from ..rollup.forcedwatch import ForcedStatus, ForcedWatcher
from ..rollup.transact import L1Receipt
from ..rpc.codec import decode_address
from ..rpc.dispatch import MethodTable
from ..sequencing.rpc import add_methods as add_shared_methods
from ..sequencing.shared import SharedSequencing
from ..types import Address, DevAccount, Hash32
from .config import NetworkConfig

if TYPE_CHECKING:
    from ..messaging.fastpath import InteropGuard
    from ..rollup import L1Addresses
    from .rollups import RollupWiring

#: Why a shared or based rollup refuses evm_mine, automine and interval mining.
_BUILT_BY = {
    "shared": "rollup {} is shared-sequenced: its blocks are the shared sequencer's slots;"
    " advance time with crossroll_advanceTime / evm_increaseTime",
    "based": "rollup {} is based: its blocks follow the L1's, one per L1 block;"
    " advance time with crossroll_advanceTime",
}


class SequencingWiring:
    """The sequencing services of one network and the queries over them."""

    def __init__(self, config: NetworkConfig) -> None:
        self.config = config.sequencing
        self.mnemonic = config.accounts.mnemonic
        self.modes: dict[int, str] = {
            cid: config.sequencing.mode_of(cid) for cid in config.rollup_ids
        }
        self._services: list[ServiceAPI] = []
        #: Forced inclusion per rollup (rollup/forcedwatch.py), and how to reach its queue.
        self.watchers: dict[int, ForcedWatcher] = {}
        self._forcing: tuple[ClientAPI, Address, bool] | None = None
        #: The shared sequencer over the "shared" rollups (None without any).
        self.shared: SharedSequencing | None = None

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
            why = _BUILT_BY.get(self.modes.get(chain_id, "own"))
            if why is not None:  # a block mined by hand would split it from its builder
                chain.lock_mining(why.format(chain_id))  # type: ignore[attr-defined]
        self._watch_forced(chains, scheduler, l1_view, l1_client, rollups)
        if self.members("shared"):
            self._build_shared(chains, scheduler, rollups, guards)

    # ------------------------------------------------ forced inclusion, censorship
    def _watch_forced(
        self,
        chains: Mapping[int, ChainAPI],
        scheduler: SchedulerAPI,
        l1_view: L1ViewAPI,
        l1_client: ClientAPI,
        rollups: RollupWiring,
    ) -> None:
        self._forcing = (l1_client, rollups.addresses.forced_inclusion_queue, rollups.deploy_as[2])
        for sequencer in rollups.sequencers:
            cid = sequencer.chain_id
            forced = rollups.forced_inclusion(cid)
            offer = self.modes[cid] != "based"  # a based rollup's pool is not its sequencer's
            watcher = ForcedWatcher(
                cid, l1_view, chains[cid], scheduler, forced, sequencer.origin, offer=offer
            )
            self.watchers[cid] = watcher
            self._services.append(watcher)

    def _watcher(self, chain_id: int) -> ForcedWatcher:
        if chain_id not in self.watchers:
            known = ", ".join(map(str, self.modes))
            raise InvalidParams(f"no rollup {chain_id} in this network (rollups: {known})")
        return self.watchers[chain_id]

    def forced_transactions(self, chain_id: int) -> list[ForcedStatus]:
        """Every forced transaction queued for rollup ``chain_id`` and where it stands."""
        return self._watcher(chain_id).statuses()

    def set_censored(self, chain_id: int, addresses: Sequence[Address]) -> list[Address]:
        """Make rollup ``chain_id``'s sequencer refuse pool transactions from
        ``addresses`` (none: censor nobody); fault injection."""
        chain = self._watcher(chain_id).l2
        chain.set_censored(list(addresses))
        return list(addresses)

    def force_include(self, chain_id: int, raw_tx: bytes, account: DevAccount) -> L1Receipt:
        """Queue ``raw_tx`` for rollup ``chain_id`` on the L1, signed by ``account``."""
        self._watcher(chain_id)
        if not 0 < len(raw_tx) <= MAX_FORCED_SIZE:
            raise InvalidParams(f"rawTx: want 1 to {MAX_FORCED_SIZE} bytes, got {len(raw_tx)}")
        if self._forcing is None:
            raise ConfigError("the network has not started")
        client, queue, mine = self._forcing
        data = calldata(FORCE_INCLUDE, chain_id, raw_tx)
        tx_hash = transact.send(client, account, queue, data)
        return transact.wait(client, [tx_hash], mine=mine)[0]

    # ------------------------------------------------------------ shared sequencer
    def _build_shared(
        self,
        chains: Mapping[int, ChainAPI],
        scheduler: SchedulerAPI,
        rollups: RollupWiring,
        guards: Mapping[int, InteropGuard],
    ) -> None:
        batcher = rollups.shared_batcher
        self.shared = SharedSequencing.build(
            {cid: chains[cid] for cid in self.members("shared")},
            {s.chain_id: s for s in rollups.sequencers},
            scheduler,
            guards=guards,
            slot_time=self.config.slot_time,
            ordering=self.config.ordering,
            mnemonic=self.mnemonic,
            derived={t.chain_id: t.derived for t in rollups.trackers},
            batch=None if batcher is None else batcher.firm,
            posted={b.config.chain_id: b.posted_number for b in rollups.batchers},
        )
        self._services.append(self.shared.sequencer)

    def shared_sequencing(self) -> SharedSequencing:
        if self.shared is None:
            raise InvalidParams("this network has no shared rollups (sequencing.mode)")
        return self.shared

    def sequencing_json(self) -> dict[str, Any]:
        """``crossroll_getSequencing``."""
        cfg = self.config
        out: dict[str, Any] = {
            "modes": {str(cid): mode for cid, mode in self.modes.items()},
            "members": [],
            "slotTime": cfg.slot_time,
            "ordering": cfg.ordering,
            "softSlot": None,
            "firmSlot": None,
            "signer": None,
        }
        return out if self.shared is None else {**out, **self.shared.to_json()}

    def send_bundle_request(self, request: Any) -> Hash32:
        return self.shared_sequencing().send(request)

    def bundle_json(self, bundle_hash: Hash32) -> dict[str, Any]:
        return self.shared_sequencing().bundle_json(bundle_hash)

    def slot_json(self, number: Any) -> dict[str, Any]:
        return self.shared_sequencing().slot_json(number)

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


def decode_addresses(value: Any) -> list[Address]:
    """A JSON array of 20-byte hex addresses."""
    if not isinstance(value, list):
        raise InvalidParams(f"want an array of addresses, got {value!r:.40}")
    return [decode_address(v) for v in value]


def _censor(ctx: Any, chain_id: int, addresses: list[Address]) -> list[str]:
    return [checksum(a) for a in _wiring(ctx).set_censored(chain_id, addresses)]


def add_methods(table: MethodTable) -> None:
    """The sequencing methods of the admin server (docs/sequencing.md)."""
    from .admin import decode_count  # admin imports this module

    # Forced inclusion and censorship (docs/forced-inclusion.md).
    table.add(
        "crossroll_getForcedTransactions",
        lambda ctx, cid: [s.to_json() for s in _wiring(ctx).forced_transactions(cid)],
        [decode_count],
    )
    table.add("crossroll_setCensored", _censor, [decode_count, decode_addresses])
    # The shared sequencer: bundles, slots (docs/sequencing.md).
    add_shared_methods(table, _wiring)
