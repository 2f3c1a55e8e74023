"""Cross-rollup messaging: latency, destination gas, L1 gas per message and relayer speed,
measured on the devnet itself (``Network(virtual_time=True)``: L1 900, rollups 901 and 902,
the real sequencers, batchers, derivation, proposers, settler, indexer and relayer).

* fast path (default settings, autorelay on): messages 901 -> 902 submitted at random times;
  latency in 902 blocks and seconds;
* settled path (``messaging.relay_path = "settled"``) under three challenge windows: 7 days
  (the default, optimistic), 1 hour (a ZK rollup's proving time today) and 12 s (one L1
  slot: real-time proving, the pipeline's own floor); latency by lifecycle stage from the
  message store's steps;
* destination gas of each relay (receipts of the relayer's transactions) for an empty call, a
  small call, an ETH transfer and an ERC-20 transfer, on both paths;
* L1 gas per message at 1, 10, 100 and 1,000 messages per batch: the send and relay
  transactions posted with the batcher's codec (calldata and blobs), plus the settled path's
  ``proveOutboxRoot`` (its L1 receipt) amortized;
* wall-clock cost of relaying (relays/s in-process; the relayer sets the gas from one
  simulation of the relay) and the same relay transactions replayed on anvil (eth_estimateGas,
  send, automine over JSON-RPC: what Supersim's relayer asks of anvil per relay, less its
  debug_traceCall and checksum eth_call).

Run: ``python bench/messaging.py`` (3-4 min; ``--quick``: 2 min, smaller
samples; ``--report``: the tables of the last run).  Prints the tables of docs/benchmarks.md
and its summary rows, and writes bench/results/messaging.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS, save
from crossroll.messaging.addresses import L2_TO_L2_MESSENGER, MESSAGE_OUTBOX
from crossroll.messaging.relaycall import RELAY_SELECTOR, RELAY_SETTLED_SELECTOR
from crossroll.messaging.store import MessageRecord
from crossroll.rollup.abi import calldata
from crossroll.types import CallRequest
from msgnet import (
    DEST,
    KINDS,
    NOOP,
    NOOP_CODE,
    SOURCE,
    STORE,
    STORE_CODE,
    Devnet,
    Sent,
    da_cost,
    random_gaps,
)
from msgreport import STAGES, report, summary_rows

HOUR, DAY = 3600, 24 * 3600
WINDOWS = {"7 days (default)": 7 * DAY, "1 hour": HOUR, "12 s": 12}


def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))]


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "p95": pct(values, 0.95),
        "min": min(values),
        "max": max(values),
    }


def all_relayed(dev: Devnet, sent: Sequence[Sent]) -> Callable[[], bool]:
    def done() -> bool:
        return all(r is not None and r.relayed is not None for r in dev.records(sent))

    return done


# ------------------------------------------------------------------ destination gas
def relay_gas(dev: Devnet, rounds: int) -> dict[str, Any]:
    """Each kind sent ``rounds`` times (one of each per round, all relayed before the next):
    the first relay writes fresh storage, the later ones the same slots again."""
    out: dict[str, dict[str, list[int]]] = {
        k: {"relay": [], "send": [], "bytes": []} for k in KINDS
    }
    for _ in range(rounds):
        sent = dev.send(KINDS)
        dev.until(all_relayed(dev, sent), step=6)
        with dev.net.lock:
            for s, record in zip(sent, dev.records(sent), strict=True):
                assert record is not None and record.relay_tx_hash is not None
                relay = dev.dst.receipt(record.relay_tx_hash)
                send = dev.src.receipt(s.tx_hash)
                assert relay is not None and relay.status == 1 and send is not None
                tx, _ = dev.dst.transaction(record.relay_tx_hash)
                out[s.kind]["relay"].append(relay.gas_used)
                out[s.kind]["send"].append(send.gas_used)
                out[s.kind]["bytes"].append(len(tx.raw))
    return {
        kind: {
            "first": v["relay"][0],
            "steady": statistics.median(v["relay"][1:] or v["relay"]),
            "send": statistics.median(v["send"][1:] or v["send"]),
            "tx_bytes": statistics.median(v["bytes"]),
            "all": v["relay"],
        }
        for kind, v in out.items()
    }


def append_gas(dev: Devnet) -> int:
    """Execution gas of ``MessageOutbox.append`` in ``sendMessage`` (the settled path's cost
    on the source, paid by every message): the call as the messenger, minus its intrinsic
    gas, on the current outbox."""
    data = calldata("append(bytes32)", b"\x11" * 32)
    request = CallRequest(sender=L2_TO_L2_MESSENGER, to=MESSAGE_OUTBOX, data=data)
    with dev.net.lock:
        result = dev.src.call(request)
    assert result.success
    return result.gas_used - 21_000 - sum(16 if b else 4 for b in data)


# ------------------------------------------------------------------ latency
def fast_latency(dev: Devnet, count: int, seed: int) -> dict[str, Any]:
    sent: list[Sent] = []
    for gap in random_gaps(count, 4.0, seed):
        dev.step(gap)
        sent += dev.send(["small call"])
    dev.until(all_relayed(dev, sent))
    rows: list[dict[str, float]] = []
    for s, r in zip(sent, dev.records(sent), strict=True):
        assert r is not None and r.relayed is not None and r.path == "fast"
        assert r.relayed.timestamp is not None and r.sent.timestamp is not None
        assert r.relayed.block_number is not None
        rows.append(
            {
                "blocks": r.relayed.block_number - s.dest_head,
                "seconds": r.relayed.timestamp - s.submitted,
                "block_to_block": r.relayed.timestamp - r.sent.timestamp,
            }
        )
    blocks = [int(row["blocks"]) for row in rows]
    return {
        "samples": count,
        "blocks": summary([row["blocks"] for row in rows]),
        "seconds": summary([row["seconds"] for row in rows]),
        "block_to_block": summary([row["block_to_block"] for row in rows]),
        "blocks_histogram": {str(b): blocks.count(b) for b in sorted(set(blocks))},
    }


def stage_times(s: Sent, r: MessageRecord) -> dict[str, float]:
    """Seconds after submission at which each stage happened: block timestamps (source L2
    block, the L1 blocks of the batch, the output and the hub's proof, the destination's
    relay block) and the clock time 902's SettledInbox learned the root."""
    assert r.batched and r.output_proposed and r.settled and r.relayed
    times = {
        "sent": r.sent.timestamp,
        "batched": r.batched.timestamp,
        "outputProposed": r.output_proposed.timestamp,
        "provenOnL1": r.settled.timestamp,
        "rootOn902": r.settled.at,
        "relayed": r.relayed.timestamp,
    }
    return {k: float(v) - s.submitted for k, v in times.items() if v is not None}


def settled_latency(dev: Devnet, window: int, count: int, seed: int) -> dict[str, Any]:
    sent: list[Sent] = []
    for gap in random_gaps(count, 4.0, seed):
        dev.step(gap)
        sent += dev.send(["small call"])

    def before() -> float | None:
        """Past all outputs, nothing happens until the window ends: jump to 30 minutes
        before the first output finalizes."""
        records = dev.records(sent)
        pending = [r for r in records if r is None or r.relayed is None]
        if not pending or any(r is None or r.output_proposed is None for r in pending):
            return None
        if any(r is not None and r.settled is not None for r in pending):
            return None
        first = min(r.output_proposed.timestamp or 0 for r in pending if r and r.output_proposed)
        return first + window - 1800

    dev.until(all_relayed(dev, sent), step=6, before=before)
    rows = [stage_times(s, r) for s, r in zip(sent, dev.records(sent), strict=True) if r]
    assert all(r is not None and r.path == "settled" for r in dev.records(sent))
    return {
        "samples": count,
        "window": window,
        "stages": {k: summary([row[k] for row in rows]) for k in STAGES},
    }


# ------------------------------------------------------------------ batches
class RelayerTimer:
    """Wall and CPU time inside the relayer's send (call data and proof, the one simulation
    that sets the gas, signing, pool admission with the fast-path check) and, within it, in
    the simulation (the destination's ``call`` of the relay at the block gas limit), in pool
    admission (``send_raw_transaction``) and in building settled proofs."""

    PARTS = ("send", "simulate", "admit", "proof")

    def __init__(self, dev: Devnet) -> None:
        relayer = dev.net.messaging.relayer
        assert relayer is not None and relayer.proofs is not None
        chain = relayer.chains[DEST]
        self.wall = dict.fromkeys(self.PARTS, 0.0)
        self.cpu = dict.fromkeys(self.PARTS, 0.0)
        self.sends = 0
        # Only the relayer's own calls count, not other services', nor the guard's second
        # simulation of a fast relay during admission (counted as admission).
        self._inside = self._admitting = False
        send, call, admit = relayer._send, chain.call, chain.send_raw_transaction

        def timed(part: str, fn: Callable[..., Any], counted: Callable[..., bool]) -> Any:
            def wrapper(*args: Any, **kw: Any) -> Any:
                if not counted(*args, **kw):
                    return fn(*args, **kw)
                t0, c0 = time.perf_counter(), time.thread_time()
                try:
                    return fn(*args, **kw)
                finally:
                    self.wall[part] += time.perf_counter() - t0
                    self.cpu[part] += time.thread_time() - c0

            return wrapper

        def sending(*args: Any, **kw: Any) -> Any:
            self._inside, self.sends = True, self.sends + 1
            try:
                return send(*args, **kw)
            finally:
                self._inside = False

        def admitting(*args: Any, **kw: Any) -> Any:
            self._admitting = True
            try:
                return admit(*args, **kw)
            finally:
                self._admitting = False

        def simulation(*args: Any, **kw: Any) -> bool:
            # The relay itself, not the relayer's successfulMessages lookup.
            request: CallRequest = args[0] if args else kw["request"]
            relay = request.data[:4] in (RELAY_SELECTOR, RELAY_SETTLED_SELECTOR)
            return self._inside and not self._admitting and relay

        relayer._send = timed("send", sending, lambda *_, **__: True)  # type: ignore[method-assign]
        chain.call = timed("simulate", call, simulation)  # type: ignore[method-assign]
        chain.send_raw_transaction = timed(  # type: ignore[method-assign]
            "admit", admitting, lambda *_, **__: self._inside
        )
        relayer.proofs = timed("proof", relayer.proofs, lambda *_, **__: True)

    def reset(self) -> None:
        self.wall = dict.fromkeys(self.PARTS, 0.0)
        self.cpu = dict.fromkeys(self.PARTS, 0.0)
        self.sends = 0


def batches(dev: Devnet, sizes: Sequence[int], path: str) -> list[dict[str, Any]]:
    """For each size N: N small-call messages submitted at once, relayed by autorelay; the
    L1 cost of their sends (901) and relays (902) posted as one channel each, the settled
    path's proofs on the L1, and the relayer's wall time."""
    timer = RelayerTimer(dev)
    out = []
    for n in sizes:
        proofs_before = len(dev.settler.settled)
        timer.reset()
        sent = dev.send(["small call"] * n)
        t0, c0 = time.perf_counter(), time.thread_time()
        dev.until(all_relayed(dev, sent), step=2 if path == "fast" else 6)
        wall, cpu = time.perf_counter() - t0, time.thread_time() - c0
        records = dev.records(sent)
        assert all(r is not None and r.path == path for r in records)
        send_hashes = {s.tx_hash for s in sent}
        relay_hashes = {r.relay_tx_hash for r in records if r is not None}
        with dev.net.lock:
            src_blocks = dev.blocks(dev.src, (r.sent.block_number or 0 for r in records if r))
            dst_blocks = dev.blocks(
                dev.dst, (r.relayed.block_number or 0 for r in records if r and r.relayed)
            )
            sends = da_cost(src_blocks, dev.origin_of(SOURCE), send_hashes.__contains__)
            relays = da_cost(dst_blocks, dev.origin_of(DEST), relay_hashes.__contains__)
            proofs = dev.settler.settled[proofs_before:]
            prove_gas = [dev.gas_used(dev.net.l1.chain, p.l1_tx_hash) for p in proofs]
            prove_bytes = [len(dev.net.l1.chain.transaction(p.l1_tx_hash)[0].data) for p in proofs]
            relay_gas = [dev.gas_used(dev.dst, h) for h in relay_hashes if h]
        out.append(
            {
                "n": n,
                "path": path,
                "sends": sends,
                "relays": relays,
                "source_blocks": len(src_blocks),
                "dest_blocks": len(dst_blocks),
                "prove_outbox_root_gas": prove_gas,
                "prove_outbox_root_calldata_bytes": prove_bytes,
                "relay_gas_median": statistics.median(relay_gas),
                "wall_s": wall,
                "cpu_s": cpu,
                "relayer_s": timer.wall["send"],
                "relayer_cpu_s": timer.cpu["send"],
                **{f"relayer_{k}_s": timer.wall[k] for k in RelayerTimer.PARTS[1:]},
                **{f"relayer_{k}_cpu_s": timer.cpu[k] for k in RelayerTimer.PARTS[1:]},
                "relay_attempts": timer.sends,
            }
        )
        relayer_s = timer.wall["send"]
        print(f"  {path} batch of {n}: {wall:.1f} s wall, relayer {relayer_s:.1f} s", flush=True)
    return out


# ------------------------------------------------------------------ anvil
def anvil_replay(raws: Sequence[bytes], dev: Devnet) -> dict[str, Any]:
    """The relayer's fast relay transactions replayed on anvil (chain id 902, the L2
    predeploys and targets placed with anvil_setCode): per relay one eth_estimateGas, one
    eth_sendRawTransaction (automine) and one receipt, as a relayer does over JSON-RPC."""
    from common import Client
    from crossroll.chain.rules import L2Rules
    from crossroll.testing.tools import start_anvil
    from crossroll.types import Transaction

    with dev.net.lock:
        txs: list[Transaction] = [dev.dst.engine.decode_transaction(r) for r in raws]  # type: ignore[attr-defined]
    with start_anvil(None, "--chain-id", str(DEST)) as (url, proc):
        rpc = Client(url)
        for address, code in {**L2Rules.genesis_code, NOOP: NOOP_CODE, STORE: STORE_CODE}.items():
            rpc("anvil_setCode", "0x" + address.hex(), "0x" + code.hex())
        for address, balance in L2Rules.genesis_balances.items():
            rpc("anvil_setBalance", "0x" + address.hex(), hex(balance))
        t0, c0, a0 = time.perf_counter(), time.thread_time(), _cpu_of(proc.pid)
        estimate_s = 0.0
        for raw, tx in zip(raws, txs, strict=True):
            call = {
                "from": "0x" + tx.sender.hex(),
                "to": "0x" + (tx.to or b"").hex(),
                "data": "0x" + tx.data.hex(),
                "accessList": [
                    {
                        "address": "0x" + e.address.hex(),
                        "storageKeys": ["0x" + k.hex() for k in e.storage_keys],
                    }
                    for e in tx.access_list
                ],
            }
            e0 = time.perf_counter()
            rpc("eth_estimateGas", call)
            estimate_s += time.perf_counter() - e0
            receipt = rpc.wait_receipt(rpc("eth_sendRawTransaction", "0x" + raw.hex()))
            assert receipt["status"] == "0x1", receipt
        wall, client_cpu = time.perf_counter() - t0, time.thread_time() - c0
        anvil_cpu = _cpu_of(proc.pid) - a0
    return {
        "relays": len(raws),
        "wall_s": wall,
        "estimate_s": estimate_s,
        "anvil_cpu_s": anvil_cpu,
        "client_cpu_s": client_cpu,
    }


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small samples (a few minutes)")
    parser.add_argument("--no-anvil", action="store_true", help="skip the anvil replay")
    parser.add_argument(
        "--report", action="store_true", help="print the tables of the last saved run only"
    )
    args = parser.parse_args()
    if args.report:
        saved = RESULTS / "messaging.json"
        last = json.loads(saved.read_text())
        last["markdown"], last["summary"] = report(last), summary_rows(last)
        saved.write_text(json.dumps(last, indent=2) + "\n")
        print(last["markdown"])
        print(f"\nRows of the summary table:\n{last['summary']}")
        return
    sizes = [1, 10, 100] if args.quick else [1, 10, 100, 1000]
    samples, rounds = (10, 2) if args.quick else (50, 5)
    settled_samples = 5 if args.quick else 20
    started = time.perf_counter()
    res: dict[str, Any] = {"sizes": sizes}

    print("fast path", flush=True)
    dev = Devnet()
    try:
        dev.fund_tokens()
        res["fast"] = {"gas": relay_gas(dev, rounds), "outbox_append_gas": append_gas(dev)}
        res["fast"]["latency"] = fast_latency(dev, samples, seed=1)
        res["fast"]["batches"] = batches(dev, sizes, "fast")
        with dev.net.lock:
            relayer = dev.net.accounts[9].address
            raws = [
                tx.raw
                for n in range(1, dev.dst.head().number + 1)
                for tx in dev.dst.block(n).transactions
                if not tx.is_deposit and tx.sender == relayer
            ]
        if not args.no_anvil:
            res["anvil"] = anvil_replay(raws, dev)
    finally:
        dev.close()

    res["settled"] = {}
    for label, window in WINDOWS.items():
        print(f"settled path, challenge window {label}", flush=True)
        dev = Devnet(rollups__challenge_window=window, messaging__relay_path="settled")
        try:
            run: dict[str, Any] = {"latency": settled_latency(dev, window, settled_samples, seed=2)}
            if window == 12:
                dev.fund_tokens()
                res["settled_gas"] = relay_gas(dev, rounds)
                res["settled_batches"] = batches(dev, sizes, "settled")
            res["settled"][label] = run
        finally:
            dev.close()

    res["seconds"] = time.perf_counter() - started
    table = report(res)
    res["markdown"], res["summary"] = table, summary_rows(res)
    path = save("messaging", res)
    print(table)
    print(f"\nRows of the summary table:\n{res['summary']}")
    print(f"\n{path} ({res['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
