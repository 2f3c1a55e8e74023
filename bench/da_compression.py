"""DA compression: bytes per L2 transaction for each batch codec x compressor.

Workloads (``crossroll.da.workload``): the standard mix (50 blocks x 100 txs, 40% ETH
transfers / 40% ERC-20 transfers / 20% DEX swaps) and 1,000 ERC-20 transfers alone.
For each codec x compressor: channel bytes per tx (overall, and the marginal bytes each
tx kind adds), compression ratio against the raw RLP of the signed txs, encode and
decode time, and the blob view (txs per blob, share of blob bytes that carry channel
data).

The floor: every signed tx carries a 65-byte ECDSA signature (r, s: 64 random bytes,
plus a parity bit) that no compressor shrinks.  ``columnar-nosig`` drops the signatures
and stores senders instead; it is ONLY valid for validity-proven settlement (the proof
attests the signatures), and its encode time includes recovering each sender.

Run: ``python bench/da_compression.py [--quick]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from common import save
from crossroll.da.batch import Batch, BatchCodec, L2BlockData, RlpCodec
from crossroll.da.blob import BLOB_SIZE, MAX_BLOB_DATA, encode_blob
from crossroll.da.channel import ChannelBuilder, channel_data, read_channel_data
from crossroll.da.columnar import ColumnarCodec, UnsignedColumnarCodec
from crossroll.da.compress import COMPRESSORS, Compressor
from crossroll.da.kzg import BlobSidecar
from crossroll.da.workload import KINDS, Workload, WorkloadConfig, erc20_only, generate

CODECS: list[BatchCodec] = [RlpCodec(), ColumnarCodec(), UnsignedColumnarCodec()]
REGISTRY = {c.version: c for c in CODECS}
FRAME_SIZE = MAX_BLOB_DATA - 1  # one frame per blob (derivation version byte + frame)


def without(batch: Batch, kinds: tuple[str, ...], drop: str) -> Batch:
    it = iter(kinds)
    blocks = []
    for b in batch.blocks:
        keep = tuple(tx for tx in b.transactions if next(it) != drop)
        blocks.append(L2BlockData(b.number, b.timestamp, b.parent_hash, keep))
    return Batch(tuple(blocks))


def channel_size(codec: BatchCodec, compressor: Compressor, batch: Batch) -> int:
    return len(channel_data([codec.encode(batch)], compressor))


def measure(w: Workload, codec: BatchCodec, compressor: Compressor, repeat: int) -> dict[str, Any]:
    n = len(w.kinds)
    raw = sum(len(tx) for tx in w.batch.transactions)
    enc = []
    for _ in range(repeat):
        t = time.perf_counter()
        data = channel_data([codec.encode(w.batch)], compressor)
        enc.append(time.perf_counter() - t)
    dec = []
    for _ in range(repeat):
        t = time.perf_counter()
        (decoded,) = read_channel_data(data, registry=REGISTRY)
        dec.append(time.perf_counter() - t)
    if codec.name != "columnar-nosig":
        assert decoded == w.batch
    per_kind = {}
    for kind in KINDS:
        count = w.kinds.count(kind)
        if not count:
            continue
        if count == n:
            per_kind[kind] = len(data) / n
        else:  # marginal: what this kind's txs add to the channel
            rest = channel_size(codec, compressor, without(w.batch, w.kinds, kind))
            per_kind[kind] = (len(data) - rest) / count
    frames = ChannelBuilder(codec, compressor, FRAME_SIZE).build(w.batch).frames
    blobs = len(frames)
    batcher_bytes = sum(1 + f.size for f in frames)  # derivation version + frame
    return {
        "workload": _label(w),
        "codec": codec.name,
        "compressor": compressor.name,
        "txs": n,
        "raw_rlp_bytes": raw,
        "codec_bytes": len(codec.encode(w.batch)),
        "channel_bytes": len(data),
        "bytes_per_tx": len(data) / n,
        "bytes_per_tx_by_kind": per_kind,
        "ratio_vs_raw_rlp": raw / len(data),
        "encode_ms": min(enc) * 1e3,
        "decode_ms": min(dec) * 1e3,
        "blobs": blobs,
        "txs_per_blob": n * MAX_BLOB_DATA / batcher_bytes,
        "blob_space_efficiency": len(data) / (blobs * BLOB_SIZE),
        "validity_proofs_only": codec.name == "columnar-nosig",
    }


def _label(w: Workload) -> str:
    c = w.config
    if c.mix == (0.0, 1.0, 0.0):
        return f"erc20-only {c.blocks * c.txs_per_block}"
    return f"mix {c.blocks}x{c.txs_per_block}"


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| workload | codec | compressor | B/tx | ETH | ERC-20 | swap | ratio | enc ms | dec ms "
        "| txs/blob | blob eff |"
    )
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        k = r["bytes_per_tx_by_kind"]
        kinds = " | ".join(f"{k[x]:.1f}" if x in k else "-" for x in KINDS)
        name = r["codec"] + (" ⚠" if r["validity_proofs_only"] else "")
        lines.append(
            f"| {r['workload']} | {name} | {r['compressor']} | {r['bytes_per_tx']:.1f} | {kinds} | "
            f"{r['ratio_vs_raw_rlp']:.2f} | {r['encode_ms']:.0f} | {r['decode_ms']:.0f} | "
            f"{r['txs_per_blob']:.0f} | {r['blob_space_efficiency']:.1%} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="5 blocks and 200 transfers")
    args = parser.parse_args()
    if args.quick:
        workloads = [generate(WorkloadConfig(blocks=5)), erc20_only(200)]
    else:
        workloads = [generate(), erc20_only(1000)]
    repeat = 1 if args.quick else 3
    rows = [
        measure(w, codec, comp, repeat)
        for w in workloads
        for codec in CODECS
        for comp in COMPRESSORS
    ]
    t = time.perf_counter()
    BlobSidecar.of(encode_blob(bytes(1000)))  # loads the setup
    load = time.perf_counter() - t
    t = time.perf_counter()
    BlobSidecar.of(encode_blob(bytes(range(256)) * 500))
    sidecar = time.perf_counter() - t
    print(table(rows))
    print("\n⚠ columnar-nosig omits signatures: only valid for validity-proven settlement.")
    print(
        f"Floor with signatures: 65 B/tx of r, s, y-parity. KZG commitment + proof per blob: "
        f"{sidecar * 1e3:.0f} ms (first use incl. setup load {load * 1e3:.0f} ms)."
    )
    raw_per_tx = {r["workload"]: r["raw_rlp_bytes"] / r["txs"] for r in rows}
    print(
        "Raw RLP bytes per signed tx: " + ", ".join(f"{k}: {v:.1f}" for k, v in raw_per_tx.items())
    )
    path = save(
        "da_compression",
        {
            "rows": rows,
            "signature_floor_bytes_per_tx": 65,
            "kzg_sidecar_ms": sidecar * 1e3,
            "kzg_setup_load_ms": load * 1e3,
            "max_blob_payload": MAX_BLOB_DATA,
            "note": "columnar-nosig is only valid for validity-proven settlement",
        },
    )
    print(f"saved {path}")


if __name__ == "__main__":
    main()
