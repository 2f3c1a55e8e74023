"""Real crossroll processes for integration tests (thin wrappers over crossroll.testing.tools)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import requests

from crossroll.testing.tools import start_devnet, start_node


@contextlib.contextmanager
def crossroll_node(*args: str) -> Iterator[str]:
    """``crossroll node`` on a free loopback port; yields its URL and stops it after."""
    with start_node(*args) as (url, _proc):
        yield url


@contextlib.contextmanager
def crossroll_up(*args: str) -> Iterator[dict[str, Any]]:
    """``crossroll up`` with every port free; yields admin_getConfig's answer (plus
    ``adminUrl`` and the ``process``)."""
    with start_devnet(*args) as (admin_url, proc):
        body = {"jsonrpc": "2.0", "id": 1, "method": "admin_getConfig", "params": []}
        config = requests.post(admin_url, json=body, timeout=5).json()["result"]
        yield {**config, "adminUrl": admin_url, "process": proc}
