"""Shared sequencing: bundle -> soft and -> firm confirmation latency (virtual time), and how
fast the shared sequencer builds atomic slots (wall clock), side by side with the same
transactions sent as plain transactions, mined by an own-sequenced rollup and by two anvils.

    python bench/sequencing.py                 # about 3 minutes on 2 cores
    python bench/sequencing.py --quick         # smaller, for a smoke run

Latency: one devnet (L1 900 with 12 s blocks, rollups 901 and 902 shared with 2 s slots, 903
own-sequenced with 2 s blocks, blobs DA, batchers every 12 s).  Two-leg bundles (an ETH
transfer on 901 and one on 902) arrive at random times; plain transfers arrive on 903 at the
same times.  The clock steps by 0.1 s, so each time is known to 0.1 s.
  soft  = the bundle's slot is built and signed (crossroll_getBundle says included);
  firm  = the slot's data is on the L1 and both rollups' derivations produced its blocks;
  own   = the 903 transaction's receipt exists (unsafe) / its block is safe.

Throughput: for K two-leg bundles per slot, the wall time of building one slot (the median
of 3 slots, as every figure of this part) (simulation,
in-slot checks, final build, appending on both rollups).  The same 2K transactions then go
as plain transactions (a) to the shared rollups' pools (a slot without bundles), (b) to two
own-sequenced rollups (one block each), (c) to two anvils (``--no-mining``, one
``evm_mine`` each).  A third shape, "sync", is a bundle whose 901 leg sends the test token to
902 (``sendERC20``, a burn), whose in-slot relay mints it on 902, and whose 902 leg spends it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from common import Client, anvil_node, machine, save
from crossroll.messaging.addresses import (
    SUPERCHAIN_TEST_TOKEN,
    SUPERCHAIN_TOKEN_BRIDGE,
)
from crossroll.network import Network
from crossroll.rollup.abi import calldata
from crossroll.rollup.transact import sign_1559
from crossroll.types import DevAccount

FREE: dict[str, Any] = {"l1__port": 0, "rollups__port": 0, "admin_port": 0}
GWEI = 10**9
ACCOUNTS = 100
#: Slots (or blocks) timed per measurement; the median is reported.
ROUNDS = 3


def transfer(account: DevAccount, chain_id: int, nonce: int, to: int) -> bytes:
    return sign_1559(
        account.private_key,
        chain_id=chain_id,
        nonce=nonce,
        tip=GWEI,
        max_fee=50 * GWEI,
        gas=21_000,
        to=(0xB0000 + to).to_bytes(20, "big"),
        value=1,
        data=b"",
    )


def call_tx(
    account: DevAccount, chain_id: int, nonce: int, to: bytes, data: bytes, gas: int
) -> bytes:
    return sign_1559(
        account.private_key,
        chain_id=chain_id,
        nonce=nonce,
        tip=GWEI,
        max_fee=50 * GWEI,
        gas=gas,
        to=to,
        value=0,
        data=data,
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 2),
        "p95": round(pct(values, 0.95), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


# ------------------------------------------------------------------ latency
def latency(count: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    net = Network.start(
        rollups=3,
        virtual_time=True,
        accounts__count=ACCOUNTS,
        sequencing__mode="own",
        sequencing__chains={901: "shared", 902: "shared"},
        **FREE,
    )
    try:
        accounts = net.accounts
        arrivals = sorted(rng.uniform(0, count * 1.5) for _ in range(count))
        pending: dict[int, dict[str, Any]] = {}
        done: list[dict[str, Any]] = []
        nonces = [0] * ACCOUNTS
        now, step, i = 0.0, 0.1, 0
        shared = net.sequencing.shared_sequencing()

        def safe(chain_id: int) -> int:
            return int(net.safety(chain_id).resolve("safe"))

        while len(done) < count:
            while i < count and arrivals[i] <= now:
                sender = i % ACCOUNTS
                nonce = nonces[sender]
                nonces[sender] += 1
                with net.lock:
                    bundle = net.send_bundle(
                        [
                            (901, transfer(accounts[sender], 901, nonce, i)),
                            (902, transfer(accounts[sender], 902, nonce, i)),
                        ]
                    )
                    plain = net.chain(903).chain.send_raw_transaction(
                        transfer(accounts[sender], 903, nonce, i)
                    )
                pending[i] = {"sent": now, "bundle": bundle, "plain": plain}
                i += 1
            net.advance(step)
            now = round(now + step, 3)
            with net.lock:
                for key, entry in list(pending.items()):
                    if "soft" not in entry:
                        record = net.bundle(entry["bundle"])
                        if record.status.value == "included":
                            entry["soft"], entry["slot"] = now, record.slot
                        elif record.status.value == "dropped":
                            raise RuntimeError(f"bundle dropped: {record.reason}")
                    slot = entry.get("slot")
                    if slot is not None and "firm" not in entry and shared.slot_json(slot)["firm"]:
                        entry["firm"] = now
                    receipt = net.chain(903).chain.receipt(entry["plain"])
                    if receipt is not None and "unsafe" not in entry:
                        entry["unsafe"] = now
                        entry["block"] = receipt.block_number
                    block = entry.get("block")
                    if block is not None and "safe" not in entry and safe(903) >= block:
                        entry["safe"] = now
                    if all(k in entry for k in ("firm", "safe")):
                        done.append(pending.pop(key))
        return {
            "bundles": count,
            "soft": summary([d["soft"] - d["sent"] for d in done]),
            "firm": summary([d["firm"] - d["sent"] for d in done]),
            "own_unsafe": summary([d["unsafe"] - d["sent"] for d in done]),
            "own_safe": summary([d["safe"] - d["sent"] for d in done]),
        }
    finally:
        net.stop()


# --------------------------------------------------------------- throughput
def _legs(accounts: Any, k: int, first_nonce: int) -> list[list[tuple[int, bytes]]]:
    return [
        [
            (901, transfer(accounts[j % ACCOUNTS], 901, first_nonce + j // ACCOUNTS, j)),
            (902, transfer(accounts[j % ACCOUNTS], 902, first_nonce + j // ACCOUNTS, j)),
        ]
        for j in range(k)
    ]


def _per_round(k: int) -> int:
    """Nonces each account uses in one round of ``k`` bundles."""
    return -(-k // ACCOUNTS)


def _sync_legs(accounts: Any, k: int, first_nonce: int = 0) -> list[list[tuple[int, bytes]]]:
    """Per bundle: 901 sendERC20(token, self, 1, 902) (burn) + 902 transfer(…, 1) of the
    minted token (only succeeds once the in-slot relay minted it).  901 nonces start one
    above ``first_nonce`` (nonce 0 minted the test tokens), 902 nonces at it."""
    out = []
    for j in range(k):
        account = accounts[j % ACCOUNTS]
        nonce = first_nonce + j // ACCOUNTS + 1
        send = calldata(
            "sendERC20(address,address,uint256,uint256)",
            SUPERCHAIN_TEST_TOKEN,
            account.address,
            1,
            902,
        )
        spend = calldata("transfer(address,uint256)", (0xC0000 + j).to_bytes(20, "big"), 1)
        out.append(
            [
                (901, call_tx(account, 901, nonce, SUPERCHAIN_TOKEN_BRIDGE, send, 200_000)),
                (902, call_tx(account, 902, nonce - 1, SUPERCHAIN_TEST_TOKEN, spend, 80_000)),
            ]
        )
    return out


def _shared_net() -> Network:
    return Network.start(
        rollups=2,
        virtual_time=True,
        accounts__count=ACCOUNTS,
        sequencing__mode="shared",
        **FREE,
    )


def _build_slot(net: Network) -> float:
    sequencer = net.sequencing.shared_sequencing().sequencer
    with net.lock:
        start = time.perf_counter()
        commitment = sequencer.build_slot()
        elapsed = time.perf_counter() - start
    assert commitment is not None
    return elapsed


def throughput_shared(k: int, shape: str) -> dict[str, Any]:
    net = _shared_net()
    try:
        accounts = net.accounts
        if shape == "sync":
            with net.lock:  # nonce 0 on 901: each account mints itself test tokens
                for account in accounts:
                    data = calldata("mint(address,uint256)", account.address, 10**20)
                    net.chain(901).chain.send_raw_transaction(
                        call_tx(account, 901, 0, SUPERCHAIN_TEST_TOKEN, data, 100_000)
                    )
            _build_slot(net)
        admits, builds = [], []
        for r in range(ROUNDS):
            first = r * _per_round(k)
            if shape == "sync":
                bundles = _sync_legs(accounts, k, first)
            else:
                bundles = _legs(accounts, k, first)
            with net.lock:
                start = time.perf_counter()
                hashes = [net.send_bundle(legs) for legs in bundles]
                admits.append(time.perf_counter() - start)
            builds.append(_build_slot(net))
            with net.lock:
                records = [net.bundle(h) for h in hashes]
            included = sum(rec.status.value == "included" for rec in records)
            if included != k:
                reasons = sorted({rec.reason for rec in records if rec.reason})
                raise RuntimeError(f"{shape}: {included}/{k} included: {reasons[:3]}")
        return {
            "admit_s": statistics.median(admits),
            "build_s": statistics.median(builds),
            "txs": 2 * k,
        }
    finally:
        net.stop()


def throughput_plain_shared(k: int) -> float:
    """The same transactions as plain pool transactions on the shared rollups: one slot."""
    net = _shared_net()
    try:
        times = []
        for r in range(ROUNDS):
            with net.lock:
                for legs in _legs(net.accounts, k, r * _per_round(k)):
                    for chain_id, raw in legs:
                        net.chain(chain_id).chain.send_raw_transaction(raw)
            times.append(_build_slot(net))
        return statistics.median(times)
    finally:
        net.stop()


def throughput_own(k: int) -> float:
    net = Network.start(
        rollups=2, virtual_time=True, accounts__count=ACCOUNTS, block_time={901: 0, 902: 0},
        automine=False, **FREE,
    )  # fmt: skip
    try:
        chains = [net.chain(901).chain, net.chain(902).chain]
        times = []
        with net.lock:
            for chain in chains:
                chain.set_automine(False)
            for r in range(ROUNDS):
                for legs in _legs(net.accounts, k, r * _per_round(k)):
                    for chain_id, raw in legs:
                        net.chain(chain_id).chain.send_raw_transaction(raw)
                start = time.perf_counter()
                for chain in chains:
                    block = chain.mine(1)[0]
                    assert len([t for t in block.transactions if not t.is_deposit]) == k
                times.append(time.perf_counter() - start)
        return statistics.median(times)
    finally:
        net.stop()


def throughput_anvil(k: int, accounts: Any) -> float:
    elapsed = 0.0
    for chain_id in (901, 902):
        with anvil_node(
            "--chain-id", str(chain_id), "--no-mining", "--accounts", str(ACCOUNTS),
            "--prune-history",
        ) as url:  # fmt: skip
            client = Client(url)
            times = []
            for r in range(ROUNDS):
                for legs in _legs(accounts, k, r * _per_round(k)):
                    raw = dict(legs)[chain_id]
                    client("eth_sendRawTransaction", "0x" + raw.hex())
                start = time.perf_counter()
                client("evm_mine")
                times.append(time.perf_counter() - start)
                block = client("eth_getBlockByNumber", "latest", False)
                assert len(block["transactions"]) == k, len(block["transactions"])
            elapsed += statistics.median(times)
    return elapsed


def throughput(sizes: list[int]) -> list[dict[str, Any]]:
    rows = []
    probe = _shared_net()
    accounts = list(probe.accounts)
    probe.stop()
    for k in sizes:
        transfers = throughput_shared(k, "transfer")
        # a sync bundle uses ~250k gas of 902's 30M block: at most ~120 fit in one slot
        k_sync = min(k, 100)
        sync = throughput_shared(k_sync, "sync")
        plain = throughput_plain_shared(k)
        own = throughput_own(k)
        anvil = throughput_anvil(k, accounts)
        row = {
            "bundles_per_slot": k,
            "txs_per_slot": 2 * k,
            "shared_bundles_build_s": round(transfers["build_s"], 4),
            "shared_bundles_per_s": round(k / transfers["build_s"], 1),
            "shared_tx_per_s": round(2 * k / transfers["build_s"], 1),
            "admit_bundles_per_s": round(k / transfers["admit_s"], 1),
            "sync_bundles_per_slot": k_sync,
            "sync_bundles_build_s": round(sync["build_s"], 4),
            "sync_bundles_per_s": round(k_sync / sync["build_s"], 1),
            "sync_tx_per_s": round(3 * k_sync / sync["build_s"], 1),  # legs + in-slot relays
            "plain_shared_tx_per_s": round(2 * k / plain, 1),
            "own_tx_per_s": round(2 * k / own, 1),
            "anvil_tx_per_s": round(2 * k / anvil, 1),
        }
        row["shared_vs_anvil"] = round(row["shared_tx_per_s"] / row["anvil_tx_per_s"], 3)
        row["shared_vs_own"] = round(row["shared_tx_per_s"] / row["own_tx_per_s"], 3)
        rows.append(row)
        print(row, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--bundles", type=int, default=100)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    sizes = [10, 50] if args.quick else [10, 50, 200]
    count = 20 if args.quick else args.bundles
    lat = latency(count, args.seed)
    print(lat, flush=True)
    rows = throughput(sizes)
    result = {"machine": machine(), "latency": lat, "throughput": rows}
    print(save("sequencing", result))


if __name__ == "__main__":
    main()
