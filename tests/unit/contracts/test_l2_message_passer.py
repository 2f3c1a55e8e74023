"""L2ToL1MessagePasser at its predeploy address on the L2 chain: OP's ABI, storage layout,
versioned nonce, withdrawal hash, receive and burn."""

from __future__ import annotations

import pytest
import rlp
from eth_abi import decode
from eth_hash.auto import keccak

from tests.unit.contracts.conftest import (
    ALICE,
    BOB,
    ETHER,
    PASSER,
    Node,
    abi_surface,
    address_of,
    calldata,
    logs_of,
    withdrawal_hash,
    withdrawal_slot,
)

MESSAGE_PASSED = "MessagePassed(uint256,address,address,uint256,uint256,bytes,bytes32)"
VERSION = 1 << 240


def test_abi_is_ops() -> None:
    assert abi_surface("L2ToL1MessagePasser") == {
        "function MESSAGE_VERSION()",
        "function burn()",
        "function initiateWithdrawal(address,uint256,bytes)",
        "function messageNonce()",
        "function sentMessages(bytes32)",
        "event MessagePassed(uint256,address,address,uint256,uint256,bytes,bytes32)",
        "event WithdrawerBalanceBurnt(uint256)",
    }


def test_initiate_withdrawal(l2: Node) -> None:
    target = bytes.fromhex("00000000000000000000000000000000000000aa")
    assert l2.view(PASSER, "MESSAGE_VERSION()", returns=["uint16"]) == 1
    assert l2.view(PASSER, "messageNonce()", returns=["uint256"]) == VERSION
    for n, (value, gas_limit, data) in enumerate([(ETHER, 100_000, b""), (0, 21_000, b"\x12\x34")]):
        receipt = l2.transact(
            ALICE,
            PASSER,
            "initiateWithdrawal(address,uint256,bytes)",
            target,
            gas_limit,
            data,
            value=value,
        )
        w = (VERSION | n, address_of(ALICE), target, value, gas_limit, data)
        whash = withdrawal_hash(w)
        [log] = logs_of(receipt, PASSER, MESSAGE_PASSED)
        assert log.topics[1:] == (
            (VERSION | n).to_bytes(32, "big"),
            address_of(ALICE).rjust(32, b"\x00"),
            target.rjust(32, b"\x00"),
        )
        assert decode(["uint256", "uint256", "bytes", "bytes32"], log.data) == (
            value,
            gas_limit,
            data,
            whash,
        )
        assert l2.view(PASSER, "sentMessages(bytes32)", whash, returns=["bool"]) is True
        # OP's layout: sentMessages is the mapping at slot 0, the nonce counter at slot 1
        assert l2.chain.storage(PASSER, withdrawal_slot(whash)) == 1
        assert l2.chain.storage(PASSER, 1) == n + 1
    assert l2.view(PASSER, "messageNonce()", returns=["uint256"]) == VERSION | 2
    assert l2.balance(PASSER) == ETHER
    other = withdrawal_hash((VERSION | 9, address_of(ALICE), target, 0, 1, b""))
    assert l2.view(PASSER, "sentMessages(bytes32)", other, returns=["bool"]) is False


def test_withdrawal_hash_binds_every_field(l2: Node) -> None:
    target = address_of(BOB)
    receipt = l2.transact(
        ALICE, PASSER, "initiateWithdrawal(address,uint256,bytes)", target, 50_000, b"hi", value=7
    )
    [log] = logs_of(receipt, PASSER, MESSAGE_PASSED)
    whash = decode(["uint256", "uint256", "bytes", "bytes32"], log.data)[3]
    w = [VERSION, address_of(ALICE), target, 7, 50_000, b"hi"]
    assert withdrawal_hash(tuple(w)) == whash
    for i, changed in enumerate(
        [VERSION + 1, address_of(BOB), address_of(ALICE), 8, 50_001, b"ho"]
    ):
        v = list(w)
        v[i] = changed
        assert withdrawal_hash(tuple(v)) != whash


def test_receive_withdraws_to_sender(l2: Node) -> None:
    receipt = l2.send(BOB, PASSER, b"", value=3 * ETHER, gas=200_000)
    assert receipt.status == 1
    [log] = logs_of(receipt, PASSER, MESSAGE_PASSED)
    assert log.topics[2] == log.topics[3] == address_of(BOB).rjust(32, b"\x00")
    value, gas_limit, data, whash = decode(["uint256", "uint256", "bytes", "bytes32"], log.data)
    assert (value, gas_limit, data) == (3 * ETHER, 100_000, b"")
    assert whash == withdrawal_hash(
        (VERSION, address_of(BOB), address_of(BOB), 3 * ETHER, 100_000, b"")
    )


@pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode:DeprecationWarning")
def test_burn_destroys_the_balance(l2: Node) -> None:
    l2.send(BOB, PASSER, b"", value=5 * ETHER, gas=200_000)
    assert l2.balance(PASSER) == 5 * ETHER
    burner = keccak(rlp.encode([PASSER, l2.chain.account(PASSER).nonce]))[12:]
    receipt = l2.transact(ALICE, PASSER, "burn()")
    [log] = logs_of(receipt, PASSER, "WithdrawerBalanceBurnt(uint256)")
    assert int.from_bytes(log.topics[1], "big") == 5 * ETHER
    assert l2.balance(PASSER) == 0
    # the throwaway contract took the ETH with it: nothing is left at its address
    assert l2.balance(burner) == 0 and l2.chain.code(burner) == b""
    # burning nothing is fine
    receipt = l2.transact(ALICE, PASSER, "burn()")
    assert logs_of(receipt, PASSER, "WithdrawerBalanceBurnt(uint256)")[0].topics[1] == b"\x00" * 32


def test_calldata_helper_matches_selector() -> None:
    assert calldata("burn()").hex() == "44df8e70"
