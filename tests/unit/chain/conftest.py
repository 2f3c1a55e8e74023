"""Fixtures for the chain tests; helpers live in ``helpers.py``."""

from __future__ import annotations

from tests.unit.chain.helpers import alice, bob, chain, clock, probe, token

__all__ = ["alice", "bob", "chain", "clock", "probe", "token"]
