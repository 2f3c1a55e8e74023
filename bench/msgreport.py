"""The tables and sentences of docs/benchmarks.md ("Messaging") from the results of
``bench/messaging.py`` (a dict, as saved in bench/results/messaging.json)."""

from __future__ import annotations

from typing import Any

from msgnet import KINDS

HOUR, DAY = 3600, 24 * 3600
AGGLAYER_CLAIM = 95_577  # reference/bridges.md §3.6 (agglayer-contracts gas_report.md, min)
HYPERLANE = (151_966, 182_451)  # reference/bridges.md §4.2 (process + ISM, 1/1 .. 5/9)
GOAL = 5_000  # L1 gas per message at 1,000 messages per batch
STAGES = ("sent", "batched", "outputProposed", "provenOnL1", "rootOn902", "relayed")


def per_message(row: dict[str, Any]) -> dict[str, float]:
    n = row["n"]
    prove = sum(row["prove_outbox_root_gas"]) / n
    sends, relays = row["sends"], row["relays"]
    return {
        "bytes": (sends["posted_bytes"] + relays["posted_bytes"]) / n,
        "send_bytes": sends["posted_bytes"] / n,
        "relay_bytes": relays["posted_bytes"] / n,
        "calldata": (sends["calldata_l1_gas"] + relays["calldata_l1_gas"]) / n + prove,
        "blobs_l1": (sends["blob_l1_gas"] + relays["blob_l1_gas"]) / n + prove,
        "blob_gas": (sends["blob_gas"] + relays["blob_gas"]) / n,
        "prove": prove,
    }


def fmt(x: float) -> str:
    return f"{x:,.0f}"


def report(res: dict[str, Any]) -> str:
    lines: list[str] = []
    add = lines.append
    fast = res["fast"]["latency"]
    add(
        "**Fast path latency** (autorelay, default settings; "
        f"{fast['samples']} messages submitted at random times)\n"
    )
    add("| | median | p95 | min | max |")
    add("|---|---|---|---|---|")
    for key, label in (
        ("blocks", "902 blocks after submission (the relay is in the k-th)"),
        ("seconds", "seconds, submission -> relay block's timestamp"),
        ("block_to_block", "seconds, source block -> relay block"),
    ):
        v = fast[key]
        cells = " | ".join(_num(v[k]) for k in ("median", "p95", "min", "max"))
        add(f"| {label} | {cells} |")
    add("")
    add(
        "**Settled path latency** (seconds after submission, median of "
        f"{next(iter(res['settled'].values()))['latency']['samples']} messages; p95 in brackets)\n"
    )
    add("| stage | " + " | ".join(res["settled"]) + " |")
    add("|---" * (len(res["settled"]) + 1) + "|")
    labels = {
        "sent": "sent (source block)",
        "batched": "batched (L1 block)",
        "outputProposed": "output proposed (L1 block)",
        "provenOnL1": "outbox root proven on the hub (L1 block)",
        "rootOn902": "global root known on 902",
        "relayed": "relayed (902 block)",
    }
    for stage in STAGES:
        durations = []
        for run in res["settled"].values():
            v = run["latency"]["stages"][stage]
            durations.append(f"{_dur(v['median'])} ({_dur(v['p95'])})")
        add(f"| {labels[stage]} | " + " | ".join(durations) + " |")
    durations = []
    for run in res["settled"].values():
        v, window = run["latency"]["stages"]["relayed"], run["latency"]["window"]
        durations.append(f"{_dur(v['median'] - window)} ({_dur(v['p95'] - window)})")
    add("| relayed, minus the window | " + " | ".join(durations) + " |")
    add("")
    add(
        "**Destination gas per relay** (receipt gasUsed of the relayer's transaction; "
        "first relay / later relays of the same kind)\n"
    )
    add("| message | fast: relayMessage | settled: relaySettledMessage | send on 901 |")
    add("|---|---|---|---|")
    sgas = res["settled_gas"]
    for kind in KINDS:
        f, s = res["fast"]["gas"][kind], sgas[kind]
        add(
            f"| {kind} | {fmt(f['first'])} / **{fmt(f['steady'])}** | "
            f"{fmt(s['first'])} / **{fmt(s['steady'])}** | {fmt(f['send'])} |"
        )
    add(f"| AggLayer claimAsset (min) | {fmt(AGGLAYER_CLAIM)} | | |")
    add(f"| Hyperlane process + ISM, before handle | {fmt(HYPERLANE[0])}-{fmt(HYPERLANE[1])} | | |")
    add("")
    add(
        f"Of each send, `MessageOutbox.append` (the settled path's leaf) is "
        f"{fmt(res['fast']['outbox_append_gas'])} gas of execution."
    )
    proofs = [
        (g, b)
        for row in res["settled_batches"]
        for g, b in zip(
            row["prove_outbox_root_gas"], row["prove_outbox_root_calldata_bytes"], strict=True
        )
    ]
    add(
        f"`proveOutboxRoot` on the L1: {', '.join(fmt(g) for g, _ in proofs)} gas "
        f"({', '.join(fmt(b) for _, b in proofs)} bytes of calldata), one per settlement."
    )
    add("")
    add(
        "**L1 gas per message** (send + relay transactions posted by the batchers, "
        "columnar + brotli-11; settled: + proveOutboxRoot / N)\n"
    )
    add(
        "| path | messages per batch | posted bytes / msg (send + relay) | calldata: L1 gas / msg "
        "| blobs: L1 gas / msg | blobs: blob gas / msg | of which proveOutboxRoot |"
    )
    add("|---|---|---|---|---|---|---|")
    for row in res["fast"]["batches"] + res["settled_batches"]:
        p = per_message(row)
        add(
            f"| {row['path']} | {fmt(row['n'])} | {p['bytes']:.0f} ({p['send_bytes']:.0f} + "
            f"{p['relay_bytes']:.0f}) | {fmt(p['calldata'])} | {fmt(p['blobs_l1'])} | "
            f"{fmt(p['blob_gas'])} | {fmt(p['prove'])}{_proofs(row)} |"
        )
    add("")
    add("**Relaying, wall clock** (batch of the largest size; CPU: this thread's, or anvil's)\n")
    add("| | relays | wall s | relays / s | CPU s | relays / CPU s |")
    add("|---|---|---|---|---|---|")

    def row_of(label: str, n: int | str, wall: float, cpu: float | None) -> None:
        rate = f"{n / wall:.1f}" if isinstance(n, int) else ""
        cpu_s = "" if cpu is None else f"{cpu:.1f}"
        cpu_rate = f"{n / cpu:.1f}" if isinstance(n, int) and cpu else ""
        add(f"| {label} | {n} | {wall:.1f} | {rate} | {cpu_s} | {cpu_rate} |")

    for row in (res["fast"]["batches"][-1], res["settled_batches"][-1]):
        n, p = row["n"], row["path"]
        row_of(
            f"{p}: relayer (call data and proof, one simulation, signing, admission)",
            n,
            row["relayer_s"],
            row["relayer_cpu_s"],
        )
        parts = [("simulate", "of which the simulation (the relay at the block gas limit)")]
        if p == "fast":
            parts.append(("admit", "of which pool admission (the guard runs the relay again)"))
        else:
            parts.append(("admit", "of which pool admission"))
            parts.append(("proof", "of which the proofs (outbox tree from the source's logs)"))
        for key, label in parts:
            row_of(f"{p}: {label}", "", row[f"relayer_{key}_s"], row[f"relayer_{key}_cpu_s"])
        row_of(
            f"{p}: end to end (blocks of both rollups, indexer, relayer)",
            n,
            row["wall_s"],
            row["cpu_s"],
        )
    if res.get("anvil"):
        a = res["anvil"]
        row_of(
            "anvil 1.7.1: the fast relays again, eth_estimateGas + send + receipt over JSON-RPC",
            a["relays"],
            a["wall_s"],
            a["anvil_cpu_s"],
        )
        row_of("anvil: of which eth_estimateGas", "", a["estimate_s"], None)
    add("")
    add(comparisons(res))
    return "\n".join(lines)


def summary_rows(res: dict[str, Any]) -> str:
    """The messaging rows of the summary table at the top of docs/benchmarks.md."""
    big = {
        row["path"]: per_message(row)
        for row in res["fast"]["batches"] + res["settled_batches"]
        if row["n"] == max(res["sizes"])
    }
    f, s = big["fast"], big["settled"]
    met = "yes" if max(f["calldata"], s["calldata"]) <= GOAL else "no"
    lat = res["fast"]["latency"]
    blocks, seconds = lat["block_to_block"], lat["seconds"]
    next_block = blocks["max"] <= 2  # 2 s: one block of the 2 s rollups
    return "\n".join(
        [
            f"| messaging issue: ≤ {GOAL / 1000:.0f}k L1 gas per message amortized at "
            f"{fmt(max(res['sizes']))} messages | fast **{fmt(f['calldata'])}** with calldata "
            f"DA, **{fmt(f['blobs_l1'])}** + {fmt(f['blob_gas'])} blob gas with blobs; settled "
            f"**{fmt(s['calldata'])}** / **{fmt(s['blobs_l1'])}** + {fmt(s['blob_gas'])} blob "
            f"gas (`proveOutboxRoot` included) | {met} |",
            "| messaging issue: fast-path latency vs OP interop (next L2 block, 2 s) and Across (~2 s "
            f"fill) | **next 902 block**: {_num(blocks['max'])} s from the source block for all "
            f"{lat['samples']} messages; {_num(seconds['median'])} s median, "
            f"{_num(seconds['p95'])} s p95 from submission | "
            f"{'yes' if next_block else 'no'} |",
        ]
    )


def comparisons(res: dict[str, Any]) -> str:
    """The ratios against the references and the issue's goal, as sentences."""
    fast, settled = res["fast"]["gas"], res["settled_gas"]
    erc20 = fast["ERC-20 transfer"]["steady"], settled["ERC-20 transfer"]["steady"]
    empty = fast["empty call"]["steady"], settled["empty call"]["steady"]
    big = {
        row["path"]: per_message(row)
        for row in res["fast"]["batches"] + res["settled_batches"]
        if row["n"] == max(res["sizes"])
    }
    out = [
        f"- ERC-20 relay / AggLayer claimAsset ({fmt(AGGLAYER_CLAIM)}): fast "
        f"**{erc20[0] / AGGLAYER_CLAIM:.2f}x**, settled **{erc20[1] / AGGLAYER_CLAIM:.2f}x**.",
        f"- Relay overhead (empty call) / Hyperlane process + 1-of-1 ISM ({fmt(HYPERLANE[0])}, "
        f"before handle): fast **{empty[0] / HYPERLANE[0]:.2f}x**, settled "
        f"**{empty[1] / HYPERLANE[0]:.2f}x**.",
    ]
    for path, p in big.items():
        met = "met" if p["calldata"] <= GOAL else "not met"
        out.append(
            f"- {path} path at {fmt(max(res['sizes']))} messages per batch: "
            f"**{fmt(p['calldata'])}** L1 gas per message with calldata DA (goal <= "
            f"{fmt(GOAL)}: {met}); with blobs **{fmt(p['blobs_l1'])}** L1 gas plus "
            f"{fmt(p['blob_gas'])} blob gas per message."
        )
    if res.get("anvil"):
        a, f, s = res["anvil"], res["fast"]["batches"][-1], res["settled_batches"][-1]
        theirs = a["relays"] / a["wall_s"]
        ours = {"fast": f["n"] / f["relayer_s"], "settled": s["n"] / s["relayer_s"]}
        out.append(
            "- Relays per second, crossroll's relayer in-process (one simulation per relay) / "
            "anvil over JSON-RPC (eth_estimateGas + send + receipt per relay, as Supersim's "
            f"relayer asks of it): fast **{ours['fast'] / theirs:.2f}x** "
            f"({ours['fast']:.1f} vs {theirs:.1f}), settled "
            f"**{ours['settled'] / theirs:.2f}x** ({ours['settled']:.1f} vs {theirs:.1f})."
        )
    return "\n".join(out)


def _proofs(row: dict[str, Any]) -> str:
    count = len(row["prove_outbox_root_gas"])
    return f" ({count} settlements)" if count > 1 else ""


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _dur(seconds: float) -> str:
    if seconds >= DAY:
        return f"{seconds / DAY:.2f} d"
    if seconds >= 2 * HOUR:
        return f"{seconds / HOUR:.2f} h"
    if seconds >= 600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.0f} s"
