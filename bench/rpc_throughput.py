"""Signed ERC-20 transfers per second through JSON-RPC: crossroll node vs anvil.

Same client (bench/common.py), same pre-signed transactions, same run.  The rate is
reported per window of transactions, so a slowdown as the chain grows shows up.

Modes:
  wait  send a transaction, poll for its receipt, then send the next one (what a
        web3.py script or a forge broadcast does; one transaction per block in automine)
  send  send every transaction back to back, then wait for the last receipt

    python bench/rpc_throughput.py --txs 10000 --window 1000 --mode wait
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from common import (
    Client,
    anvil_node,
    crossroll_node,
    erc20_transfers,
    save,
    sign,
    token_address,
    token_deploy_tx,
)

SENDER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def run(url: str, txs: list[str], window: int, mode: str) -> dict[str, Any]:
    client = Client(url)
    rates = []
    t_all = time.perf_counter()
    for start in range(0, len(txs), window):
        chunk = txs[start : start + window]
        t0 = time.perf_counter()
        if mode == "wait":
            for raw in chunk:
                client.wait_receipt(client("eth_sendRawTransaction", raw))
        else:
            hashes = [client("eth_sendRawTransaction", raw) for raw in chunk]
            client.wait_receipt(hashes[-1])
        rates.append(len(chunk) / (time.perf_counter() - t0))
    total = time.perf_counter() - t_all
    head = int(client("eth_blockNumber"), 16)
    return {
        "rates": [round(r, 1) for r in rates],
        "overall": round(len(txs) / total, 1),
        "blocks": head,
        "seconds": round(total, 2),
    }


def bench(target: str, txs_count: int, window: int, mode: str) -> dict[str, Any]:
    node = crossroll_node() if target == "crossroll" else anvil_node()
    with node as url:
        client = Client(url)
        chain_id = int(client("eth_chainId"), 16)
        client.wait_receipt(client("eth_sendRawTransaction", sign(token_deploy_tx(chain_id))))
        txs = erc20_transfers(chain_id, token_address(SENDER), txs_count)
        result = run(url, txs, window, mode)
        last = client(
            "eth_getTransactionReceipt",
            client("eth_getBlockByNumber", "latest", False)["transactions"][-1],
        )
        assert last["status"] == "0x1", "the last transfer failed"
        return result


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--txs", type=int, default=10_000)
    ap.add_argument("--window", type=int, default=1_000)
    ap.add_argument("--mode", choices=["wait", "send"], default="wait")
    ap.add_argument("--targets", default="anvil,crossroll")
    args = ap.parse_args()
    results = {}
    for target in args.targets.split(","):
        results[target] = bench(target, args.txs, args.window, args.mode)
        print(target, results[target], flush=True)
    if "anvil" in results and "crossroll" in results:
        results["ratio"] = round(results["crossroll"]["overall"] / results["anvil"]["overall"], 2)
        print("crossroll / anvil:", results["ratio"])
    path = save(f"rpc_throughput_{args.mode}", {"args": vars(args), "results": results})
    print("wrote", path)


if __name__ == "__main__":
    main()
