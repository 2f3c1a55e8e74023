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
import sys
import time
import urllib.request

from common import Client, free_port, save
from crossroll.testing.tools import tool_path


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=0.5) as r:
            return r.status == 200
    except OSError:
        return False


def _answers(url: str) -> bool:
    try:
        Client(url)("eth_chainId")
        return True
    except OSError:
        return False


def time_crossroll() -> float:
    l1, l2, admin = free_port(), free_port(), free_port()
    while l2 + 1 in (l1, admin):
        l2 = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crossroll.cli.main",
            "up",
            "--l1-port",
            str(l1),
            "--l2-starting-port",
            str(l2),
            "--admin-port",
            str(admin),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not _ready(f"http://127.0.0.1:{admin}/ready"):
            if proc.poll() is not None:
                raise RuntimeError("crossroll up exited")
            time.sleep(0.005)
        return time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(10)


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
            pending = [u for u in pending if not _answers(u)]
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
