"""Time from launch to ready: `crossroll up` (L1 + 2 rollups + admin) vs 3 anvil processes.

crossroll is ready when the admin server's GET /ready answers 200 (every chain serves);
the anvil trio is ready when all three answer eth_chainId.  Each is launched ``--runs``
times; the median is reported.

    python bench/startup.py --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time

from common import save
from crossroll.testing.tools import (
    answers,
    crossroll_command,
    devnet_ports,
    devnet_ready,
    free_port,
    stop_gracefully,
    tool_path,
)


def time_crossroll() -> float:
    l1, l2, admin = devnet_ports()
    ports = ("--l1-port", str(l1), "--l2-starting-port", str(l2), "--admin-port", str(admin))
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        crossroll_command("up", *ports), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        # a tight loop of our own (not wait_until), so the timing resolution is ~5 ms
        while not devnet_ready(f"http://127.0.0.1:{admin}"):
            if proc.poll() is not None:
                raise RuntimeError("crossroll up exited")
            time.sleep(0.005)
        return time.perf_counter() - t0
    finally:
        stop_gracefully(proc)


def time_anvil_trio() -> float:
    anvil = tool_path("anvil")
    assert anvil is not None, "run scripts/install-tools first"
    ports = [free_port() for _ in range(3)]
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(
            [
                str(anvil),
                "--port",
                str(p),
                "--chain-id",
                str(900 + i),
                "--prune-history",
                "--silent",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i, p in enumerate(ports)
    ]
    try:
        pending = [f"http://127.0.0.1:{p}" for p in ports]
        while pending:
            pending = [u for u in pending if not answers(u)]
            time.sleep(0.002)
        return time.perf_counter() - t0
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    cr = [time_crossroll() for _ in range(args.runs)]
    an = [time_anvil_trio() for _ in range(args.runs)]
    result = {
        "crossroll_up_s": [round(x, 3) for x in cr],
        "anvil_x3_s": [round(x, 3) for x in an],
        "crossroll_median_s": round(statistics.median(cr), 3),
        "anvil_x3_median_s": round(statistics.median(an), 3),
    }
    result["ratio"] = round(result["crossroll_median_s"] / result["anvil_x3_median_s"], 2)
    print(result)
    print("wrote", save("startup", {"args": vars(args), "results": result}))


if __name__ == "__main__":
    main()
