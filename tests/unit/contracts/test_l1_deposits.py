"""Deposits on the L1 chain: OptimismPortal.depositTransaction / receive and the
L1StandardBridge, with OP's TransactionDeposited event, opaqueData encoding and aliasing."""

from __future__ import annotations

import pytest
from eth_abi import decode

from crossroll.types import Receipt
from tests.unit.contracts.conftest import (
    ALICE,
    BOB,
    ETHER,
    OUTPUT_ROOT_PROOF_TUPLE,
    WITHDRAWAL_TUPLE,
    Node,
    Settlement,
    abi_surface,
    address_of,
    alias,
    calldata,
    logs_of,
    selector,
    topic,
)

DEPOSITED = "TransactionDeposited(address,address,uint256,bytes)"
DEPOSIT = "depositTransaction(address,uint256,uint64,bool,bytes)"
ZERO = b"\x00" * 20


def opaque(mint: int, value: int, gas_limit: int, creation: bool, data: bytes) -> bytes:
    return (
        mint.to_bytes(32, "big")
        + value.to_bytes(32, "big")
        + gas_limit.to_bytes(8, "big")
        + bytes([creation])
        + data
    )


def deposited(receipt: Receipt, portal: bytes) -> tuple[bytes, bytes, int, bytes]:
    """(from, to, version, opaqueData) of the receipt's single TransactionDeposited log."""
    [log] = logs_of(receipt, portal, DEPOSITED)
    return (
        log.topics[1][12:],
        log.topics[2][12:],
        int.from_bytes(log.topics[3], "big"),
        decode(["bytes"], log.data)[0],
    )


def test_known_selectors_and_topics() -> None:
    """Pinned against OP's deployed contracts, so OP tooling finds crossroll's events and calls."""
    assert topic(DEPOSITED).hex() == (
        "b3813568d9991fc951961fcb4c784893574240a28925604d09fc577c55bb7c32"
    )
    assert topic("MessagePassed(uint256,address,address,uint256,uint256,bytes,bytes32)").hex() == (
        "02a52367d10742d8032712c1bb8e0144ff1ec5ffda1ed7d70bb05a2744955054"
    )
    assert selector(DEPOSIT).hex() == "e9e05c42"
    prove = (
        f"proveWithdrawalTransaction({WITHDRAWAL_TUPLE},uint256,{OUTPUT_ROOT_PROOF_TUPLE},bytes[])"
    )
    assert selector(prove).hex() == "4870496f"
    assert selector(f"finalizeWithdrawalTransaction({WITHDRAWAL_TUPLE})").hex() == "8c3152e9"


def test_portal_abi_has_ops_surface() -> None:
    ops = {
        f"function {DEPOSIT}",
        f"function proveWithdrawalTransaction({WITHDRAWAL_TUPLE},uint256,{OUTPUT_ROOT_PROOF_TUPLE},bytes[])",
        f"function finalizeWithdrawalTransaction({WITHDRAWAL_TUPLE})",
        "function provenWithdrawals(bytes32)",
        "function finalizedWithdrawals(bytes32)",
        "function l2Sender()",
        "function l2Oracle()",
        "function L2_ORACLE()",
        "function minimumGasLimit(uint64)",
        "function isOutputFinalized(uint256)",
        "function donateETH()",
        "function paused()",
        f"event {DEPOSITED}",
        "event WithdrawalProven(bytes32,address,address)",
        "event WithdrawalFinalized(bytes32,bool)",
    }
    trie_errors = {
        "error InvalidRLP()",
        "error ProofTooShort()",
        "error ProofTooLong()",
        "error BadNodeHash(uint256)",
        "error MalformedNode()",
    }
    assert abi_surface("OptimismPortal") == ops | trie_errors
    bridge = abi_surface("L1StandardBridge")
    assert {
        "function bridgeETH(uint32,bytes)",
        "function bridgeETHTo(address,uint32,bytes)",
        "function depositETH(uint32,bytes)",
        "function depositETHTo(address,uint32,bytes)",
        "event ETHBridgeInitiated(address,address,uint256,bytes)",
        "event ETHDepositInitiated(address,address,uint256,bytes)",
    } <= bridge


def test_getters(settlement: Settlement, l1: Node) -> None:
    portal, oracle = settlement.portal, "0x" + settlement.oracle.hex()
    assert l1.view(portal, "l2Oracle()", returns=["address"]) == oracle
    assert l1.view(portal, "L2_ORACLE()", returns=["address"]) == oracle
    assert l1.view(portal, "paused()", returns=["bool"]) is False
    assert l1.view(portal, "l2Sender()", returns=["address"]) == "0x" + "00" * 18 + "dead"
    assert l1.view(settlement.bridge, "portal()", returns=["address"]) == "0x" + portal.hex()


def test_deposit_from_eoa(settlement: Settlement, l1: Node) -> None:
    portal, to = settlement.portal, address_of(BOB)
    before = l1.balance(portal)
    receipt = l1.transact(
        ALICE, portal, DEPOSIT, to, ETHER, 100_000, False, b"\xde\xad\xbe\xef", value=2 * ETHER
    )
    frm, dst, version, data = deposited(receipt, portal)
    assert (frm, dst, version) == (address_of(ALICE), to, 0)
    assert data == opaque(2 * ETHER, ETHER, 100_000, False, b"\xde\xad\xbe\xef")
    assert len(data) == 32 + 32 + 8 + 1 + 4
    assert l1.balance(portal) == before + 2 * ETHER  # locked in the portal


def test_contract_creation_deposit(settlement: Settlement, l1: Node) -> None:
    portal = settlement.portal
    initcode = bytes.fromhex("600a600c600039600a6000f3602a60005260206000f3")
    receipt = l1.transact(ALICE, portal, DEPOSIT, ZERO, 0, 200_000, True, initcode)
    frm, dst, _, data = deposited(receipt, portal)
    assert (frm, dst) == (address_of(ALICE), ZERO)
    assert data == opaque(0, 0, 200_000, True, initcode)
    assert l1.reverts(ALICE, portal, DEPOSIT, address_of(BOB), 0, 200_000, True, initcode) == (
        "OptimismPortal: must send to address(0) when creating a contract"
    )


def test_contract_sender_is_aliased(settlement: Settlement, l1: Node, probe_l1: bytes) -> None:
    portal = settlement.portal
    inner = calldata(DEPOSIT, address_of(BOB), 5, 50_000, False, b"")
    receipt = l1.transact(ALICE, probe_l1, "forward(address,bytes)", portal, inner, value=5)
    frm, dst, _, data = deposited(receipt, portal)
    assert frm == alias(probe_l1) != probe_l1
    assert (
        int.from_bytes(frm, "big")
        == (int.from_bytes(probe_l1, "big") + 0x1111000000000000000000000000000000001111) % 2**160
    )
    assert dst == address_of(BOB)
    assert data == opaque(5, 5, 50_000, False, b"")


def test_deposit_limits(settlement: Settlement, l1: Node) -> None:
    portal = settlement.portal
    data = b"\x01" * 10
    assert l1.view(portal, "minimumGasLimit(uint64)", 10, returns=["uint64"]) == 21_160
    assert l1.reverts(ALICE, portal, DEPOSIT, address_of(BOB), 0, 21_159, False, data) == (
        "OptimismPortal: gas limit too small"
    )
    l1.transact(ALICE, portal, DEPOSIT, address_of(BOB), 0, 21_160, False, data)
    assert l1.reverts(ALICE, portal, DEPOSIT, address_of(BOB), 0, 20_000_001, False, b"") == (
        "ResourceMetering: cannot buy more gas than available gas limit"
    )
    big = b"\x01" * 120_001
    assert (
        l1.reverts(
            ALICE, portal, DEPOSIT, address_of(BOB), 0, 19_999_999, False, big, gas=8_000_000
        )
        == "OptimismPortal: data too large"
    )


def test_receive_deposits_to_sender(settlement: Settlement, l1: Node) -> None:
    portal = settlement.portal
    receipt = l1.send(BOB, portal, b"", value=ETHER, gas=100_000)
    assert receipt.status == 1
    frm, dst, _, data = deposited(receipt, portal)
    assert frm == dst == address_of(BOB)
    assert data == opaque(ETHER, ETHER, 100_000, False, b"")
    # donateETH adds to the portal's balance without a deposit
    receipt = l1.transact(BOB, portal, "donateETH()", value=7)
    assert not logs_of(receipt, portal, DEPOSITED)
    assert l1.balance(portal) == ETHER + 7


BRIDGE_EVENTS = (
    "ETHDepositInitiated(address,address,uint256,bytes)",
    "ETHBridgeInitiated(address,address,uint256,bytes)",
)


@pytest.mark.parametrize(
    ("signature", "args", "recipient"),
    [
        ("bridgeETH(uint32,bytes)", (200_000, b"extra"), ALICE),
        ("bridgeETHTo(address,uint32,bytes)", (address_of(BOB), 50_000, b""), BOB),
        ("depositETH(uint32,bytes)", (0, b"x"), ALICE),
        ("depositETHTo(address,uint32,bytes)", (address_of(BOB), 1, b"yz"), BOB),
    ],
)
def test_bridge_eth(
    settlement: Settlement, l1: Node, signature: str, args: tuple, recipient: str
) -> None:
    bridge, portal, to = settlement.bridge, settlement.portal, address_of(recipient)
    min_gas, extra = args[-2], args[-1]
    receipt = l1.transact(ALICE, bridge, signature, *args, value=3 * ETHER)
    for event in BRIDGE_EVENTS:
        [log] = logs_of(receipt, bridge, event)
        assert log.topics[1:] == (address_of(ALICE).rjust(32, b"\x00"), to.rjust(32, b"\x00"))
        assert decode(["uint256", "bytes"], log.data) == (3 * ETHER, extra)
    # OP's order: ETHDepositInitiated, ETHBridgeInitiated, then the portal's deposit
    names = [lg.topics[0] for lg in receipt.logs]
    assert names == [topic(BRIDGE_EVENTS[0]), topic(BRIDGE_EVENTS[1]), topic(DEPOSITED)]
    frm, dst, _, data = deposited(receipt, portal)
    assert frm == alias(bridge) and dst == to
    assert data == opaque(3 * ETHER, 3 * ETHER, 21_000 + min_gas, False, b"")
    assert l1.balance(bridge) == 0 and l1.balance(portal) == 3 * ETHER


def test_bridge_eth_only_from_eoas(settlement: Settlement, l1: Node, probe_l1: bytes) -> None:
    bridge = settlement.bridge
    eoa_only = "StandardBridge: function can only be called from an EOA"
    for sig, args in [
        ("bridgeETH(uint32,bytes)", (0, b"")),
        ("depositETH(uint32,bytes)", (0, b"")),
    ]:
        assert (
            l1.reverts(
                ALICE, probe_l1, "forward(address,bytes)", bridge, calldata(sig, *args), value=1
            )
            == eoa_only
        )
    # ...but a contract may name its recipient
    inner = calldata("bridgeETHTo(address,uint32,bytes)", address_of(BOB), 0, b"")
    receipt = l1.transact(ALICE, probe_l1, "forward(address,bytes)", bridge, inner, value=1)
    [log] = logs_of(receipt, bridge, BRIDGE_EVENTS[1])
    assert log.topics[1][12:] == probe_l1
    # plain ETH to the bridge deposits to the sender, EOAs only
    receipt = l1.send(BOB, bridge, b"", value=ETHER, gas=200_000)
    assert receipt.status == 1
    frm, dst, _, data = deposited(receipt, settlement.portal)
    assert (frm, dst) == (alias(bridge), address_of(BOB))
    assert data == opaque(ETHER, ETHER, 221_000, False, b"")
    assert l1.reverts(ALICE, probe_l1, "forward(address,bytes)", bridge, b"", value=1) == eoa_only
