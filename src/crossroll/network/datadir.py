"""``crossroll up --data-dir DIR``: the devnet's chains on disk, and the start that resumes them.

Layout::

    DIR/network.json        what must not change across restarts (written once, at the end
                            of the first start): chain ids, genesis timestamps, accounts,
                            the L1 addresses of the deployed contracts
    DIR/<chain id>/chain.log   the chain's journal (crossroll.chain.persist)

A start with no ``network.json`` is a first start: it deploys as usual and writes the file
last, so journals left by a first start that was killed before it finished are discarded.
A start with one replays every journal, deploys nothing, and refuses a configuration that
contradicts it.  A rollup whose journal is missing starts from its genesis (re-derivation
from the L1 is the rollup wiring's job); a missing L1 journal is an error.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..abc import ChainAPI, SchedulerAPI, ServiceAPI
from ..chain.config import ChainConfig
from ..chain.persist import ChainJournal, History
from ..errors import ConfigError
from ..rollup import L1Addresses, RollupAddresses
from .config import NetworkConfig

log = logging.getLogger(__name__)

#: 2: the L1 addresses include the settlement hub (cross-rollup messaging).
#: 3: and the forced-inclusion queue (sequencing).
FORMAT = 3
NETWORK_FILE = "network.json"


def journal_path(root: Path, chain_id: int) -> Path:
    return root / str(chain_id) / "chain.log"


def _hex(value: Any) -> Any:
    return "0x" + value.hex() if isinstance(value, bytes) else value


def _unhex(value: Any) -> Any:
    return bytes.fromhex(value[2:]) if isinstance(value, str) and value[:2] == "0x" else value


def addresses_json(addresses: L1Addresses) -> dict[str, Any]:
    out = {k: _hex(v) for k, v in dataclasses.asdict(addresses).items() if k != "rollups"}
    out["rollups"] = [
        {k: _hex(v) for k, v in dataclasses.asdict(r).items()} for r in addresses.rollups
    ]
    return out


def addresses_from_json(data: dict[str, Any]) -> L1Addresses:
    rollups = tuple(
        RollupAddresses(**{k: _unhex(v) for k, v in r.items()}) for r in data["rollups"]
    )
    fields = {k: _unhex(v) for k, v in data.items() if k != "rollups"}
    return L1Addresses(**fields, rollups=rollups)


#: How each key of :func:`_identity` is named in errors.
_NAMES = {
    "l1ChainId": "L1 chain id",
    "rollupChainIds": "rollup chain ids",
    "accounts": "account count",
    "balance": "account balance",
    "sequencing": "sequencing modes",
}


def _identity(config: NetworkConfig) -> dict[str, Any]:
    """The settings a data dir is bound to (the rest may change between restarts)."""
    return {
        "l1ChainId": config.l1.chain_id,
        "rollupChainIds": config.rollup_ids,
        "mnemonic": config.accounts.mnemonic,
        "accounts": config.accounts.count,
        "balance": str(config.accounts.balance),
        # a rollup's blocks are built by its mode (shared rollups' heads move together)
        "sequencing": {str(c): config.sequencing.mode_of(c) for c in config.rollup_ids},
    }


class DataDir(ServiceAPI):
    """The data dir of one network run.  As a service (staged first, so stopped last) its
    ``stop`` writes the clock's time to every journal and closes them."""

    name = "data-dir"

    def __init__(self, config: NetworkConfig) -> None:
        """Read ``network.json`` and every journal; :class:`ConfigError` if ``config``
        contradicts what the directory holds."""
        assert config.data_dir is not None
        if config.l1.external:
            raise ConfigError("--data-dir keeps an embedded L1; it cannot be used with --l1-rpc")
        self.root = Path(config.data_dir).expanduser()
        self.fsync = config.fsync
        self.stored: dict[str, Any] | None = None
        self.histories: dict[int, History | None] = {}
        self.journals: list[ChainJournal] = []
        self._clock: SchedulerAPI | None = None
        ids = [config.l1.chain_id, *config.rollup_ids]
        try:
            text = (self.root / NETWORK_FILE).read_text()
        except FileNotFoundError:
            self._discard(ids)
            return
        except OSError as exc:
            raise ConfigError(f"cannot read {self.root / NETWORK_FILE}: {exc.strerror}") from None
        try:
            self.stored = json.loads(text)
        except ValueError:
            raise ConfigError(f"{self.root / NETWORK_FILE} is not valid JSON") from None
        self._check(config)
        for chain_id in ids:
            self.histories[chain_id] = History.read(journal_path(self.root, chain_id))
        if self.histories[config.l1.chain_id] is None:
            raise ConfigError(
                f"{journal_path(self.root, config.l1.chain_id)} is missing: the L1 cannot be "
                f"rebuilt (remove {self.root} to start a new network)"
            )

    # ------------------------------------------------------------ start
    @property
    def restarting(self) -> bool:
        return self.stored is not None

    @property
    def resume_time(self) -> float | None:
        """Where a virtual clock resumes: the latest time any journal saw."""
        times = [h.resume_time for h in self.histories.values() if h is not None]
        return max((t for t in times if t is not None), default=None)

    @property
    def addresses(self) -> L1Addresses:
        assert self.stored is not None
        return addresses_from_json(self.stored["l1Addresses"])

    @property
    def empty_rollups(self) -> list[int]:
        """Rollups restarted without a journal (to re-derive from the L1)."""
        return [i for i, h in self.histories.items() if h is None and self.stored is not None]

    def chain_config(self, config: ChainConfig) -> ChainConfig:
        """``config`` with the genesis timestamp of the first start."""
        if self.stored is None:
            return config
        genesis = self.stored["genesisTimestamps"][str(config.chain_id)]
        return dataclasses.replace(config, genesis_timestamp=genesis)

    def attach(self, chain: ChainAPI, clock: SchedulerAPI, blobs: Any = None) -> None:
        """Replay the chain's journal into it (its blob sidecars into ``blobs``, the L1's
        blob store), then record every change of it; ``clock``'s time is written at stop."""
        history = self.histories.get(chain.chain_id)
        path = journal_path(self.root, chain.chain_id)
        journal, restored = ChainJournal.attach(chain, path, history, fsync=self.fsync)  # type: ignore[arg-type]
        self.journals.append(journal)
        if history is not None:
            history.records = []  # replayed: the chain holds it now
        self._clock = clock
        for entry in restored:
            if blobs is not None:
                blobs.add(entry.block_number, entry.timestamp, entry.sidecars, replace=True)

    def save(
        self, config: NetworkConfig, chains: Iterable[ChainAPI], addresses: L1Addresses
    ) -> None:
        """Write ``network.json``: the first start is complete."""
        data = {
            "format": FORMAT,
            **_identity(config),
            "genesisTimestamps": {str(c.chain_id): c.block(0).header.timestamp for c in chains},
            "l1Addresses": addresses_json(addresses),
        }
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / (NETWORK_FILE + ".tmp")
        with open(tmp, "w") as out:
            json.dump(data, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.root / NETWORK_FILE)
        self.stored = data

    # ------------------------------------------------------------ service
    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        journals, self.journals = self.journals, []
        for journal in journals:
            try:
                if self._clock is not None:
                    journal.clock(self._clock.now())
            finally:
                journal.close()

    # ------------------------------------------------------------ helpers
    def _check(self, config: NetworkConfig) -> None:
        assert self.stored is not None
        if not isinstance(self.stored, dict) or self.stored.get("format") != FORMAT:
            found = self.stored.get("format") if isinstance(self.stored, dict) else None
            raise ConfigError(
                f"{self.root / NETWORK_FILE}: format {found}, but this crossroll reads format"
                f" {FORMAT} only (the data dir is from another version: start with a new one)"
            )
        for key, value in _identity(config).items():
            if self.stored.get(key) == value:
                continue
            if key == "mnemonic":
                differs = "a different mnemonic than the configuration"
            else:
                differs = (
                    f"{_NAMES[key]} {self.stored.get(key)}, the configuration asks for {value}"
                )
            raise ConfigError(
                f"data dir {self.root} holds a network with {differs}: start it with the "
                f"same settings or use another data dir"
            )

    def _discard(self, chain_ids: Iterable[int]) -> None:
        """Journals without ``network.json`` are from a first start that never finished."""
        for chain_id in chain_ids:
            path = journal_path(self.root, chain_id)
            if path.exists():
                log.warning("%s: left by an unfinished first start, discarded", path)
                path.unlink()
