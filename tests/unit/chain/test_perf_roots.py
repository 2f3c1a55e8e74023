"""The engine's performance work must not change a single byte of any block.

A fixed workload (deploys, ERC-20 transfers, Probe set/clear, reverts, CREATE,
CREATE2, logs, anvil_set*, a snapshot revert, multi-transaction blocks) runs in
virtual time with a fixed genesis timestamp; every block's hash (which commits
to the state, transactions and receipts roots), every receipt and a set of
historical reads are digested and compared with the digest recorded before the
optimisations (py-evm 0.12.1b1 without any speedup).  The workload is fully
deterministic, so the digest is pinned.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from eth_abi import encode

from crossroll.chain import Chain, ChainConfig
from crossroll.clock import VirtualClock
from crossroll.contracts import load
from crossroll.types import Block, CallRequest
from tests.unit.chain.helpers import GWEI, START, calldata, sign

ROOT = Path(__file__).resolve().parents[3]

#: sha256 over every block, receipt and read of :func:`run_workload`, recorded
#: before any performance change.
EXPECTED_DIGEST = "f008c7616ca297cf568a4f674784edb3264fa4baa8712ffbe338f124083e5a5d"


def _block_record(block: Block) -> list[str]:
    h = block.header
    out = [
        f"block {h.number} {h.hash.hex()} state={h.state_root.hex()} "
        f"txs={h.transactions_root.hex()} receipts={h.receipts_root.hex()} "
        f"gas={h.gas_used} bloom={h.logs_bloom.hex()} size={h.size}"
    ]
    for tx, rc in zip(block.transactions, block.receipts, strict=True):
        logs = ";".join(
            f"{lg.address.hex()}:{','.join(t.hex() for t in lg.topics)}:{lg.data.hex()}:{lg.log_index}"
            for lg in rc.logs
        )
        created = rc.contract_address.hex() if rc.contract_address else "-"
        out.append(
            f"  tx {tx.hash.hex()} status={rc.status} gas={rc.gas_used} "
            f"cum={rc.cumulative_gas_used} price={rc.effective_gas_price} "
            f"created={created} logs={logs}"
        )
    return out


def run_workload() -> list[str]:
    """Run the fixed workload; return one line per block, receipt and read."""
    clock = VirtualClock(start=START)
    chain = Chain(ChainConfig(genesis_timestamp=START), clock)
    alice, bob, carol = chain.dev_accounts[:3]
    keys = {a.address: a.private_key for a in (alice, bob, carol)}
    nonces = {a.address: 0 for a in (alice, bob, carol)}
    records: list[str] = []
    blocks: list[Block] = []

    def raw(sender: bytes, **fields: Any) -> bytes:
        nonce = nonces[sender]
        nonces[sender] += 1
        fields.setdefault("maxFeePerGas", 50 * GWEI)
        return sign(keys[sender], nonce=nonce, **fields)

    def send(sender: bytes, **fields: Any) -> bytes:
        return chain.send_raw_transaction(raw(sender, **fields))

    def receipt(tx_hash: bytes) -> Any:
        rc = chain.receipt(tx_hash)
        assert rc is not None
        return rc

    # Automine: one block per transaction.
    token_ctor = encode(["string", "string", "uint8", "uint256"], ["Test", "TST", 18, 10**24])
    t_hash = send(alice.address, data=load("TestToken").bytecode + token_ctor, gas=3_000_000)
    token = receipt(t_hash).contract_address
    p_hash = send(alice.address, data=load("Probe").bytecode, gas=3_000_000)
    probe = receipt(p_hash).contract_address
    assert token and probe
    for i in range(8):
        to = (0x1000 + i).to_bytes(20, "big")
        data = calldata("transfer(address,uint256)", ["address", "uint256"], [to, 10**18 + i])
        send(alice.address, to=token, data=data, gas=80_000)
    send(alice.address, to=bob.address, value=10**18)
    send(bob.address, to=carol.address, value=5 * 10**17, gas=21_000)
    for slot, value in [(1, 7), (2, 9), (1, 0), (0, 3), (2, 0)]:
        data = calldata("set(uint256,uint256)", ["uint256", "uint256"], [slot, value])
        send(alice.address, to=probe, data=data, gas=100_000)
    send(alice.address, to=probe, data=calldata("fail(string)", ["string"], ["nope"]), gas=100_000)
    send(
        alice.address,
        to=probe,
        data=calldata("failCustom(uint256)", ["uint256"], [42]),
        gas=100_000,
    )
    send(alice.address, to=probe, data=calldata("selfCreate()", [], []), gas=300_000)
    salt = b"\x11" * 32
    send(
        alice.address, to=probe, data=calldata("create2(bytes32)", ["bytes32"], [salt]), gas=300_000
    )
    # The same salt again: the CREATE2 collides, so the call reverts.
    send(
        alice.address, to=probe, data=calldata("create2(bytes32)", ["bytes32"], [salt]), gas=300_000
    )
    send(
        alice.address,
        to=probe,
        data=calldata(
            "emitLog(bytes32,bytes)", ["bytes32", "bytes"], [b"\x22" * 32, b"hello" * 20]
        ),
        gas=100_000,
    )
    send(alice.address, to=probe, data=calldata("increment()", [], []), gas=100_000)
    # Out of gas inside the call.
    send(
        alice.address,
        to=token,
        data=calldata("transfer(address,uint256)", ["address", "uint256"], [bob.address, 1]),
        gas=22_000,
    )
    blocks.extend(chain.store.blocks[1:])

    # anvil_set* changes, then manual mining with many transactions per block.
    chain.set_balance(carol.address, 123 * 10**18)
    chain.set_storage_at(probe, 5, 55)
    chain.set_nonce(carol.address, 3)
    nonces[carol.address] = 3
    chain.set_automine(False)
    clock.advance(12)
    for i in range(30):
        to = (0x2000 + i % 7).to_bytes(20, "big")
        data = calldata("transfer(address,uint256)", ["address", "uint256"], [to, 1 + i])
        send(alice.address, to=token, data=data, gas=80_000)
        if i % 5 == 0:
            data = calldata("set(uint256,uint256)", ["uint256", "uint256"], [100 + i, i])
            send(bob.address, to=probe, data=data, gas=100_000)
        if i % 9 == 0:
            send(
                carol.address,
                to=probe,
                data=calldata("fail(string)", ["string"], ["x"]),
                gas=100_000,
            )
    blocks.extend(chain.mine())
    snap = chain.snapshot()
    for _ in range(10):
        send(bob.address, to=probe, data=calldata("increment()", [], []), gas=100_000)
    blocks.extend(chain.mine())
    mid_root = chain.state_root
    # Revert and build a different block on the same parent.
    chain.revert(snap)
    nonces[bob.address] -= 10
    for i in range(4):
        data = calldata(
            "set(uint256,uint256)", ["uint256", "uint256"], [200 + i, 0 if i % 2 else i]
        )
        send(bob.address, to=probe, data=data, gas=100_000)
    send(
        carol.address,
        to=probe,
        data=calldata("create2(bytes32)", ["bytes32"], [b"\x33" * 32]),
        gas=300_000,
    )
    clock.advance(30)
    blocks.extend(chain.mine(3))
    for block in blocks:
        records.extend(_block_record(block))
    for block in chain.store.blocks:  # the canonical chain after the revert
        records.append(f"canonical {block.number} {block.hash.hex()}")

    # Historical reads and calls.
    balance_of = calldata("balanceOf(address)", ["address"], [alice.address])
    for ref in (0, 3, 12, len(chain.store.blocks) - 4, "latest", "pending"):
        acct = chain.account(alice.address, ref)
        records.append(f"read {ref} {acct.nonce} {acct.balance} {acct.storage_root.hex()}")
        records.append(
            f"storage {ref} {chain.storage(probe, 1, ref)} {chain.storage(probe, 5, ref)}"
        )
        records.append(f"code {ref} {hashlib.sha256(chain.code(probe, ref)).hexdigest()}")
        try:
            out = chain.call(CallRequest(to=token, data=balance_of), ref).output.hex()
        except Exception as exc:
            out = type(exc).__name__
        records.append(f"call {ref} {out}")
    proof = chain.proof(probe, [0, 1, 5, 999])
    records.append("proof " + ",".join(p.hex() for p in proof.account_proof))
    for sp in proof.storage_proof:
        records.append(f"slot {sp.key} {sp.value} " + ",".join(p.hex() for p in sp.proof))
    records.append(
        f"orphaned root {mid_root.hex()} readable "
        f"{chain.engine.account(mid_root, bob.address).nonce}"
    )
    chain.close()
    return records


def digest(records: list[str]) -> str:
    return hashlib.sha256("\n".join(records).encode()).hexdigest()


def test_workload_blocks_are_byte_identical() -> None:
    records = run_workload()
    assert len([r for r in records if r.startswith("block ")]) >= 30
    assert digest(records) == EXPECTED_DIGEST, "\n".join(records)


def test_workload_without_speedups_is_byte_identical() -> None:
    """The same digest with every py-evm patch off (CROSSROLL_SPEEDUPS=0): the
    engine-level changes alone keep the bytes, and so do the patches."""
    code = (
        "from tests.unit.chain.test_perf_roots import run_workload, digest; "
        "print(digest(run_workload()))"
    )
    env = {**os.environ, "CROSSROLL_SPEEDUPS": "0"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    assert out == EXPECTED_DIGEST


def test_workload_is_deterministic() -> None:
    assert run_workload() == run_workload()


if __name__ == "__main__":  # record a new reference: python -m tests.unit.chain.test_perf_roots
    lines = run_workload()
    print("\n".join(lines))
    print(digest(lines))
