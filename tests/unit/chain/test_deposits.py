"""OP-Stack deposit transactions (type 0x7E): encoding, Portal logs, execution, RPC."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
import rlp
from eth_abi import encode
from eth_hash.auto import keccak

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.deposits import (
    DEPOSIT_TX_TYPE,
    L2_TO_L1_MESSAGE_PASSER,
    TRANSACTION_DEPOSITED_TOPIC,
    DepositError,
    DepositTransaction,
    deposit_from_log,
    deposits_from_logs,
    parse_opaque_data,
    user_deposit_source_hash,
)
from crossroll.chain.engine.deposit_tx import DepositReceipt
from crossroll.chain.rules import L1Rules, L2Rules
from crossroll.clock import VirtualClock
from crossroll.contracts import load
from crossroll.errors import TransactionRejected
from crossroll.rpc import codec
from crossroll.types import CallRequest, DevAccount, Log
from tests.unit.chain.helpers import calldata, deploy, sign

FRESH = bytes.fromhex("1111111111111111111111111111111111111111")
TARGET = bytes.fromhex("2222222222222222222222222222222222222222")
ETH = 10**18
# Runtime code returning 42; initcode copies the 10-byte runtime and returns it.
RUNTIME = bytes.fromhex("602a60005260206000f3")
INITCODE = bytes.fromhex("600a600c600039600a6000f3") + RUNTIME


def dep(n: int = 1, **fields: Any) -> DepositTransaction:
    base: dict[str, Any] = {
        "source_hash": keccak(n.to_bytes(32, "big")),
        "sender": FRESH,
        "to": TARGET,
        "mint": 0,
        "value": 0,
        "gas": 100_000,
        "is_system_tx": False,
        "data": b"",
    }
    base.update(fields)
    return DepositTransaction(**base)


@pytest.fixture
def l2(clock: VirtualClock) -> Iterator[Chain]:
    c = Chain(ChainConfig(chain_id=901, rules=L2Rules), clock)
    yield c
    c.close()


# ------------------------------------------------------------------ encoding
def test_encoding_round_trip_and_hash() -> None:
    d = dep(mint=ETH, value=10**17, data=b"\x01\x02")
    raw = d.encode()
    assert raw[0] == DEPOSIT_TX_TYPE
    items = rlp.decode(raw[1:])
    assert items == [d.source_hash, FRESH, TARGET, b"\x0d\xe0\xb6\xb3\xa7\x64\x00\x00",
                     b"\x01\x63\x45\x78\x5d\x8a\x00\x00", b"\x01\x86\xa0", b"", b"\x01\x02"]  # fmt: skip
    assert DepositTransaction.decode(raw) == d
    assert d.hash == keccak(raw)
    creation = dep(to=None, is_system_tx=True)
    assert rlp.decode(creation.encode()[1:])[2] == b""
    assert rlp.decode(creation.encode()[1:])[6] == b"\x01"
    assert DepositTransaction.decode(creation.encode()) == creation


def test_hash_matches_anvil_optimism() -> None:
    # anvil 1.7.1 --optimism answered this hash for the same raw deposit.
    d = DepositTransaction(b"\x01" * 32, FRESH, TARGET, ETH, 10**17, 100_000, False, b"")
    assert d.hash.hex() == "29590dce31b56cc9094be3b8909ed10e61da1cee9d00ef982d2a8c5722003f6f"


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x02\xc0", b"\x7e\xc0", b"\x7e" + rlp.encode([b"\x00" * 31] + [b""] * 7)],
)
def test_decode_rejects_garbage(raw: bytes) -> None:
    with pytest.raises(DepositError):
        DepositTransaction.decode(raw)


def test_source_hash_domain() -> None:
    block = b"\xab" * 32
    inner = keccak(block + (7).to_bytes(32, "big"))
    assert user_deposit_source_hash(block, 7) == keccak(b"\x00" * 32 + inner)


# ------------------------------------------------------------- Portal logs
def _portal_log(opaque: bytes, version: int = 0, to: bytes = TARGET, index: int = 3) -> Log:
    return Log(
        address=b"\x99" * 20,
        topics=(
            TRANSACTION_DEPOSITED_TOPIC,
            b"\x00" * 12 + FRESH,
            b"\x00" * 12 + to,
            version.to_bytes(32, "big"),
        ),
        data=encode(["bytes"], [opaque]),
        block_number=5,
        block_hash=b"\xbb" * 32,
        transaction_hash=b"\xcc" * 32,
        transaction_index=0,
        log_index=index,
    )


def _opaque(mint: int, value: int, gas: int, creation: bool, data: bytes) -> bytes:
    return (
        mint.to_bytes(32, "big")
        + value.to_bytes(32, "big")
        + gas.to_bytes(8, "big")
        + bytes([creation])
        + data
    )


@pytest.mark.parametrize(
    ("mint", "value", "gas", "creation", "data"),
    [
        (0, 0, 21_000, False, b""),
        (ETH, 0, 100_000, False, b""),
        (ETH, ETH // 2, 100_000, False, b"\xde\xad\xbe\xef"),
        (0, 0, 500_000, True, INITCODE),
        (2**256 - 1, 2**256 - 1, 2**64 - 1, False, b"\x00" * 100),
    ],
)
def test_deposit_from_log_variants(
    mint: int, value: int, gas: int, creation: bool, data: bytes
) -> None:
    to = b"\x00" * 20 if creation else TARGET
    log = _portal_log(_opaque(mint, value, gas, creation, data), to=to)
    d = deposit_from_log(log)
    assert (d.mint, d.value, d.gas, d.data, d.sender) == (mint, value, gas, data, FRESH)
    assert d.to == (None if creation else TARGET)
    assert d.is_system_tx is False
    assert d.source_hash == user_deposit_source_hash(b"\xbb" * 32, 3)
    assert deposit_from_log(log, b"\x01" * 32).source_hash == user_deposit_source_hash(
        b"\x01" * 32, 3
    )
    assert parse_opaque_data(_opaque(mint, value, gas, creation, data))[3] is creation


def test_deposit_from_log_rejects() -> None:
    with pytest.raises(DepositError, match="version"):
        deposit_from_log(_portal_log(_opaque(0, 0, 21_000, False, b""), version=1))
    with pytest.raises(DepositError, match="short"):
        deposit_from_log(_portal_log(b"\x00" * 72))
    with pytest.raises(DepositError, match="isCreation"):
        deposit_from_log(_portal_log(b"\x00" * 72 + b"\x02"))
    other = _portal_log(_opaque(0, 0, 21_000, False, b""))
    wrong = dataclasses.replace(other, topics=(keccak(b"Other()"), *other.topics[1:]))
    with pytest.raises(DepositError, match="TransactionDeposited"):
        deposit_from_log(wrong)
    assert deposits_from_logs([wrong, other]) == [deposit_from_log(other)]
    assert deposits_from_logs([other], portal=b"\x01" * 20) == []


def test_real_portal_logs_become_deposits(clock: VirtualClock, l2: Chain) -> None:
    l1 = Chain(ChainConfig(chain_id=900, rules=L1Rules), clock)
    try:
        alice: DevAccount = l1.dev_accounts[0]
        portal = deploy(l1, alice, "OptimismPortal", encode(["address"], [b"\x42" * 20]))
        sig = "depositTransaction(address,uint256,uint64,bool,bytes)"
        types = ["address", "uint256", "uint64", "bool", "bytes"]
        calls = [
            ([TARGET, 0, 100_000, False, b""], ETH),
            ([TARGET, 10**17, 100_000, False, b"\x12\x34"], 2 * 10**17),
            ([b"\x00" * 20, 0, 300_000, True, INITCODE], 0),
        ]
        blocks = []
        for args, mint in calls:
            tx_hash = l1.send_transaction(
                CallRequest(sender=alice.address, to=portal, value=mint,
                            data=calldata(sig, types, args), gas=500_000)
            )  # fmt: skip
            receipt = l1.receipt(tx_hash)
            assert receipt is not None and receipt.status == 1
            blocks.append(receipt)
        logs = [log for r in blocks for log in r.logs]
        deposits = deposits_from_logs(logs, portal)
        assert len(deposits) == 3
        assert [d.mint for d in deposits] == [ETH, 2 * 10**17, 0]
        assert deposits[1].data == b"\x12\x34" and deposits[1].value == 10**17
        assert deposits[2].to is None and deposits[2].data == INITCODE
        assert all(d.sender == alice.address for d in deposits)
        assert deposits[0].source_hash == user_deposit_source_hash(
            blocks[0].block_hash, logs[0].log_index
        )
        before = l2.account(alice.address)
        block = l2.mine_with_deposits(deposits)
        assert [r.status for r in block.receipts] == [1, 1, 1]
        after = l2.account(alice.address)
        assert after.balance == before.balance + ETH + 2 * 10**17 - 10**17
        assert after.nonce == before.nonce + 3
        created = block.receipts[2].contract_address
        assert created is not None and l2.code(created) == RUNTIME
    finally:
        l1.close()


# --------------------------------------------------------------- execution
def test_rules_and_genesis(l2: Chain, chain: Chain) -> None:
    assert L2Rules.allow_deposits and not L1Rules.allow_deposits
    assert l2.code(L2_TO_L1_MESSAGE_PASSER) == load("L2ToL1MessagePasser").deployed_bytecode
    assert chain.code(L2_TO_L1_MESSAGE_PASSER) == b""
    with pytest.raises(TransactionRejected):
        chain.mine_with_deposits([dep()])
    assert chain.head().number == 0


def test_mint_to_fresh_account_and_value_transfer(l2: Chain) -> None:
    coinbase_before = l2.account(l2.config.coinbase).balance
    block = l2.mine_with_deposits([dep(mint=ETH, value=ETH // 4)])
    (tx,), (rc,) = block.transactions, block.receipts
    assert l2.account(FRESH).balance == ETH - ETH // 4  # no fee charged
    assert l2.account(FRESH).nonce == 1
    assert l2.account(TARGET).balance == ETH // 4
    assert (rc.status, rc.gas_used, rc.effective_gas_price) == (1, 21_000, 0)
    assert (rc.deposit_nonce, rc.deposit_receipt_version, rc.type) == (0, 1, 0x7E)
    assert tx.hash == dep(mint=ETH, value=ETH // 4).hash and tx.nonce == 0
    assert l2.account(l2.config.coinbase).balance == coinbase_before  # no tip
    assert l2.transaction(tx.hash)[1] == block
    assert l2.receipt(tx.hash) == rc
    assert block.header.gas_used == 21_000


def test_contract_creation_by_deposit(l2: Chain) -> None:
    l2.mine_with_deposits([dep(1, mint=1)])  # nonce 0 -> 1
    block = l2.mine_with_deposits([dep(2, to=None, gas=200_000, data=INITCODE)])
    rc = block.receipts[0]
    assert rc.status == 1 and rc.deposit_nonce == 1
    expected = keccak(rlp.encode([FRESH, 1]))[12:]
    assert rc.contract_address == expected
    assert l2.code(expected) == RUNTIME
    assert rc.gas_used < 200_000  # Regolith: actual gas, not the limit
    assert l2.account(FRESH).nonce == 2


def test_failed_deposit_keeps_mint_and_nonce(l2: Chain) -> None:
    # value above balance after the mint: the deposit fails as a whole
    block = l2.mine_with_deposits([dep(mint=5, value=ETH, gas=70_000)])
    rc = block.receipts[0]
    assert (rc.status, rc.gas_used, rc.logs) == (0, 70_000, ())
    assert l2.account(FRESH).balance == 5
    assert l2.account(FRESH).nonce == 1
    assert l2.account(TARGET).balance == 0
    assert block.header.gas_used == 70_000
    # gas below intrinsic gas, and a system deposit (unsupported since Regolith)
    block = l2.mine_with_deposits([dep(2, mint=1, gas=20_000), dep(3, is_system_tx=True)])
    assert [(r.status, r.gas_used, r.deposit_nonce) for r in block.receipts] == [
        (0, 20_000, 1),
        (0, 100_000, 2),
    ]
    assert l2.account(FRESH).nonce == 3 and l2.account(FRESH).balance == 6


def test_reverting_deposit_keeps_mint_and_nonce(l2: Chain) -> None:
    alice = l2.dev_accounts[0]
    probe = deploy(l2, alice, "Probe")
    fail = calldata("fail(string)", ["string"], ["no"])
    block = l2.mine_with_deposits([dep(to=probe, mint=ETH, value=7, data=fail)])
    rc = block.receipts[0]
    assert rc.status == 0 and 21_000 < rc.gas_used < 100_000
    assert l2.account(FRESH).balance == ETH
    assert l2.account(FRESH).nonce == 1
    assert l2.account(probe).balance == 0
    # and a log-emitting success
    emit = calldata("emitLog(bytes32,bytes)", ["bytes32", "bytes"], [b"\x05" * 32, b"hi"])
    block = l2.mine_with_deposits([dep(2, to=probe, data=emit)])
    (log,) = block.receipts[0].logs
    assert log.address == probe and log.topics[1] == b"\x05" * 32


def test_out_of_gas_deposit_uses_all_gas(l2: Chain) -> None:
    alice = l2.dev_accounts[0]
    probe = deploy(l2, alice, "Probe")
    setter = calldata("set(uint256,uint256)", ["uint256", "uint256"], [1, 1])
    block = l2.mine_with_deposits([dep(to=probe, mint=3, gas=30_000, data=setter)])
    rc = block.receipts[0]
    assert (rc.status, rc.gas_used) == (0, 30_000)
    assert l2.account(FRESH).balance == 3 and l2.account(FRESH).nonce == 1


def test_deposits_come_first_then_pool(l2: Chain) -> None:
    l2.set_automine(False)
    alice = l2.dev_accounts[0]
    raw = sign(alice.private_key, nonce=0, to=TARGET, value=1, chainId=901)
    pooled = l2.send_raw_transaction(raw)
    block = l2.mine_with_deposits([dep(1, mint=ETH), dep(2, value=1)])
    assert [t.type for t in block.transactions] == [0x7E, 0x7E, 2]
    assert block.transactions[2].hash == pooled
    assert [r.cumulative_gas_used for r in block.receipts] == [21_000, 42_000, 63_000]
    assert [r.deposit_nonce for r in block.receipts] == [0, 1, None]
    assert len(l2.pool) == 0
    assert l2.account(TARGET).balance == 2


def test_deposit_too_big_for_block_mines_nothing(l2: Chain) -> None:
    big = dep(gas=l2.head().header.gas_limit + 1)
    with pytest.raises(TransactionRejected):
        l2.mine_with_deposits([big])
    assert l2.head().number == 0


def test_send_raw_rejects_deposits(l2: Chain) -> None:
    with pytest.raises(TransactionRejected) as info:
        l2.send_raw_transaction(dep(mint=ETH).encode())
    assert str(info.value) == "Failed to decode transaction"
    assert info.value.code == -32602
    assert l2.account(FRESH).balance == 0


def test_receipt_root_uses_deposit_encoding() -> None:
    rc = DepositReceipt.decode(b"\x7e" + rlp.encode([b"\x01", 21_000, b"\x00" * 256, [], 4, 1]))
    assert rc.gas_used == 21_000 and rc.deposit_nonce == 4 and rc.deposit_receipt_version == 1
    assert rc.encode()[0] == 0x7E


# --------------------------------------------------------------------- RPC
def test_rpc_json_shapes(l2: Chain) -> None:
    d = dep(mint=ETH, value=5)
    block = l2.mine_with_deposits([d])
    tx, rc = block.transactions[0], block.receipts[0]
    j = codec.transaction_json(tx, block, 0)
    assert j["type"] == "0x7e" and j["sourceHash"] == "0x" + d.source_hash.hex()
    assert (j["mint"], j["value"], j["gasPrice"], j["nonce"]) == ("0xde0b6b3a7640000", "0x5",
                                                                  "0x0", "0x0")  # fmt: skip
    assert (j["v"], j["r"], j["s"]) == ("0x0", "0x0", "0x0")
    assert "isSystemTx" not in j and j["depositReceiptVersion"] == "0x1"
    assert "chainId" not in j and j["from"] == "0x" + FRESH.hex()
    pending = codec.transaction_json(d.to_transaction())
    assert pending["blockHash"] is None and "depositReceiptVersion" not in pending
    r = codec.receipt_json(rc, block.header)
    assert (r["type"], r["depositNonce"], r["depositReceiptVersion"]) == ("0x7e", "0x0", "0x1")
    assert r["effectiveGasPrice"] == "0x0"
    system = codec.transaction_json(dep(is_system_tx=True).to_transaction())
    assert system["isSystemTx"] is True


def test_web3_reads_a_block_with_a_deposit(l2: Chain, clock: VirtualClock) -> None:
    import threading

    from web3 import Web3
    from web3.providers.base import BaseProvider

    from crossroll.rpc import make_dispatcher
    from crossroll.rpc.inproc import InProcessClient

    lock = threading.RLock()
    dispatcher = make_dispatcher(l2, clock, lock)
    client = InProcessClient(dispatcher, lock)

    class Provider(BaseProvider):
        def make_request(self, method: Any, params: Any) -> Any:
            return {"jsonrpc": "2.0", "id": 1, "result": client.request(method, list(params))}

    try:
        alice = l2.dev_accounts[0]
        l2.set_automine(False)
        l2.send_raw_transaction(sign(alice.private_key, nonce=0, to=TARGET, value=1, chainId=901))
        d = dep(mint=ETH)
        l2.mine_with_deposits([d])
        w3 = Web3(Provider())
        block = w3.eth.get_block(1, full_transactions=True)
        txs = block["transactions"]
        assert len(txs) == 2
        first: Any = txs[0]
        # web3.py formats the standard fields; OP-only ones stay hex strings
        assert first["hash"] == d.hash and first["type"] == 0x7E
        assert int(first["mint"], 16) == ETH
        receipt = w3.eth.get_transaction_receipt(d.hash)
        assert receipt["status"] == 1 and receipt["gasUsed"] == 21_000
        assert receipt["depositNonce"] in (0, "0x0")
        fetched: Any = w3.eth.get_transaction(d.hash)
        assert fetched["sourceHash"] in (d.source_hash, "0x" + d.source_hash.hex())
        with pytest.raises(Exception, match="Failed to decode transaction"):
            w3.eth.send_raw_transaction(d.encode())
    finally:
        dispatcher.context.filters.close()


def test_fee_history_counts_deposits_as_zero_tip(l2: Chain) -> None:
    """op-geth: a deposit pays no tip; before the fix its reward was 0 - baseFee and
    eth_feeHistory failed with "negative quantity" (cast send calls it)."""
    l2.mine_with_deposits([dep(1), dep(2)])
    history = l2.fee_history(1, "latest", [10, 50, 90])
    assert history.reward == ((0, 0, 0),)
