"""Receipts, logs, filters, calls, reverts and gas estimation on a real chain."""

from __future__ import annotations

import pytest
import rlp
from eth_abi import encode
from eth_hash.auto import keccak

from crossroll.chain import Chain
from crossroll.errors import ChainError, ExecutionReverted, OutOfGas, UnknownAccount
from crossroll.types import CallRequest, DevAccount, LogFilter
from tests.unit.chain.helpers import GWEI, balance_of, calldata, sign

TRANSFER = keccak(b"Transfer(address,address,uint256)")


def _word(address: bytes) -> bytes:
    return address.rjust(32, b"\x00")


def test_deploy_receipt(chain: Chain, alice: DevAccount, token: bytes) -> None:
    block = chain.head()
    (receipt,) = block.receipts
    assert receipt.contract_address == token == keccak(rlp.encode([alice.address, 0]))[12:]
    assert receipt.to is None and receipt.sender == alice.address
    assert receipt.block_hash == block.hash and receipt.transaction_index == 0
    assert receipt.cumulative_gas_used == receipt.gas_used == block.header.gas_used
    assert receipt.effective_gas_price == GWEI + GWEI  # base fee 1 gwei + default tip
    assert chain.code(token) != b""
    assert balance_of(chain, token, alice.address) == 10**24


def test_transfers_receipts_and_logs(
    chain: Chain, alice: DevAccount, bob: DevAccount, token: bytes
) -> None:
    chain.set_automine(False)
    hashes = []
    for i in range(3):
        data = calldata("transfer(address,uint256)", ["address", "uint256"], [bob.address, 10 + i])
        hashes.append(
            chain.send_raw_transaction(
                sign(alice.private_key, to=token, nonce=1 + i, gas=100_000, data=data)
            )
        )
    assert chain.receipt(hashes[0]) is None
    (block,) = chain.mine()
    assert [tx.hash for tx in block.transactions] == hashes
    cumulative = 0
    for i, receipt in enumerate(block.receipts):
        cumulative += receipt.gas_used
        assert receipt.cumulative_gas_used == cumulative and receipt.status == 1
        (log,) = receipt.logs
        assert log.log_index == i and log.transaction_index == i
        assert log.topics == (TRANSFER, _word(alice.address), _word(bob.address))
        assert int.from_bytes(log.data, "big") == 10 + i
        assert log.block_hash == block.hash
        bloom = int.from_bytes(receipt.logs_bloom, "big")
        assert bloom & int.from_bytes(block.header.logs_bloom, "big") == bloom != 0
    assert balance_of(chain, token, bob.address) == 33
    # filters
    every = LogFilter(from_block=0, to_block=block.number)
    assert len(chain.logs(every)) == 4  # 3 transfers + the mint at deployment
    to_bob = LogFilter(0, block.number, (token,), (None, None, (_word(bob.address),)))
    assert [lg.transaction_hash for lg in chain.logs(to_bob)] == hashes
    assert chain.logs(LogFilter(0, block.number, (b"\x01" * 20,))) == []
    assert chain.logs(LogFilter(0, 99, (), ((b"\x02" * 32,),))) == []
    assert len(chain.logs(LogFilter(0, 0, block_hash=block.hash))) == 3
    assert chain.transaction(hashes[1]) == (block.transactions[1], block)


def test_failed_transaction_receipt(chain: Chain, alice: DevAccount, probe: bytes) -> None:
    data = calldata("fail(string)", ["string"], ["nope"])
    tx_hash = chain.send_raw_transaction(
        sign(alice.private_key, to=probe, nonce=1, gas=100_000, data=data)
    )
    receipt = chain.receipt(tx_hash)
    assert receipt is not None and receipt.status == 0 and receipt.logs == ()
    assert chain.account(alice.address).nonce == 2


def test_call_reverts_like_anvil(chain: Chain, probe: bytes) -> None:
    with pytest.raises(ExecutionReverted) as reason:
        chain.call(CallRequest(to=probe, data=calldata("fail(string)", ["string"], ["nope"])))
    assert (reason.value.code, reason.value.message) == (3, "execution reverted: nope")
    assert reason.value.data.startswith("0x08c379a0")
    with pytest.raises(ExecutionReverted) as custom:
        chain.call(CallRequest(to=probe, data=calldata("failCustom(uint256)", ["uint256"], [7])))
    data = custom.value.data
    assert custom.value.message == f"execution reverted: custom error {data}"
    assert data == "0x" + (keccak(b"CustomFailure(uint256)")[:4] + encode(["uint256"], [7])).hex()
    with pytest.raises(ExecutionReverted) as est:
        chain.estimate_gas(CallRequest(to=probe, data=calldata("fail(string)", ["string"], ["x"])))
    assert est.value.message == "execution reverted: x"


def test_call_halts(chain: Chain) -> None:
    with pytest.raises(ChainError) as invalid:
        chain.call(CallRequest(data=b"\xfe"))
    assert (invalid.value.code, invalid.value.message) == (-32603, "EVM error InvalidFEOpcode")
    loop = bytes.fromhex("5b600056")  # JUMPDEST PUSH1 0 JUMP
    with pytest.raises(OutOfGas) as oog:
        chain.call(CallRequest(data=loop, gas=100_000))
    assert oog.value.message == "EVM error OutOfGas"


def test_call_state_and_estimate(chain: Chain, alice: DevAccount, probe: bytes) -> None:
    set_data = calldata("set(uint256,uint256)", ["uint256", "uint256"], [1, 99])
    root = chain.state_root
    result = chain.call(CallRequest(sender=alice.address, to=probe, data=set_data))
    assert result.success and chain.state_root == root
    assert chain.storage(probe, 1) == 0
    gas = chain.estimate_gas(CallRequest(sender=alice.address, to=probe, data=set_data))
    assert chain.estimate_gas(CallRequest(sender=alice.address, to=alice.address)) == 21_000
    ok = chain.call(CallRequest(sender=alice.address, to=probe, data=set_data, gas=gas))
    assert ok.success
    with pytest.raises(ChainError):
        chain.call(CallRequest(sender=alice.address, to=probe, data=set_data, gas=gas - 1))


def test_send_transaction(chain: Chain, alice: DevAccount, bob: DevAccount) -> None:
    tx_hash = chain.send_transaction(CallRequest(sender=alice.address, to=bob.address, value=5))
    tx, block = chain.transaction(tx_hash)
    assert block is not None and tx.type == 2 and tx.gas == 21_000
    assert chain.account(bob.address).balance == 10_000 * 10**18 + 5
    with pytest.raises(UnknownAccount) as unknown:
        chain.send_transaction(CallRequest(sender=b"\x11" * 20, to=bob.address))
    assert (unknown.value.code, unknown.value.message) == (-32602, "No Signer available")


def test_fees(chain: Chain, alice: DevAccount, bob: DevAccount) -> None:
    assert chain.gas_price() == 2 * GWEI  # anvil at genesis: 0x77359400
    assert chain.max_priority_fee() == GWEI
    chain.send_transaction(CallRequest(sender=alice.address, to=bob.address, value=1))
    chain.mine()
    history = chain.fee_history(3, "latest", [25, 75])
    assert history.oldest_block == 0
    assert history.base_fee_per_gas[:3] == (GWEI, GWEI, 875_175_000)
    assert len(history.base_fee_per_gas) == 4
    assert history.gas_used_ratio[1] == 21_000 / 30_000_000
    assert history.reward == ((0, 0), (GWEI, GWEI), (0, 0))
    assert chain.gas_price() == history.base_fee_per_gas[-1] + GWEI
    assert chain.fee_history(1, "latest", []).reward is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "execution reverted"),
        (
            bytes.fromhex("4e487b71") + (0x11).to_bytes(32, "big"),
            "execution reverted: panic: arithmetic underflow or overflow (0x11)",
        ),
        (
            bytes.fromhex("4e487b71") + (0x01).to_bytes(32, "big"),
            "execution reverted: panic: assertion failed (0x01)",
        ),
        (
            bytes.fromhex("4e487b71") + (0x99).to_bytes(32, "big"),
            "execution reverted: panic: unknown code (0x99)",
        ),
        (b"\x01", "execution reverted: \x01"),
        (bytes.fromhex("deadbeef"), "execution reverted: custom error 0xdeadbeef"),
    ],
)
def test_revert_messages_recorded_from_anvil(chain: Chain, data: bytes, message: str) -> None:
    echo = b"\xab" * 20
    chain.set_code(echo, bytes.fromhex("366000600037366000fd"))  # revert(calldata)
    with pytest.raises(ExecutionReverted) as info:
        chain.call(CallRequest(to=echo, data=data))
    assert (info.value.code, info.value.message, info.value.data) == (3, message, "0x" + data.hex())
