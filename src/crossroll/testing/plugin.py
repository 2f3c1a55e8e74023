"""The crossroll pytest plugin (registered through the ``pytest11`` entry point).

Fixtures are defined lazily so that merely having crossroll installed costs a
test session nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..abc import ChainAPI


@pytest.fixture
def crossroll_chain() -> Iterator[ChainAPI]:
    """A fresh in-process dev chain (chain id 31337, automine, virtual time)."""
    from ..chain import Chain
    from ..chain.config import ChainConfig
    from ..clock import VirtualClock

    yield Chain(ChainConfig(), VirtualClock())


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "crossroll: tests that use crossroll fixtures")
