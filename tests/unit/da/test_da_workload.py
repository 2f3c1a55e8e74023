"""The standard DA workload is deterministic and looks like L2 traffic."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

from eth_account import Account

from crossroll.da import txfields
from crossroll.da.workload import SWAP, TRANSFER, WorkloadConfig, erc20_only, generate

SMALL = WorkloadConfig(blocks=4, txs_per_block=25, generated_keys=20)


def test_deterministic() -> None:
    assert generate(SMALL) == generate(SMALL)
    assert (
        generate(SMALL).batch
        != generate(WorkloadConfig(blocks=4, txs_per_block=25, generated_keys=20, seed=1)).batch
    )


def test_shape_mix_and_nonces() -> None:
    w = generate(SMALL)
    assert len(w.batch.blocks) == 4 and len(w.kinds) == 100
    counts = Counter(w.kinds)
    assert 25 <= counts["eth"] <= 55 and 25 <= counts["erc20"] <= 55 and 8 <= counts["swap"] <= 35
    nonces: dict[str, list[int]] = defaultdict(list)
    for raw, kind in zip(w.batch.transactions, w.kinds, strict=True):
        f = txfields.parse(raw)
        assert f.type == 2 and f.chain_id == 901
        nonces[Account.recover_transaction(raw)].append(f.nonce)
        if kind == "eth":
            assert f.data == b"" and f.gas == 21_000 and f.value > 0
        elif kind == "erc20":
            assert f.data[:4] == TRANSFER and len(f.data) == 68 and f.value == 0
        else:
            assert f.data[:4] == SWAP and f.gas >= 120_000
    assert all(ns == list(range(len(ns))) for ns in nonces.values())
    blocks = w.batch.blocks
    assert [b.number for b in blocks] == [1, 2, 3, 4]
    assert all(b.timestamp - a.timestamp == 2 for a, b in itertools.pairwise(blocks))


def test_erc20_only() -> None:
    w = erc20_only(50, txs_per_block=25)
    assert set(w.kinds) == {"erc20"} and len(w.batch.transactions) == 50
