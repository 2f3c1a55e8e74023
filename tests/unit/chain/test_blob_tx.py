"""EIP-4844 blob transactions (type 3) on the L1 chain: acceptance, execution,
blob gas accounting, sidecar delivery, and geth-style rejections."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import rlp
from eth_account import Account
from eth_hash.auto import keccak

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.blobtx import MAX_BLOBS_PER_BLOCK, sign_blob_transaction
from crossroll.chain.rules import ChainRules, L1Rules, L2Rules
from crossroll.clock import VirtualClock
from crossroll.da.blob import encode_blob
from crossroll.da.kzg import BlobSidecar
from crossroll.errors import TransactionRejected
from crossroll.l1.blobs import GAS_PER_BLOB, blob_base_fee, next_excess_blob_gas
from tests.unit.chain.helpers import GWEI, START

TO = bytes.fromhex("000000000000000000000000000000000000beef")
SIDECARS = [BlobSidecar.of(encode_blob(b"blob tx %d " % i * 300)) for i in range(7)]
OTHER = BlobSidecar.of(encode_blob(b"some other blob " * 300))


class L1:
    """An automining L1 chain with a sidecar sink."""

    def __init__(self, rules: type[ChainRules] = L1Rules) -> None:
        self.sunk: list[tuple[int, int, list[BlobSidecar]]] = []
        self.chain = Chain(
            ChainConfig(rules=rules, block_time=None),
            VirtualClock(start=START),
            on_sidecars=lambda n, ts, s: self.sunk.append((n, ts, s)),
        )
        self.key = self.chain.dev_accounts[0].private_key
        self.address = self.chain.dev_accounts[0].address
        self.nonce = 0

    def sign(self, blobs: int = 1, **fields: Any) -> bytes:
        args: dict[str, Any] = {
            "chain_id": self.chain.chain_id,
            "nonce": self.nonce,
            "to": TO,
            "sidecars": SIDECARS[:blobs],
            "max_fee_per_gas": 3 * GWEI,
            "max_priority_fee_per_gas": GWEI,
            "max_fee_per_blob_gas": 10 * GWEI,
        }
        args.update(fields)
        return sign_blob_transaction(self.key, **args)

    def send(self, raw: bytes) -> bytes:
        tx_hash = self.chain.send_raw_transaction(raw)
        self.nonce += 1
        return tx_hash

    def fingerprint(self) -> tuple[Any, ...]:
        c = self.chain
        return (c.head().hash, c.state_root, len(c.pool), c.account(self.address), len(self.sunk))


@pytest.fixture
def l1() -> Iterator[L1]:
    node = L1()
    yield node
    node.chain.close()


def test_blob_tx_is_mined_and_pays_blob_gas(l1: L1) -> None:
    before = l1.chain.account(l1.address).balance
    tx_hash = l1.send(l1.sign(blobs=2, value=123))
    receipt = l1.chain.receipt(tx_hash)
    assert receipt is not None and receipt.status == 1 and receipt.type == 3
    block = l1.chain.head()
    assert block.number == 1 and block.transactions[0].hash == tx_hash
    assert block.header.blob_gas_used == 2 * GAS_PER_BLOB
    assert block.header.excess_blob_gas == 0
    fee = blob_base_fee(block.header.excess_blob_gas or 0)
    spent = before - l1.chain.account(l1.address).balance
    assert spent == receipt.gas_used * receipt.effective_gas_price + 2 * GAS_PER_BLOB * fee + 123
    # the canonical form (no sidecar) is what the block holds and what is hashed
    tx = block.transactions[0]
    assert len(tx.raw) < 1000 and tx.raw[0] == 3
    assert tx_hash == keccak(tx.raw)
    # the sidecars reached the sink, with the block's number and timestamp
    assert l1.sunk == [(1, block.header.timestamp, SIDECARS[:2])]
    assert len(l1.chain.pool) == 0


def test_sink_can_be_registered_and_removed(l1: L1) -> None:
    seen: list[int] = []
    unsubscribe = l1.chain.on_sidecars(lambda n, ts, s: seen.append(len(s)))
    l1.send(l1.sign(blobs=3))
    unsubscribe()
    l1.send(l1.sign(blobs=1))
    assert seen == [3]
    assert [len(s) for _, _, s in l1.sunk] == [3, 1]


def test_no_more_than_six_blobs_per_block(l1: L1) -> None:
    l1.chain.set_automine(False)
    first = l1.send(l1.sign(blobs=4))
    second = l1.send(l1.sign(blobs=4))
    (b1,) = l1.chain.mine()
    assert [t.hash for t in b1.transactions] == [first]
    assert b1.header.blob_gas_used == 4 * GAS_PER_BLOB
    (b2,) = l1.chain.mine()
    assert [t.hash for t in b2.transactions] == [second]
    assert [n for n, _, _ in l1.sunk] == [1, 2]


def test_excess_blob_gas_evolves_per_eip4844(l1: L1) -> None:
    # 6 blobs per block (twice the target): excess grows by 3 blobs' gas per block
    # until the blob base fee leaves 1 wei.
    fees = []
    for _ in range(9):
        before = l1.chain.account(l1.address).balance
        tx_hash = l1.send(l1.sign(blobs=MAX_BLOBS_PER_BLOCK))
        block = l1.chain.head()
        parent = l1.chain.block(block.number - 1).header
        assert block.header.blob_gas_used == MAX_BLOBS_PER_BLOCK * GAS_PER_BLOB
        expected = next_excess_blob_gas(parent.excess_blob_gas or 0, parent.blob_gas_used or 0)
        assert block.header.excess_blob_gas == expected
        fee = blob_base_fee(expected)
        receipt = l1.chain.receipt(tx_hash)
        assert receipt is not None
        spent = before - l1.chain.account(l1.address).balance
        assert spent == receipt.gas_used * receipt.effective_gas_price + 786_432 * fee
        fees.append(fee)
    assert [l1.chain.block(n).header.excess_blob_gas for n in range(1, 10)] == [
        393_216 * n for n in range(9)
    ]
    assert fees[0] == 1 and fees[-1] == 2  # e**(3145728 / 3338477) ~ 2.57 -> 2
    # blocks without blobs bring it back down by the target each
    l1.chain.mine(2)
    head = l1.chain.head().header
    assert head.blob_gas_used == 0
    assert head.excess_blob_gas == 393_216 * 9 - 393_216
    assert l1.chain.blob_base_fee() == blob_base_fee(393_216 * 7)


def _reshape(raw: bytes, **parts: list[bytes]) -> bytes:
    body, blobs, commitments, proofs = rlp.decode(raw[1:])
    fields = {"blobs": blobs, "commitments": commitments, "proofs": proofs, **parts}
    return b"\x03" + rlp.encode([body, fields["blobs"], fields["commitments"], fields["proofs"]])


def _canonical(raw: bytes) -> bytes:
    return b"\x03" + rlp.encode(rlp.decode(raw[1:])[0])


S0 = SIDECARS[0]
REJECTIONS: list[tuple[str, Any, str]] = [
    ("no sidecar", lambda n: _canonical(n.sign()), "missing sidecar in blob transaction"),
    (
        "two blobs for one hash",
        lambda n: _reshape(n.sign(), blobs=[S0.blob, S0.blob]),
        "invalid number of 2 blobs compared to 1 blob hashes",
    ),
    (
        "no commitment",
        lambda n: _reshape(n.sign(), commitments=[]),
        "invalid number of 0 blob commitments compared to 1 blob hashes",
    ),
    (
        "two proofs",
        lambda n: _reshape(n.sign(), proofs=[S0.proof, S0.proof]),
        "invalid number of 2 blob proofs compared to 1 blob hashes",
    ),
    (
        "commitment not the versioned hash's",
        lambda n: _reshape(
            n.sign(), blobs=[OTHER.blob], commitments=[OTHER.commitment], proofs=[OTHER.proof]
        ),
        f"blob 0: computed hash 0x{OTHER.versioned_hash.hex()} mismatches transaction one "
        f"0x{S0.versioned_hash.hex()}",
    ),
    (
        "commitment does not match its blob",
        lambda n: _reshape(n.sign(), blobs=[OTHER.blob]),
        "invalid blob 0: can't verify opening proof",
    ),
    (
        "proof of another blob",
        lambda n: _reshape(n.sign(), proofs=[OTHER.proof]),
        "invalid blob 0: can't verify opening proof",
    ),
    (
        "seven blobs",
        lambda n: n.sign(blobs=7),
        "too many blobs in transaction: have 7, permitted 6",
    ),
    ("zero blobs", lambda n: n.sign(blobs=0), "blobless blob transaction"),
    ("contract creation", lambda n: n.sign(to=None), "Failed to decode transaction"),
    (
        "blob fee cap below the blob base fee",
        lambda n: n.sign(max_fee_per_blob_gas=0),
        "max fee per blob gas less than block blob gas fee: maxFeePerBlobGas: 0, blobBaseFee: 1",
    ),
    (
        "balance does not cover the blob fee cap",
        lambda n: n.sign(max_fee_per_blob_gas=10**22),
        "Insufficient funds for gas * price + value",
    ),
    ("truncated network form", lambda n: n.sign()[:-5], "Failed to decode transaction"),
]


@pytest.mark.parametrize(("case", "build", "message"), REJECTIONS, ids=[r[0] for r in REJECTIONS])
def test_rejections_change_nothing(l1: L1, case: str, build: Any, message: str) -> None:
    l1.send(l1.sign())  # some history first: block 1 with a blob tx
    before = l1.fingerprint()
    with pytest.raises(TransactionRejected) as info:
        l1.chain.send_raw_transaction(build(l1))
    assert info.value.message == message
    expected_code = -32602 if message == "Failed to decode transaction" else -32003
    assert info.value.code == expected_code
    assert l1.fingerprint() == before


def test_same_blob_tx_twice_is_already_known(l1: L1) -> None:
    l1.chain.set_automine(False)
    raw = l1.sign()
    l1.chain.send_raw_transaction(raw)
    with pytest.raises(TransactionRejected, match="transaction already imported"):
        l1.chain.send_raw_transaction(raw)


@pytest.mark.parametrize("rules", [ChainRules, L2Rules])
def test_dev_and_l2_chains_refuse_type_3(rules: type[ChainRules]) -> None:
    node = L1(rules)
    try:
        for raw in (node.sign(), _canonical(node.sign())):
            with pytest.raises(TransactionRejected) as info:
                node.chain.send_raw_transaction(raw)
            assert (info.value.code, info.value.message) == (
                -32602,
                "transaction type not supported",
            )
    finally:
        node.chain.close()


def test_revert_and_remine_hands_the_sidecars_again(l1: L1) -> None:
    snap = l1.chain.snapshot()
    l1.send(l1.sign(blobs=1))
    l1.chain.revert(snap)
    l1.nonce = 0
    l1.send(l1.sign(blobs=2))
    assert [(n, len(s)) for n, _, s in l1.sunk] == [(1, 1), (1, 2)]


def test_eip7594_cell_proof_form_is_refused(l1: L1) -> None:
    """eth_account 0.14's ``blobs=`` builds Osaka's network form (wrapper version 1,
    128 cell proofs per blob); a Cancun L1 takes only EIP-4844's (one proof per blob)."""
    tx = {
        "type": 3,
        "chainId": l1.chain.chain_id,
        "nonce": 0,
        "to": "0x000000000000000000000000000000000000bEEF",
        "value": 0,
        "gas": 21_000,
        "maxFeePerGas": 3 * GWEI,
        "maxPriorityFeePerGas": GWEI,
        "maxFeePerBlobGas": 10 * GWEI,
        "blobVersionedHashes": [S0.versioned_hash],
    }
    raw = bytes(Account.sign_transaction(tx, l1.key, blobs=[S0.blob]).raw_transaction)
    before = l1.fingerprint()
    with pytest.raises(TransactionRejected, match="Failed to decode transaction"):
        l1.chain.send_raw_transaction(raw)
    assert l1.fingerprint() == before
