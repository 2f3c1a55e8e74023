"""Fixtures shared by every test layer."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest

from crossroll.testing.tools import require_tool, start_anvil


@pytest.fixture
def anvil_factory() -> Callable[..., contextlib.AbstractContextManager[str]]:
    """``with anvil_factory(*args) as url:`` runs the npm anvil on a free loopback port."""
    require_tool("anvil")

    @contextlib.contextmanager
    def factory(*args: str) -> Iterator[str]:
        with start_anvil(None, *args) as (url, _proc):
            yield url

    return factory
