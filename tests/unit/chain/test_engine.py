"""PyEvmEngine on its own: genesis, block building, base fee, decoding."""

from __future__ import annotations

import pytest
import rlp
from eth_hash.auto import keccak

from crossroll.chain import ChainConfig, PyEvmEngine, dev_accounts
from crossroll.chain.rules import CREATE2_DEPLOYER, CREATE2_DEPLOYER_CODE
from crossroll.errors import (
    InvalidSignature,
    OversizedTransaction,
    TransactionRejected,
    UnsupportedTransactionType,
    WrongChainId,
)
from crossroll.types import BlockEnv, GenesisAccount
from tests.unit.chain.helpers import GWEI, sign

MNEMONIC = ChainConfig().mnemonic


@pytest.fixture
def engine() -> PyEvmEngine:
    cfg = ChainConfig(
        alloc=((b"\x42" * 20, GenesisAccount(balance=7, nonce=3, code=b"\x00", storage=((1, 2),))),)
    )
    return PyEvmEngine(cfg, dev_accounts(cfg.mnemonic, 3))


def test_dev_accounts_are_anvils() -> None:
    accts = dev_accounts(MNEMONIC, 2)
    assert accts[0].address.hex() == "f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
    assert accts[1].address.hex() == "70997970c51812dc3a010c7d01b50e0d17dc79c8"
    assert dev_accounts(MNEMONIC, 2) == accts


def test_genesis_alloc(engine: PyEvmEngine) -> None:
    header, root = engine.genesis(1_000)
    assert header.number == 0 and header.state_root == root
    assert header.base_fee_per_gas == GWEI and header.difficulty == 0
    assert header.gas_limit == 30_000_000 and header.timestamp == 1_000
    assert header.parent_beacon_block_root == b"\x00" * 32
    assert header.blob_gas_used == 0 and header.excess_blob_gas == 0
    assert header.hash == keccak(rlp.encode(engine.chaindb.get_block_header_by_hash(header.hash)))
    # anvil's eth_getCode of the CREATE2 deployer (recorded from anvil 1.7.1)
    assert engine.code(root, CREATE2_DEPLOYER) == CREATE2_DEPLOYER_CODE
    assert engine.account(root, engine.accounts[0].address).balance == 10_000 * 10**18
    acct = engine.account(root, b"\x42" * 20)
    assert (acct.balance, acct.nonce) == (7, 3)
    assert engine.code(root, b"\x42" * 20) == b"\x00"
    assert engine.storage(root, b"\x42" * 20, 1) == 2


def _transfer(engine: PyEvmEngine, nonce: int, **kw: object) -> bytes:
    fields = {"to": engine.accounts[1].address, "value": 1, "nonce": nonce}
    fields.update(kw)
    return sign(engine.accounts[0].private_key, **fields)


def test_base_fee_block1_equals_genesis_then_eip1559(engine: PyEvmEngine) -> None:
    g, root = engine.genesis(1_000)
    txs = [engine.decode_transaction(_transfer(engine, n)) for n in range(3)]
    b1, rejected = engine.build_block(g, root, txs, BlockEnv(1_001, b"\x00" * 20))
    assert not rejected
    assert b1.header.base_fee_per_gas == g.base_fee_per_gas == GWEI
    assert b1.header.gas_used == 63_000
    b2, _ = engine.build_block(b1.header, b1.header.state_root, [], BlockEnv(1_002, b"\x00" * 20))
    target = 15_000_000
    expected = GWEI - GWEI * (target - 63_000) // target // 8
    assert b2.header.base_fee_per_gas == expected == 875_525_000
    b3, _ = engine.build_block(b2.header, b2.header.state_root, [], BlockEnv(1_003, b"\x00" * 20))
    assert b3.header.base_fee_per_gas == expected - expected // 8


def test_build_block_skips_invalid_and_keeps_history(engine: PyEvmEngine) -> None:
    g, root = engine.genesis(1_000)
    good = engine.decode_transaction(_transfer(engine, 0))
    gap = engine.decode_transaction(_transfer(engine, 5))
    b1, rejected = engine.build_block(g, root, [good, gap], BlockEnv(1_001, b"\x07" * 20))
    assert b1.transactions == (good,)
    assert [tx for tx, _ in rejected] == [gap]
    assert isinstance(rejected[0][1], TransactionRejected)
    alice = engine.accounts[0].address
    assert engine.account(root, alice).nonce == 0
    assert engine.account(b1.header.state_root, alice).nonce == 1
    assert b1.header.state_root != root
    # tip goes to the coinbase
    assert engine.account(b1.header.state_root, b"\x07" * 20).balance == 21_000 * GWEI
    # header hash is the keccak of the sealed header, size the rlp of the block
    evm_header = engine.chaindb.get_block_header_by_hash(b1.hash)
    assert b1.hash == keccak(rlp.encode(evm_header))
    assert b1.header.size > 500


def test_decode_types(engine: PyEvmEngine) -> None:
    key = engine.accounts[0].private_key
    to = engine.accounts[1].address
    legacy = engine.decode_transaction(sign(key, to=to, nonce=0, gasPrice=GWEI))
    assert (legacy.type, legacy.chain_id, legacy.gas_price) == (0, 31337, GWEI)
    unprotected = engine.decode_transaction(sign(key, to=to, nonce=0, gasPrice=GWEI, chainId=None))
    assert unprotected.chain_id is None and unprotected.v in (27, 28)
    al = engine.decode_transaction(
        sign(
            key,
            to=to,
            nonce=0,
            gasPrice=GWEI,
            gas=30_000,
            accessList=[{"address": "0x" + "11" * 20, "storageKeys": ["0x" + "00" * 31 + "01"]}],
        )
    )
    assert al.type == 1 and al.access_list[0].address == b"\x11" * 20
    assert al.access_list[0].storage_keys == ((1).to_bytes(32, "big"),)
    dyn = engine.decode_transaction(sign(key, to=to, nonce=0))
    assert (dyn.type, dyn.max_fee_per_gas, dyn.max_priority_fee_per_gas) == (2, 3 * GWEI, GWEI)
    for tx in (legacy, unprotected, al, dyn):
        assert tx.sender == engine.accounts[0].address
        assert tx.hash == keccak(tx.raw)


def test_decode_rejections(engine: PyEvmEngine) -> None:
    key = engine.accounts[0].private_key
    to = engine.accounts[1].address
    with pytest.raises(WrongChainId) as wrong:
        engine.decode_transaction(sign(key, to=to, nonce=0, chainId=1))
    assert (wrong.value.code, wrong.value.message) == (-32003, "invalid chain id for signer")
    good = sign(key, to=to, nonce=0)
    fields = rlp.decode(good[1:])
    fields[-1] = b"\xff" * 32
    with pytest.raises(InvalidSignature) as bad:
        engine.decode_transaction(b"\x02" + rlp.encode(fields))
    assert (bad.value.code, bad.value.message) == (-32602, "Failed to recover the signer")
    for raw in (b"\x02\xc0\x01\x02", b"\xde\xad\xbe\xef"):
        with pytest.raises(TransactionRejected) as junk:
            engine.decode_transaction(raw)
        assert (junk.value.code, junk.value.message) == (-32602, "Failed to decode transaction")
    with pytest.raises(TransactionRejected, match="Empty transaction data"):
        engine.decode_transaction(b"")
    for type_id in (3, 4, 5):
        with pytest.raises(UnsupportedTransactionType):
            engine.decode_transaction(bytes([type_id]) + rlp.encode([1, 2, 3]))
    with pytest.raises(OversizedTransaction):
        engine.decode_transaction(
            sign(key, to=to, nonce=0, gas=5_000_000, data=b"\x01" * (128 * 1024 + 1))
        )


def test_oversized_initcode_is_a_refused_transaction_not_a_failed_block() -> None:
    """py-evm raises OutOfGas for initcode over EIP-3860's limit; the engine must refuse the
    transaction (a based rollup's or a verifier's block would otherwise fail for good)."""
    from crossroll.chain import Chain, ChainConfig
    from crossroll.chain.rules import L2Rules
    from crossroll.clock import VirtualClock
    from crossroll.rollup.transact import sign_1559

    chain = Chain(
        ChainConfig(chain_id=901, rules=L2Rules, automine=False), VirtualClock(start=1_700_000_000)
    )
    key = chain.dev_accounts[1].private_key
    big = sign_1559(
        key, chain_id=901, nonce=0, tip=10**9, max_fee=10**10, gas=1_000_000, to=None,
        value=0, data=b"\x00" * 50_000,
    )  # fmt: skip
    tx = chain.engine.decode_transaction(big)
    block, rejected = chain.build([tx], chain.head().header.timestamp + 1)
    assert block.transactions == ()
    assert [(t.hash, "EIP-3860" in str(e)) for t, e in rejected] == [(tx.hash, True)]
