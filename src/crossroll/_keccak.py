"""Select the fast keccak backend before anything hashes.

eth-hash picks pycryptodome by default; pysha3 (safe-pysha3, a dependency) is about
6x faster per hash, which makes block building 15-30% faster (docs/benchmarks.md).
Imported first by ``crossroll/__init__.py``; a user's own ETH_HASH_BACKEND wins.
"""

from __future__ import annotations

import importlib.util
import os

if importlib.util.find_spec("sha3") is not None:
    os.environ.setdefault("ETH_HASH_BACKEND", "pysha3")
