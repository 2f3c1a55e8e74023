"""The L1-attributes deposit: OP's Ecotone calldata and source hash (pinned against an OP
Mainnet transaction), and the L1Block predeploy storing what it carries."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.deposits import DepositError
from crossroll.chain.rules import L2Rules
from crossroll.clock import VirtualClock
from crossroll.errors import ExecutionReverted
from crossroll.rollup.abi import decode, selector
from crossroll.rollup.l1info import (
    L1_BLOCK,
    L1_INFO_DEPOSITOR,
    L1Info,
    l1_info_of,
    l1_info_source_hash,
)
from crossroll.types import CallRequest, L1BlockInfo

# OP Mainnet L2 block 0x798ad0b, transaction 0: its L1-attributes deposit
# (eth_getTransactionByHash 0xbc9329af…4df9 on OP Mainnet).
OP_CALLDATA = bytes.fromhex(
    "440a5e200000146b000f79c50000000000000003000000006725333f000000000141e287"
    "000000000000000000000000000000000000000000000000000000012439ee7e"
    "0000000000000000000000000000000000000000000000000000000063f363e9"
    "73e96e7145ff001c81b9562cba7b6104eeb12a2bc4ab9f07c27d45cd81a98662"
    "0000000000000000000000006887246668a3b87f54deb3b94ba47a6f63f32985"
)
OP_SOURCE_HASH = bytes.fromhex("04e9a69416471ead93b02f0c279ab11ca0b635db5c1726a56faf22623bafde52")
OP_TX_HASH = bytes.fromhex("bc9329afac05556497441e2b3ee4c5d4da7ca0b2a4c212c212d0739e94a24df9")
BATCHER = bytes.fromhex("6887246668a3b87f54deb3b94ba47a6f63f32985")


def test_op_mainnet_vector() -> None:
    info = L1Info.decode(OP_CALLDATA)
    assert info == L1Info(
        number=0x141E287,
        timestamp=0x6725333F,
        base_fee=0x12439EE7E,
        hash=bytes.fromhex("73e96e7145ff001c81b9562cba7b6104eeb12a2bc4ab9f07c27d45cd81a98662"),
        blob_base_fee=0x63F363E9,
        sequence_number=3,
        batcher_hash=bytes(12) + BATCHER,
        base_fee_scalar=0x146B,
        blob_base_fee_scalar=0xF79C5,
    )
    assert info.encode() == OP_CALLDATA
    assert info.source_hash == l1_info_source_hash(info.hash, 3) == OP_SOURCE_HASH
    deposit = info.deposit()
    assert (deposit.sender, deposit.to, deposit.gas) == (L1_INFO_DEPOSITOR, L1_BLOCK, 1_000_000)
    assert (deposit.mint, deposit.value, deposit.is_system_tx) == (0, 0, False)
    assert deposit.hash == OP_TX_HASH
    assert l1_info_of(deposit.to_transaction()) == info


def random_info(rng: random.Random) -> L1Info:
    return L1Info(
        number=rng.getrandbits(64),
        timestamp=rng.getrandbits(64),
        base_fee=rng.getrandbits(256),
        hash=rng.randbytes(32),
        blob_base_fee=rng.getrandbits(256),
        sequence_number=rng.getrandbits(64),
        batcher_hash=rng.randbytes(32),
        base_fee_scalar=rng.getrandbits(32),
        blob_base_fee_scalar=rng.getrandbits(32),
    )


def test_calldata_round_trip() -> None:
    rng = random.Random(7)
    for _ in range(200):
        info = random_info(rng)
        data = info.encode()
        assert len(data) == 164 and data[:4] == selector("setL1BlockValuesEcotone()")
        assert L1Info.decode(data) == info
    for bad in (OP_CALLDATA[:-1], OP_CALLDATA + b"\x00", b"\x00" * 4 + OP_CALLDATA[4:]):
        with pytest.raises(DepositError):
            L1Info.decode(bad)


def test_of_an_l1_block() -> None:
    block = L1BlockInfo(7, b"\x11" * 32, b"\x22" * 32, 1_700_000_084, 875_000_000, 1)
    info = L1Info.of(block, 2, BATCHER)
    assert (info.number, info.hash, info.timestamp) == (7, b"\x11" * 32, 1_700_000_084)
    assert (info.base_fee, info.blob_base_fee, info.sequence_number) == (875_000_000, 1, 2)
    assert info.batcher_hash == bytes(12) + BATCHER
    assert (info.base_fee_scalar, info.blob_base_fee_scalar) == (0, 0)


@pytest.fixture
def l2() -> Iterator[Chain]:
    config = ChainConfig(chain_id=901, rules=L2Rules, block_time=None, automine=True)
    chain = Chain(config, VirtualClock(start=1_700_000_000))
    yield chain
    chain.close()


def getter(chain: Chain, name: str, typ: str) -> object:
    out = chain.call(CallRequest(to=L1_BLOCK, data=selector(f"{name}()")))
    return decode([typ], out.output)[0]


def test_l1block_stores_what_the_deposit_carries(l2: Chain) -> None:
    info = random_info(random.Random(3))
    block = l2.mine_with_deposits([info.deposit()])
    assert l2.receipt(block.transactions[0].hash).status == 1
    expected = {
        "number": ("uint64", info.number),
        "timestamp": ("uint64", info.timestamp),
        "basefee": ("uint256", info.base_fee),
        "hash": ("bytes32", info.hash),
        "sequenceNumber": ("uint64", info.sequence_number),
        "blobBaseFeeScalar": ("uint32", info.blob_base_fee_scalar),
        "baseFeeScalar": ("uint32", info.base_fee_scalar),
        "batcherHash": ("bytes32", info.batcher_hash),
        "l1FeeOverhead": ("uint256", 0),
        "l1FeeScalar": ("uint256", 0),
        "blobBaseFee": ("uint256", info.blob_base_fee),
    }
    for name, (typ, value) in expected.items():
        assert getter(l2, name, typ) == value, name
    assert getter(l2, "DEPOSITOR_ACCOUNT", "address") == "0x" + L1_INFO_DEPOSITOR.hex()
    # OP's storage layout, slot by slot
    slots = [l2.storage(L1_BLOCK, i) for i in range(8)]
    assert slots[0] == info.number | info.timestamp << 64
    assert slots[1] == info.base_fee
    assert slots[2] == int.from_bytes(info.hash, "big")
    assert slots[3] == (
        info.sequence_number | info.blob_base_fee_scalar << 64 | info.base_fee_scalar << 96
    )
    assert slots[4] == int.from_bytes(info.batcher_hash, "big")
    assert slots[5:] == [0, 0, info.blob_base_fee]


def test_only_the_depositor_may_set_values(l2: Chain) -> None:
    data = random_info(random.Random(5)).encode()
    user = l2.dev_accounts[0].address
    with pytest.raises(ExecutionReverted) as raised:
        l2.call(CallRequest(sender=user, to=L1_BLOCK, data=data))
    assert raised.value.data == "0x" + selector("NotDepositor()").hex()
    ok = l2.call(CallRequest(sender=L1_INFO_DEPOSITOR, to=L1_BLOCK, data=data))
    assert ok.success
