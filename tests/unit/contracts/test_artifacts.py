"""The committed contract artifacts load, are complete, and match their sources."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from crossroll import contracts

REPO = Path(__file__).resolve().parents[3]

EXPECTED_FUNCTIONS = {
    "TestToken": {
        "name", "symbol", "decimals", "totalSupply", "balanceOf", "allowance",
        "transfer", "transferFrom", "approve", "mint",
    },
    "Probe": {
        "set", "get", "emitLog", "fail", "failCustom", "selfCreate", "create2",
        "create2Address", "increment", "counter",
    },
    "ProbeChild": {"parent"},
    "L2ToL1MessagePasser": {
        "MESSAGE_VERSION", "burn", "initiateWithdrawal", "messageNonce", "sentMessages",
    },
    "L1Block": {
        "DEPOSITOR_ACCOUNT", "number", "timestamp", "basefee", "hash", "sequenceNumber",
        "blobBaseFeeScalar", "baseFeeScalar", "batcherHash", "l1FeeOverhead", "l1FeeScalar",
        "blobBaseFee", "setL1BlockValuesEcotone",
    },
    "L2OutputOracle": {
        "CHALLENGER", "FINALIZATION_PERIOD_SECONDS", "L2_BLOCK_TIME", "PROPOSER",
        "SUBMISSION_INTERVAL", "challenger", "computeL2Timestamp", "deleteL2Outputs",
        "finalizationPeriodSeconds", "getL2Output", "getL2OutputAfter", "getL2OutputIndexAfter",
        "l2BlockTime", "latestBlockNumber", "latestOutputIndex", "nextBlockNumber",
        "nextOutputIndex", "proposeL2Output", "proposer", "startingBlockNumber",
        "startingTimestamp", "submissionInterval",
    },
    "OptimismPortal": {
        "L2_ORACLE", "depositTransaction", "donateETH", "finalizeWithdrawalTransaction",
        "finalizedWithdrawals", "isOutputFinalized", "l2Oracle", "l2Sender", "minimumGasLimit",
        "paused", "proveWithdrawalTransaction", "provenWithdrawals",
    },
    "L1StandardBridge": {"bridgeETH", "bridgeETHTo", "depositETH", "depositETHTo", "portal"},
    "RollupRegistry": {
        "chainIds", "isRegistered", "owner", "register", "remove", "rollup",
        "transferOwnership", "update",
    },
    "SettlementProbe": {
        "calls", "forward", "lastCaller", "lastData", "lastL2Sender", "lastValue", "reenterOk",
        "reenterResult", "rlpItems", "secureTrieGet", "secureVerifyInclusion", "setReenter",
        "setRevert", "trieGet",
    },
    # cross-rollup messaging (docs/messaging.md); the OP ABIs are pinned one by one in
    # tests/unit/messaging/test_op_interop_abi.py
    "CrossL2Inbox": {"calculateChecksum", "validateMessage", "version"},
    "ETHLiquidity": {"burn", "mint", "version"},
    "L2NativeSuperchainERC20": {"allowance", "approve", "balanceOf", "burn", "crosschainBurn", "crosschainMint", "decimals", "mint", "name", "supportsInterface", "symbol", "totalSupply", "transfer", "transferFrom", "version"},
    "L2ToL2CrossDomainMessenger": {"crossDomainMessageContext", "crossDomainMessageSender", "crossDomainMessageSource", "messageNonce", "messageVersion", "relayMessage", "relaySettledMessage", "resendMessage", "sendMessage", "sentMessages", "successfulMessages", "version"},
    "MessageOutbox": {"append", "count", "root"},
    "SettledInbox": {"knownRoots", "latestGlobalRoot", "setGlobalRoot", "verifyMessage"},
    "SettlementHub": {"knownGlobalRoots", "latestGlobalRoot", "proveOutboxRoot", "registry", "rollupChainIds", "rollupCount", "rollupLeaves", "settledOutbox"},
    "SuperchainETHBridge": {"relayETH", "sendETH", "version"},
    "SuperchainTokenBridge": {"relayERC20", "sendERC20", "version"},
    # forced inclusion (docs/sequencing.md)
    "ForcedInclusionQueue": {"MAX_TX_SIZE", "forceInclude", "queueLength"},
}  # fmt: skip

EXPECTED_EVENTS = {
    "TestToken": {"Transfer", "Approval"},
    "Probe": {"Logged", "Incremented", "Created"},
    "ProbeChild": set(),
    "L2ToL1MessagePasser": {"MessagePassed", "WithdrawerBalanceBurnt"},
    "L1Block": set(),
    "L2OutputOracle": {"OutputProposed", "OutputsDeleted"},
    "OptimismPortal": {"TransactionDeposited", "WithdrawalProven", "WithdrawalFinalized"},
    "L1StandardBridge": {"ETHDepositInitiated", "ETHBridgeInitiated"},
    "RollupRegistry": {
        "RollupRegistered",
        "RollupUpdated",
        "RollupRemoved",
        "OwnershipTransferred",
    },
    "SettlementProbe": set(),
    "CrossL2Inbox": {"ExecutingMessage"},
    "ETHLiquidity": {"LiquidityBurned", "LiquidityMinted"},
    "L2NativeSuperchainERC20": {
        "Approval",
        "Burn",
        "CrosschainBurn",
        "CrosschainMint",
        "Mint",
        "Transfer",
    },
    "L2ToL2CrossDomainMessenger": {"RelayedMessage", "SentMessage"},
    "MessageOutbox": {"MessageAppended"},
    "SettledInbox": {"GlobalRootSet"},
    "SettlementHub": {"GlobalRootUpdated"},
    "SuperchainETHBridge": {"RelayETH", "SendETH"},
    "SuperchainTokenBridge": {"RelayERC20", "SendERC20"},
    "ForcedInclusionQueue": {"TransactionForced"},
}

TRIE_ERRORS = {"InvalidRLP", "ProofTooShort", "ProofTooLong", "BadNodeHash", "MalformedNode"}

EXPECTED_ERRORS = {
    "TestToken": {"InsufficientBalance", "InsufficientAllowance", "ZeroAddress"},
    "Probe": {"CustomFailure"},
    "ProbeChild": set(),
    "L2ToL1MessagePasser": set(),
    "L1Block": {"NotDepositor"},
    "L2OutputOracle": set(),
    "OptimismPortal": TRIE_ERRORS,
    "L1StandardBridge": set(),
    "RollupRegistry": {"NotOwner", "AlreadyRegistered", "NotRegistered", "InvalidRollup"},
    "SettlementProbe": TRIE_ERRORS,
    "CrossL2Inbox": {
        "BlockNumberTooHigh",
        "LogIndexTooHigh",
        "NotInAccessList",
        "TimestampTooHigh",
    },
    "ETHLiquidity": {"Unauthorized"},
    "L2NativeSuperchainERC20": {
        "InsufficientAllowance",
        "InsufficientBalance",
        "Unauthorized",
        "ZeroAddress",
    },
    "L2ToL2CrossDomainMessenger": {
        "EventPayloadNotSentMessage",
        "IdOriginNotL2ToL2CrossDomainMessenger",
        "InvalidMessage",
        "L2ToL2CrossDomainMessenger_MessageTargetUnsafe",
        "MessageAlreadyRelayed",
        "MessageDestinationNotRelayChain",
        "MessageDestinationSameChain",
        "MessageTargetCrossL2Inbox",
        "MessageTargetL2ToL2CrossDomainMessenger",
        "NotEntered",
        "ReentrantCall",
    },
    "MessageOutbox": {"NotMessenger", "TreeFull"},
    "SettledInbox": {
        "IndexOutOfRange",
        "NotDepositor",
        "ProofLength",
        "RootMismatch",
        "UnknownRoot",
        "ZeroRoot",
    },
    "SettlementHub": TRIE_ERRORS
    | {
        "InvalidAccountProof",
        "InvalidOutputRootProof",
        "InvalidStorageProof",
        "OutputNotFinalized",
        "OutputNotNewer",
        "TooManyRollups",
        "UnknownOutput",
        "ZeroOutboxRoot",
    },
    "SuperchainETHBridge": {"InvalidCrossDomainSender", "Unauthorized", "ZeroAddress"},
    "SuperchainTokenBridge": {
        "InvalidCrossDomainSender",
        "InvalidERC7802",
        "Unauthorized",
        "ZeroAddress",
    },
    "ForcedInclusionQueue": {"EmptyTransaction", "TransactionTooLarge"},
}


def _entries(artifact: contracts.Artifact, kind: str) -> set[str]:
    return {e["name"] for e in artifact.abi if e.get("type") == kind}


def test_names() -> None:
    assert set(contracts.names()) == set(EXPECTED_FUNCTIONS)


@pytest.mark.parametrize("name", sorted(EXPECTED_FUNCTIONS))
def test_artifact_loads(name: str) -> None:
    a = contracts.load(name)
    assert a.name == name
    assert a.bytecode and a.deployed_bytecode
    assert len(a.bytecode) > len(a.deployed_bytecode)
    # bytecodeHash "none" leaves only the CBOR {"solc": <version>} trailer: 0xa1 "solc" ... 0x000a
    assert a.deployed_bytecode.endswith(bytes.fromhex("000a"))
    assert _entries(a, "function") == EXPECTED_FUNCTIONS[name]
    assert _entries(a, "event") == EXPECTED_EVENTS[name]
    assert _entries(a, "error") == EXPECTED_ERRORS[name]
    assert contracts.load(name) is a  # cached


def test_unknown_artifact() -> None:
    with pytest.raises(KeyError, match="NoSuchContract"):
        contracts.load("NoSuchContract")


def test_testtoken_abi_shapes() -> None:
    fns = contracts.load("TestToken").functions()
    assert [i["type"] for i in fns["mint"]["inputs"]] == ["address", "uint256"]
    assert [o["type"] for o in fns["transfer"]["outputs"]] == ["bool"]
    assert fns["decimals"]["outputs"][0]["type"] == "uint8"
    ctor = next(e for e in contracts.load("TestToken").abi if e["type"] == "constructor")
    assert [i["type"] for i in ctor["inputs"]] == ["string", "string", "uint8", "uint256"]


def test_artifacts_are_up_to_date() -> None:
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "solc").is_dir():
        msg = "node or node_modules/solc missing (run scripts/install-tools)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    proc = subprocess.run(
        [node, "scripts/build_contracts.js", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"stale contract artifacts:\n{proc.stdout}{proc.stderr}"
