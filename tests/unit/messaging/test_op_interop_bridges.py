"""OP interop's bridges on two in-process L2s (901 -> 902): SuperchainETHBridge over
ETHLiquidity, SuperchainTokenBridge over the ERC-7802 test token, relayed by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_hash.auto import keccak

from crossroll.chain.rules import L2Rules
from crossroll.clock import VirtualClock
from crossroll.messaging.addresses import (
    ETH_LIQUIDITY,
    ETH_LIQUIDITY_BALANCE,
    L2_TO_L2_MESSENGER,
    SUPERCHAIN_ETH_BRIDGE,
    SUPERCHAIN_TEST_TOKEN,
    SUPERCHAIN_TOKEN_BRIDGE,
)
from crossroll.messaging.l2tol2 import SENT_MESSAGE_TOPIC as SENT
from crossroll.messaging.l2tol2 import L2ToL2Message
from crossroll.rollup.abi import abi_decode, calldata
from crossroll.types import GenesisAccount
from tests.unit.messaging.test_op_interop import (
    DEST,
    L2,
    SOURCE,
    START,
    err,
    logs_of,
    make_pair,
    relay_args,
    send_message,
)

# ETHLiquidity and the bridge pay out by create-and-SELFDESTRUCT (OP's SafeSend).
pytestmark = pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode:DeprecationWarning")

ETHER = 10**18
TOKEN = SUPERCHAIN_TEST_TOKEN
SEND_ETH = "sendETH(address,uint256)"
SEND_ERC20 = "sendERC20(address,address,uint256,uint256)"
RELAY_ERC20 = "relayERC20(address,address,address,uint256)"
BALANCE_OF = "balanceOf(address)"
RECIPIENT = bytes.fromhex("00000000000000000000000000000000000b0b01")
#: Answers every call with 32 zero bytes: supportsInterface(...) == false.
NOT_7802 = bytes.fromhex("00000000000000000000000000000000000b0b02")


@pytest.fixture
def pair() -> Iterator[tuple[L2, L2]]:
    src, dst = make_pair(
        VirtualClock(start=START),
        alloc=((NOT_7802, GenesisAccount(code=bytes.fromhex("60205ff3"))),),
    )
    yield src, dst
    src.chain.close()
    dst.chain.close()


def test_genesis_liquidity_is_on_every_rollup(pair: tuple[L2, L2]) -> None:
    for l2 in pair:
        assert l2.chain.account(ETH_LIQUIDITY).balance == ETH_LIQUIDITY_BALANCE
        assert l2.chain.code(ETH_LIQUIDITY) == L2Rules.genesis_code[ETH_LIQUIDITY]


def test_send_eth_moves_value_through_the_liquidity_pools(pair: tuple[L2, L2]) -> None:
    src, dst = pair
    amount = 3 * ETHER
    receipt = src.send(SUPERCHAIN_ETH_BRIDGE, calldata(SEND_ETH, RECIPIENT, DEST), value=amount)
    assert receipt.status == 1
    assert src.chain.account(ETH_LIQUIDITY).balance == ETH_LIQUIDITY_BALANCE + amount
    assert src.chain.account(SUPERCHAIN_ETH_BRIDGE).balance == 0
    (log,) = logs_of(receipt, L2_TO_L2_MESSENGER, SENT)
    msg = L2ToL2Message.from_sent_log(log, SOURCE)
    assert (msg.sender, msg.target) == (SUPERCHAIN_ETH_BRIDGE, SUPERCHAIN_ETH_BRIDGE)
    relay_eth = "relayETH(address,address,uint256)"
    assert msg.message == calldata(relay_eth, src.account(0).address, RECIPIENT, amount)

    data, alist = relay_args(src, log)
    assert dst.send(L2_TO_L2_MESSENGER, data, access_list=alist, sender=9).status == 1
    assert dst.chain.account(ETH_LIQUIDITY).balance == ETH_LIQUIDITY_BALANCE - amount
    assert dst.chain.account(RECIPIENT).balance == amount
    assert dst.chain.account(SUPERCHAIN_ETH_BRIDGE).balance == 0


def test_eth_liquidity_only_serves_the_bridge(pair: tuple[L2, L2]) -> None:
    src, _ = pair
    mint = src.call(ETH_LIQUIDITY, calldata("mint(uint256)", ETHER))
    assert mint.output == err("Unauthorized")
    assert src.call(ETH_LIQUIDITY, calldata("burn()"), value=1).output == err("Unauthorized")
    assert src.send(ETH_LIQUIDITY, calldata("mint(uint256)", ETHER)).status == 0
    assert src.chain.account(ETH_LIQUIDITY).balance == ETH_LIQUIDITY_BALANCE
    relay = calldata("relayETH(address,address,uint256)", RECIPIENT, RECIPIENT, ETHER)
    assert src.call(SUPERCHAIN_ETH_BRIDGE, relay).output == err("Unauthorized")


def test_relay_eth_from_a_spoofed_sender_reverts(pair: tuple[L2, L2]) -> None:
    src, dst = pair
    relay = calldata("relayETH(address,address,uint256)", RECIPIENT, RECIPIENT, ETHER)
    log = send_message(src, DEST, SUPERCHAIN_ETH_BRIDGE, relay)  # from an EOA, not the bridge
    data, alist = relay_args(src, log)
    assert dst.call(L2_TO_L2_MESSENGER, data, access_list=alist).output == err(
        "InvalidCrossDomainSender"
    )
    assert dst.send(L2_TO_L2_MESSENGER, data, access_list=alist).status == 0
    assert dst.chain.account(RECIPIENT).balance == 0


def test_test_token_metadata_and_interfaces(pair: tuple[L2, L2]) -> None:
    src, _ = pair
    assert src.view(TOKEN, "name()", returns="string") == "L2NativeSuperchainERC20"
    assert src.view(TOKEN, "symbol()", returns="string") == "MOCK"
    assert src.view(TOKEN, "decimals()", returns="uint8") == 18
    supports = "supportsInterface(bytes4)"
    for interface in (
        bytes.fromhex("33331994"),
        bytes.fromhex("36372b07"),
        bytes.fromhex("01ffc9a7"),
    ):
        assert src.view(TOKEN, supports, interface, returns="bool"), interface.hex()
    assert not src.view(TOKEN, supports, bytes.fromhex("ffffffff"), returns="bool")
    mint = calldata("crosschainMint(address,uint256)", RECIPIENT, 1)
    assert src.call(TOKEN, mint).output == err("Unauthorized")


def test_send_erc20_burns_here_and_mints_there(pair: tuple[L2, L2]) -> None:
    src, dst = pair
    alice, bob = src.account(1).address, RECIPIENT
    assert src.send(TOKEN, calldata("mint(address,uint256)", alice, 1000)).status == 1
    assert src.view(TOKEN, BALANCE_OF, alice) == 1000

    receipt = src.send(
        SUPERCHAIN_TOKEN_BRIDGE, calldata(SEND_ERC20, TOKEN, bob, 400, DEST), sender=1
    )
    assert receipt.status == 1
    assert src.view(TOKEN, BALANCE_OF, alice) == 600
    assert src.view(TOKEN, "totalSupply()") == 600
    (burn,) = logs_of(receipt, TOKEN, keccak(b"CrosschainBurn(address,uint256,address)"))
    assert abi_decode(("uint256",), burn.data) == (400,)

    (log,) = logs_of(receipt, L2_TO_L2_MESSENGER, SENT)
    data, alist = relay_args(src, log)
    assert dst.send(L2_TO_L2_MESSENGER, data, access_list=alist, sender=9).status == 1
    assert dst.view(TOKEN, BALANCE_OF, bob) == 400
    assert dst.view(TOKEN, "totalSupply()") == 400


def test_relay_erc20_from_a_spoofed_sender_reverts(pair: tuple[L2, L2]) -> None:
    src, dst = pair
    alice = src.account(1).address
    relay = calldata(RELAY_ERC20, TOKEN, alice, alice, 10**24)
    log = send_message(src, DEST, SUPERCHAIN_TOKEN_BRIDGE, relay, sender=1)  # not the bridge
    data, alist = relay_args(src, log)
    assert dst.call(L2_TO_L2_MESSENGER, data, access_list=alist).output == err(
        "InvalidCrossDomainSender"
    )
    assert dst.send(L2_TO_L2_MESSENGER, data, access_list=alist).status == 0
    assert dst.view(TOKEN, BALANCE_OF, alice) == 0
    assert dst.call(SUPERCHAIN_TOKEN_BRIDGE, relay).output == err("Unauthorized")


def test_send_erc20_refuses_zero_recipient_and_non_7802_tokens(pair: tuple[L2, L2]) -> None:
    src, _ = pair
    zero = calldata(SEND_ERC20, TOKEN, bytes(20), 1, DEST)
    assert src.call(SUPERCHAIN_TOKEN_BRIDGE, zero).output == err("ZeroAddress")
    not_a_token = calldata(SEND_ERC20, NOT_7802, RECIPIENT, 1, DEST)
    assert src.call(SUPERCHAIN_TOKEN_BRIDGE, not_a_token).output == err("InvalidERC7802")
