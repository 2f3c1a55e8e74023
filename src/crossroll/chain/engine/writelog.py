"""The engine's key-value store, able to hand out what was written since it last asked.

Every write of the engine (trie nodes, code, headers) goes through ``AtomicDB`` into this
store, so a chain's journal (:mod:`crossroll.chain.persist`) records the writes of each block
and replays them into a fresh store after a restart.  Off until :meth:`start`, so a chain
without a data dir keeps no second copy of its writes.
"""

from __future__ import annotations

from collections.abc import Iterable

from eth.db.backends.memory import MemoryDB

#: (key, value) pairs in write order; value None: the key was deleted.
Writes = tuple[tuple[bytes, bytes | None], ...]


class WriteLog(MemoryDB):
    def __init__(self) -> None:
        super().__init__()
        self._log: dict[bytes, bytes | None] | None = None

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.kv_store[key] = value
        if self._log is not None:
            self._log[key] = value

    def __delitem__(self, key: bytes) -> None:
        del self.kv_store[key]
        if self._log is not None:
            self._log[key] = None

    def start(self) -> None:
        """Remember writes from now on (what :meth:`take` returns)."""
        if self._log is None:
            self._log = {}

    def take(self) -> Writes:
        """The writes since :meth:`start` or the last call, last value per key."""
        if not self._log:
            return ()
        taken, self._log = self._log, {}
        return tuple(taken.items())

    def load(self, writes: Iterable[tuple[bytes, bytes | None]]) -> None:
        """Apply recorded writes without remembering them."""
        store = self.kv_store
        for key, value in writes:
            if value is None:
                store.pop(key, None)
            else:
                store[key] = value
