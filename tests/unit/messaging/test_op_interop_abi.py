"""The OP interop predeploys' ABIs, pinned: tools written for OP chains and Supersim (viem's
op-stack actions, the supersim relayer, forge scripts) call them by these signatures."""

from __future__ import annotations

from typing import Any

import pytest
from eth_hash.auto import keccak

from crossroll.contracts import load

ID = "(address,uint256,uint256,uint256,uint256)"
PROOF = "(bytes32,uint256,bytes32[],uint256,bytes32[])"

FUNCTIONS = {
    "CrossL2Inbox": {
        f"validateMessage({ID},bytes32)",
        f"calculateChecksum({ID},bytes32)",
        "version()",
    },
    "L2ToL2CrossDomainMessenger": {
        "sendMessage(uint256,address,bytes)",
        f"relayMessage({ID},bytes)",
        "resendMessage(uint256,uint256,address,address,bytes)",
        f"relaySettledMessage(uint256,uint256,address,address,bytes,{PROOF})",
        "sentMessages(uint256)",
        "successfulMessages(bytes32)",
        "messageNonce()",
        "messageVersion()",
        "crossDomainMessageSender()",
        "crossDomainMessageSource()",
        "crossDomainMessageContext()",
        "version()",
    },
    "SuperchainETHBridge": {
        "sendETH(address,uint256)",
        "relayETH(address,address,uint256)",
        "version()",
    },
    "ETHLiquidity": {"burn()", "mint(uint256)", "version()"},
    "SuperchainTokenBridge": {
        "sendERC20(address,address,uint256,uint256)",
        "relayERC20(address,address,address,uint256)",
        "version()",
    },
    "L2NativeSuperchainERC20": {
        "name()",
        "symbol()",
        "decimals()",
        "version()",
        "totalSupply()",
        "balanceOf(address)",
        "allowance(address,address)",
        "approve(address,uint256)",
        "transfer(address,uint256)",
        "transferFrom(address,address,uint256)",
        "mint(address,uint256)",
        "burn(address,uint256)",
        "crosschainMint(address,uint256)",
        "crosschainBurn(address,uint256)",
        "supportsInterface(bytes4)",
    },
}

EVENTS = {
    "CrossL2Inbox": {f"ExecutingMessage(bytes32,{ID})"},
    "L2ToL2CrossDomainMessenger": {
        "SentMessage(uint256,address,uint256,address,bytes)",
        "RelayedMessage(uint256,uint256,bytes32,bytes32)",
    },
    "SuperchainETHBridge": {
        "SendETH(address,address,uint256,uint256)",
        "RelayETH(address,address,uint256,uint256)",
    },
    "ETHLiquidity": {"LiquidityBurned(address,uint256)", "LiquidityMinted(address,uint256)"},
    "SuperchainTokenBridge": {
        "SendERC20(address,address,address,uint256,uint256)",
        "RelayERC20(address,address,address,uint256,uint256)",
    },
    "L2NativeSuperchainERC20": {
        "Transfer(address,address,uint256)",
        "Approval(address,address,uint256)",
        "Mint(address,uint256)",
        "Burn(address,uint256)",
        "CrosschainMint(address,uint256,address)",
        "CrosschainBurn(address,uint256,address)",
    },
}

ERRORS = {
    "CrossL2Inbox": {
        "NotInAccessList",
        "BlockNumberTooHigh",
        "TimestampTooHigh",
        "LogIndexTooHigh",
    },
    "L2ToL2CrossDomainMessenger": {
        "NotEntered",
        "ReentrantCall",
        "IdOriginNotL2ToL2CrossDomainMessenger",
        "EventPayloadNotSentMessage",
        "MessageDestinationSameChain",
        "MessageDestinationNotRelayChain",
        "MessageTargetCrossL2Inbox",
        "MessageTargetL2ToL2CrossDomainMessenger",
        "L2ToL2CrossDomainMessenger_MessageTargetUnsafe",
        "MessageAlreadyRelayed",
        "InvalidMessage",
    },
    "SuperchainETHBridge": {"Unauthorized", "ZeroAddress", "InvalidCrossDomainSender"},
    "ETHLiquidity": {"Unauthorized"},
    "SuperchainTokenBridge": {
        "Unauthorized",
        "ZeroAddress",
        "InvalidCrossDomainSender",
        "InvalidERC7802",
    },
    "L2NativeSuperchainERC20": {
        "ZeroAddress",
        "Unauthorized",
        "InsufficientBalance",
        "InsufficientAllowance",
    },
}


def _type(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(_type(c) for c in param["components"])
        return f"({inner}){param['type'][len('tuple') :]}"
    return str(param["type"])


def _signatures(name: str, kind: str) -> set[str]:
    return {
        f"{e['name']}({','.join(_type(p) for p in e['inputs'])})"
        for e in load(name).abi
        if e.get("type") == kind
    }


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_abi(name: str) -> None:
    assert _signatures(name, "function") == FUNCTIONS[name]
    assert _signatures(name, "event") == EVENTS[name]
    assert {s.split("(")[0] for s in _signatures(name, "error")} == ERRORS[name]
    assert all(s.endswith("()") for s in _signatures(name, "error"))


def test_known_topics_and_selectors() -> None:
    # The SentMessage topic OP's messenger hard-codes as SENT_MESSAGE_EVENT_SELECTOR.
    sent = keccak(b"SentMessage(uint256,address,uint256,address,bytes)")
    assert sent.hex() == "382409ac69001e11931a28435afef442cbfd20d9891907e8fa373ba7d351f320"
    # ERC-7802's interface id.
    mint, burn = (
        keccak(s)[:4]
        for s in (b"crosschainMint(address,uint256)", b"crosschainBurn(address,uint256)")
    )
    assert bytes(a ^ b for a, b in zip(mint, burn, strict=True)).hex() == "33331994"
