"""Signed ERC-20 transfers per second in-process: crossroll's ``Chain`` (py-evm engine)
in virtual time, no HTTP.  Optionally the same transactions through a raw py-evm
``MiningChain.mine_all`` for comparison (``--baseline``).

Modes:
  --block-size 1    automine: every send_raw_transaction mines a block synchronously
  --block-size N    manual mining: send N transactions, then ``mine()``

The rate is reported per window of 1,000 transactions, so a slowdown as the chain
grows shows up.  ``--profile`` runs under cProfile and prints the top functions.

    python bench/inprocess.py --block-size 1 --txs 10000 --baseline
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))  # this checkout's crossroll
import crossroll  # noqa: F401  (first: selects the keccak backend before eth_hash loads)
from common import RESULTS, erc20_transfers, save, sign, token_address, token_deploy_tx

SENDER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
START = 1_700_000_000
WINDOW = 1000
OUT = RESULTS / "inprocess.json"


def _windows(
    txs: list[bytes], block_size: int, send: Callable[[list[bytes]], None]
) -> dict[str, Any]:
    """Rates per window, by wall time and by this process's CPU time (the latter
    is steadier on a shared machine)."""
    rates, cpu_rates = [], []
    t_all, c_all = time.perf_counter(), time.process_time()
    for start in range(0, len(txs), WINDOW):
        chunk = txs[start : start + WINDOW]
        t0, c0 = time.perf_counter(), time.process_time()
        for b in range(0, len(chunk), block_size):
            send(chunk[b : b + block_size])
        rates.append(len(chunk) / (time.perf_counter() - t0))
        cpu_rates.append(len(chunk) / max(time.process_time() - c0, 1e-9))
    total, cpu = time.perf_counter() - t_all, time.process_time() - c_all
    return {
        "rates": [round(r, 1) for r in rates],
        "overall": round(len(txs) / total, 1),
        "cpu_rates": [round(r, 1) for r in cpu_rates],
        "cpu_overall": round(len(txs) / cpu, 1),
        "seconds": round(total, 3),
    }


def run_crossroll(raws: list[bytes], deploy: bytes, block_size: int) -> dict[str, Any]:
    from crossroll.chain import Chain, ChainConfig
    from crossroll.clock import VirtualClock

    chain = Chain(ChainConfig(genesis_timestamp=START), VirtualClock(start=START))
    chain.send_raw_transaction(deploy)
    assert chain.head().receipts[0].status == 1
    if block_size > 1:
        chain.set_automine(False)

    def send(batch: list[bytes]) -> None:
        for raw in batch:
            chain.send_raw_transaction(raw)
        if block_size > 1:
            chain.mine()

    result = _windows(raws, block_size, send)
    head = chain.head()
    assert all(r.status == 1 for r in head.receipts), "a transfer failed"
    result["blocks"] = head.number
    chain.close()
    return result


def run_pyevm(raws: list[bytes], deploy: bytes, block_size: int) -> dict[str, Any]:
    """The same transactions through py-evm's own ``MiningChain.mine_all``."""
    from eth import constants
    from eth.chains.base import MiningChain
    from eth.db.atomic import AtomicDB
    from eth.vm.forks import CancunVM
    from eth_utils import to_canonical_address

    from crossroll.chain.accounts import dev_accounts
    from crossroll.chain.config import DEFAULT_MNEMONIC

    class Bench(MiningChain):
        vm_configuration = ((0, CancunVM),)
        chain_id = 31337

    alloc = {
        a.address: {"balance": 10_000 * 10**18, "nonce": 0, "code": b"", "storage": {}}
        for a in dev_accounts(DEFAULT_MNEMONIC, 10)
    }
    genesis = {
        "difficulty": 0,
        "gas_limit": 30_000_000,
        "timestamp": START,
        "extra_data": b"",
        "nonce": b"\x00" * 8,
        "mix_hash": constants.ZERO_HASH32,
        "base_fee_per_gas": 10**9,
        "parent_beacon_block_root": constants.ZERO_HASH32,
    }
    chain: Any = Bench.from_genesis(AtomicDB(), genesis, alloc)
    builder = CancunVM.get_transaction_builder()
    stamp = [START]

    def mine(batch: list[bytes]) -> None:
        stamp[0] += 1
        txs = [builder.decode(raw) for raw in batch]
        for tx in txs:
            tx.sender  # noqa: B018 - recover the sender, as crossroll does on receipt
        # py-evm's default gas limit drifts down block by block; keep anvil's 30M
        chain.header = chain.header.copy(gas_limit=30_000_000, timestamp=stamp[0])
        chain.mine_all(txs)

    mine([deploy])
    result = _windows(raws, block_size, mine)
    result["blocks"] = chain.get_canonical_head().block_number
    assert to_canonical_address(SENDER)  # same sender as crossroll's dev account 0
    return result


_CATEGORIES = (  # (label, substrings of the function's file), first match wins
    (
        "interpreter",
        (
            "/eth/vm/logic/",
            "/eth/vm/computation.py",
            "/eth/vm/stack.py",
            "/eth/vm/opcode.py",
            "/eth/vm/gas_meter.py",
            "/eth/vm/code_stream.py",
            "/eth/vm/memory.py",
            "/eth/vm/message.py",
            "computation.py",
            "opcodes.py",
            "logic.py",
        ),
    ),
    ("state: trie/db", ("/trie/", "/eth/db/", "speedups.py")),
    ("rlp/serializable", ("/rlp/",)),
    ("signatures", ("coincurve", "eth_keys")),
    ("keccak", ("eth_hash", "sha3")),
    ("crossroll", ("/crossroll/",)),
    ("py-evm other", ("/eth/",)),
    ("eth_utils/toolz", ("eth_utils", "toolz")),
)


def categories(stats: pstats.Stats) -> dict[str, float]:
    """Own time per category, in percent (builtins count as "other")."""
    totals: dict[str, float] = {}
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        label = next(
            (lab for lab, parts in _CATEGORIES if any(p in filename for p in parts)),
            "other (builtins, stdlib)",
        )
        totals[label] = totals.get(label, 0.0) + row[2]
    whole = sum(totals.values()) or 1.0
    return {k: round(100 * v / whole, 1) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}


def profile(fn: Callable[[], Any], top: int = 35) -> str:
    prof = cProfile.Profile()
    prof.runcall(fn)
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    out.write("\n--- by own time ---\n")
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    out.write("--- own time by category (%) ---\n")
    for label, share in categories(pstats.Stats(prof)).items():
        out.write(f"  {label:28s} {share:5.1f}\n")
    return out.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--block-size", type=int, default=100)
    ap.add_argument("--txs", type=int, default=10_000)
    ap.add_argument(
        "--baseline",
        action="store_true",
        help="also run raw py-evm mine_all (in a subprocess, without crossroll's speedups)",
    )
    ap.add_argument("--baseline-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--profile", action="store_true", help="print the top cumulative functions")
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()

    chain_id = 31337
    deploy = bytes.fromhex(sign(token_deploy_tx(chain_id))[2:])
    raws = [
        bytes.fromhex(r[2:]) for r in erc20_transfers(chain_id, token_address(SENDER), args.txs)
    ]
    results: dict[str, Any] = {
        "block_size": args.block_size,
        "txs": args.txs,
        "window": WINDOW,
        "speedups": os.environ.get("CROSSROLL_SPEEDUPS", "all"),
    }
    if args.baseline_only:  # the subprocess of --baseline: raw py-evm, JSON on stdout
        print(json.dumps(run_pyevm(raws, deploy, args.block_size)))
        return
    if args.profile:
        print(profile(lambda: run_crossroll(raws, deploy, args.block_size)))
        return
    results["crossroll"] = run_crossroll(raws, deploy, args.block_size)
    print(f"crossroll  block-size {args.block_size}: {results['crossroll']}")
    if args.baseline:
        # A fresh process: crossroll's speedups patch py-evm process-wide once the
        # engine is imported, and the baseline must be py-evm as it ships.
        env = {**os.environ, "CROSSROLL_SPEEDUPS": "0"}
        cmd = [
            sys.executable,
            __file__,
            "--baseline-only",
            "--block-size",
            str(args.block_size),
            "--txs",
            str(args.txs),
        ]
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
        results["pyevm_mine_all"] = json.loads(out.strip().splitlines()[-1])
        print(f"py-evm     block-size {args.block_size}: {results['pyevm_mine_all']}")
    if not args.no_save:
        # One file for every block size: this run replaces only its own entry.
        runs: dict[str, Any] = {}
        if OUT.exists():
            runs = json.loads(OUT.read_text()).get("runs", {})
        runs[f"block_size_{args.block_size}"] = results
        print(save("inprocess", {"runs": runs}))


if __name__ == "__main__":
    main()
