"""The ``crossroll`` command line."""

from __future__ import annotations

import time

#: When the CLI began loading, before any heavy import: "crossroll ready in ...".
STARTED = time.perf_counter()
