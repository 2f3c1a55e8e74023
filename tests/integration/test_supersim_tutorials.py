"""Supersim's tutorials run unchanged against ``crossroll up``: their cast commands, as printed
in ``ethereum-optimism/supersim``'s docs, and the Solidity pattern of its PingPong guide.

What is substituted, and nothing else:

* ports: the tutorials use Supersim's defaults (L1 :8545, rollups :9545 and :9546, admin
  :8420, as ``127.0.0.1`` or ``localhost``), which are crossroll's defaults too; the devnets
  here run on free ports so that they never collide with a devnet you are running;
* the values the tutorials say to replace with your own ("make sure to replace them with the
  correct values you received in previous steps"): the block hash, block number, log index,
  timestamp, payload, message hash and access list of the manual relay;
* Supersim's L1 contract addresses in the deposit guides (crossroll deploys its own; the
  guides say to take them from the startup output, here ``admin_getL1Addresses``).

The message hash the cast guide reads from Supersim's log comes from ``crossroll messages``.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_utils import keccak

from crossroll.testing.tools import crossroll_command, require_tool
from tests.support.nodes import crossroll_up

pytestmark = [pytest.mark.slow, pytest.mark.cast]

ACCOUNT_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
ETH_LIQUIDITY = "0x4200000000000000000000000000000000000025"
CREATE2_DEPLOYER = "0x4e59b44847b379578588920cA78FbF26c0B4956C"
# SentMessage(uint256 indexed destination, address indexed target, uint256 indexed nonce,
# address sender, bytes message)
SENT_MESSAGE = "0x382409ac69001e11931a28435afef442cbfd20d9891907e8fa373ba7d351f320"
ONE_BLOCK = ("--block-time", "900=1", "--block-time", "901=1", "--block-time", "902=1")

# ---------------------------------------------------------------- the tutorials' text
# docs/src/getting-started/first-steps.md, "Send an interoperable SuperchainERC20 token from
# chain 901 to 902" (steps 2, 3 and 5).
FIRST_STEPS_MINT = """
cast send 0x420beeF000000000000000000000000000000001 "mint(address _to, uint256 _amount)"  0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 1000  --rpc-url http://127.0.0.1:9545 --private-key 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
"""
FIRST_STEPS_SEND = """
cast send 0x4200000000000000000000000000000000000028 "sendERC20(address _token, address _to, uint256 _amount, uint256 _chainId)" 0x420beeF000000000000000000000000000000001 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 1000 902 --rpc-url http://127.0.0.1:9545 --private-key 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
"""
FIRST_STEPS_BALANCE_902 = """
cast balance --erc20 0x420beeF000000000000000000000000000000001 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 --rpc-url http://127.0.0.1:9546
"""

# docs/src/getting-started/first-steps.md, "Deposit ETH from the L1 into the L2" (both
# methods), then step 3.
DEPOSIT_PORTAL = """
cast send 0x37a418800d0c812A9dE83Bc80e993A6b76511B57 --value 0.1ether --rpc-url http://127.0.0.1:8545 --private-key 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
"""
DEPOSIT_BRIDGE = """
cast send 0x8d515eb0e5F293B16B6bBCA8275c060bAe0056B0 "bridgeETH(uint32 _minGasLimit, bytes calldata _extraData)" 50000 0x --value 0.1ether --rpc-url http://127.0.0.1:8545 --private-key 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
"""
BALANCE_901 = """
cast balance 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 --rpc-url http://127.0.0.1:9545
"""
SUPERSIM_PORTAL_901 = "0x37a418800d0c812A9dE83Bc80e993A6b76511B57"
SUPERSIM_BRIDGE_901 = "0x8d515eb0e5F293B16B6bBCA8275c060bAe0056B0"

# docs/src/guides/interop/bridging-eth.md, steps 2 and 4.
SEND_ETH = """
cast send 0x4200000000000000000000000000000000000024 "sendETH(address _to, uint256 _chainId)" 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 902 --value 10ether --rpc-url http://127.0.0.1:9545 --private-key 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
"""
BALANCE_902 = """
cast balance 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 --rpc-url http://127.0.0.1:9546
"""

# docs/src/guides/interop/cast.md ("`cast` commands to relay interop messages"), steps 4, 5,
# 7a, 7b, 8 and 9 (steps 2 and 3 are first-steps' mint and send).  The sample values of
# steps 5-8 are the guide's; the test replaces them with the ones the devnet produced.
CAST_LOGS = """
cast logs --address 0x4200000000000000000000000000000000000023 --rpc-url http://127.0.0.1:9545
"""
CAST_BLOCK = """
cast block 0xREPLACE_WITH_CORRECT_BLOCKHASH --rpc-url http://127.0.0.1:9545
"""
GET_ACCESS_LIST_BY_MSG_HASH = """
cast rpc admin_getAccessListByMsgHash 0xccff97c17ef11d659d319cbc5780235ea03ef34b0fa34f40b208a9519f257379 --rpc-url http://localhost:8420
"""
SAMPLE_MSG_HASH = "0xccff97c17ef11d659d319cbc5780235ea03ef34b0fa34f40b208a9519f257379"
SAMPLE_PAYLOAD = (
    "0x"
    "382409ac69001e11931a28435afef442cbfd20d9891907e8fa373ba7d351f320"
    "0000000000000000000000000000000000000000000000000000000000000386"
    "0000000000000000000000004200000000000000000000000000000000000028"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000004200000000000000000000000000000000000028"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000084"
    "7cfd6dbc000000000000000000000000420beef0000000000000000000000000"
    "00000001000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cf"
    "ffb92266000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cf"
    "ffb9226600000000000000000000000000000000000000000000000000000000"
    "000003e800000000000000000000000000000000000000000000000000000000"
)
GET_ACCESS_LIST_FOR_IDENTIFIER = """
cast rpc admin_getAccessListForIdentifier \\
'{
  "origin": "0x4200000000000000000000000000000000000023",
  "blockNumber": "14",
  "logIndex": "2",
  "timestamp": "1743801675",
  "chainId": "901",
  "payload": "PAYLOAD"
}' \\
--rpc-url http://localhost:8420
""".replace("PAYLOAD", SAMPLE_PAYLOAD)
# The guide's sample answer to both access-list calls, for its sample identifier.
SAMPLE_KEYS = [
    "0x010000000000000000000385000000000000000e0000000067f04d4b00000002",
    "0x03c6d2648cef120ce1d7ccf9f8d4042d6b25ff30a02e22d9ea2a47d2677ccb8d",
]
SAMPLE_ACCESS_LIST = {
    "accessList": [
        {"address": "0x4200000000000000000000000000000000000022", "storageKeys": SAMPLE_KEYS}
    ]
}
RELAY_MESSAGE = """
cast send 0x4200000000000000000000000000000000000023 \\
    "relayMessage((address, uint256, uint256, uint256, uint256), bytes)" \\
    "(0x4200000000000000000000000000000000000023, 14, 2, 1743801675, 901)" \\
    PAYLOAD \\
    --access-list '[{"address":"0x4200000000000000000000000000000000000022","storageKeys":["0x010000000000000000000385000000000000000e0000000067f04d4b00000002", "0x03c6d2648cef120ce1d7ccf9f8d4042d6b25ff30a02e22d9ea2a47d2677ccb8d"]}]' \\
    --rpc-url http://127.0.0.1:9546 \\
    --private-key 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
""".replace("PAYLOAD", SAMPLE_PAYLOAD)

# docs/src/guides/interop/cross-chain-contract-calls-pingpong.md: the game its walkthrough
# describes (constructor, onlyCrossDomainCallback, hitBallTo, receiveBall), written for this
# test against the messenger's OP interface.
PING_PONG = """
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.25;

interface IL2ToL2CrossDomainMessenger {
    function sendMessage(uint256 _destination, address _target, bytes calldata _message)
        external
        returns (bytes32);
    function crossDomainMessageSender() external view returns (address);
    function crossDomainMessageSource() external view returns (uint256);
}

struct PingPongBall {
    uint256 rallyCount;
    uint256 lastHitterChainId;
    address lastHitterAddress;
}

contract CrossChainPingPong {
    error CallerNotL2ToL2CrossDomainMessenger();
    error InvalidCrossDomainSender();
    error BallNotPresent();
    error InvalidDestination();

    event BallSent(uint256 indexed fromChainId, uint256 indexed toChainId, PingPongBall ball);
    event BallReceived(uint256 indexed fromChainId, uint256 indexed toChainId, PingPongBall ball);

    IL2ToL2CrossDomainMessenger internal messenger =
        IL2ToL2CrossDomainMessenger(0x4200000000000000000000000000000000000023);

    PingPongBall public ball;

    modifier onlyCrossDomainCallback() {
        if (msg.sender != address(messenger)) revert CallerNotL2ToL2CrossDomainMessenger();
        if (messenger.crossDomainMessageSender() != address(this)) revert InvalidCrossDomainSender();
        _;
    }

    // CREATE2 with the same init code gives the same address on every chain; the server
    // chain is part of it.
    constructor(uint256 _serverChainId) {
        if (block.chainid == _serverChainId) ball = PingPongBall(1, block.chainid, msg.sender);
    }

    function hitBallTo(uint256 _toChainId) public {
        if (ball.lastHitterAddress == address(0)) revert BallNotPresent();
        if (_toChainId == block.chainid) revert InvalidDestination();
        PingPongBall memory next = PingPongBall(ball.rallyCount + 1, block.chainid, msg.sender);
        delete ball;
        messenger.sendMessage(_toChainId, address(this), abi.encodeCall(this.receiveBall, (next)));
        emit BallSent(block.chainid, _toChainId, next);
    }

    function receiveBall(PingPongBall memory _ball) external onlyCrossDomainCallback {
        ball = _ball;
        emit BallReceived(messenger.crossDomainMessageSource(), block.chainid, _ball);
    }
}
"""


# ---------------------------------------------------------------- running them
def localize(text: str, ports: dict[str, str]) -> str:
    """The tutorial's default ports -> the devnet's."""
    return re.sub(
        r"(127\.0\.0\.1|localhost):(8545|9545|9546|8420)\b",
        lambda m: f"{m.group(1)}:{ports[m.group(2)]}",
        text,
    )


class Tutorial:
    """Runs tutorial commands against one devnet, as a user pastes them into a shell."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        ports = {c["chainId"]: str(c["port"]) for c in cfg["chains"]}
        self.admin_url = cfg["adminUrl"]
        self.ports = {
            "8545": ports[900],
            "9545": ports[901],
            "9546": ports[902],
            "8420": self.admin_url.rsplit(":", 1)[1],
        }
        self.rpc = {900: cfg["chains"][0]["rpcUrl"]} | {
            c["chainId"]: c["rpcUrl"] for c in cfg["chains"]
        }
        self.cast = str(require_tool("cast"))

    def run(self, command: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
        # As a shell: a backslash-newline continues the line.
        argv = shlex.split(localize(command, self.ports).replace("\\\n", ""))
        assert argv[0] == "cast", command
        done = subprocess.run([self.cast, *argv[1:]], capture_output=True, text=True, timeout=120)
        if check:
            assert done.returncode == 0, (command, done.stdout, done.stderr)
        return done

    def out(self, command: str) -> str:
        return self.run(command).stdout.strip()

    def number(self, command: str) -> int:
        """The leading integer of a command's output (``cast balance`` prints ``1000`` or
        ``1000 [1e3]`` depending on the cast version)."""
        return int(self.out(command).split()[0])

    def admin(self, method: str, *params: Any) -> Any:
        argv = [self.cast, "rpc", method, *map(str, params), "--rpc-url", self.admin_url]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (method, done.stderr)
        return json.loads(done.stdout)

    def head(self, chain_id: int) -> int:
        argv = [self.cast, "block-number", "--rpc-url", self.rpc[chain_id]]
        return int(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)


def wait_for(check: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def tx_hash(send_output: str) -> str:
    found = re.search(r"^transactionHash\s+(0x[0-9a-f]{64})", send_output, flags=re.M)
    assert found, send_output
    return found.group(1)


def crossroll_messages(admin_url: str, *args: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        crossroll_command("messages", "--admin-url", admin_url, "--json", *args),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


@pytest.fixture(scope="module")
def autorelay() -> Iterator[Tutorial]:
    """``crossroll up`` as Supersim's ``--interop.autorelay`` (autorelay is crossroll's
    default), 1 s blocks."""
    with crossroll_up(*ONE_BLOCK) as cfg:
        yield Tutorial(cfg)


@pytest.fixture(scope="module")
def manual() -> Iterator[Tutorial]:
    """``crossroll up --no-autorelay``: as plain ``supersim``, nothing relays by itself."""
    with crossroll_up(*ONE_BLOCK, "--no-autorelay") as cfg:
        yield Tutorial(cfg)


# ---------------------------------------------------------------- first steps
def test_first_steps_superchain_erc20_with_autorelay(autorelay: Tutorial) -> None:
    t = autorelay
    before_902 = t.number(FIRST_STEPS_BALANCE_902)
    before_901 = t.number(FIRST_STEPS_BALANCE_902.replace(":9546", ":9545"))
    t.run(FIRST_STEPS_MINT)
    sent = tx_hash(t.out(FIRST_STEPS_SEND))
    head_902 = t.head(902)

    # Step 5: the autorelayer delivers; the balance on 902 grows by exactly the amount sent.
    wait_for(lambda: t.number(FIRST_STEPS_BALANCE_902) == before_902 + 1000, "relay to 902")
    # Burned on 901 (minted 1000, sent 1000): supply moved, not copied.
    assert t.number(FIRST_STEPS_BALANCE_902.replace(":9546", ":9545")) == before_901

    (record,) = [m for m in crossroll_messages(t.admin_url, "--chain", "901") if m["nonce"] == 0]
    assert record["status"] == "relayed" and record["path"] == "fast"
    assert (record["source"], record["destination"]) == (901, 902)
    assert record["sender"] == record["target"] == "0x4200000000000000000000000000000000000028"
    sent_step, relayed_step = record["lifecycle"]["sent"], record["lifecycle"]["relayed"]
    receipt = json.loads(t.out(f"cast receipt {sent} --json --rpc-url http://127.0.0.1:9545"))
    assert sent_step["blockNumber"] == int(receipt["blockNumber"], 16)
    # "In a few seconds": one of the next few 902 blocks executes it.
    assert head_902 < relayed_step["blockNumber"] <= head_902 + 3
    assert relayed_step["time"] >= sent_step["time"]


def test_first_steps_deposits(autorelay: Tutorial) -> None:
    t = autorelay
    l1 = t.admin("admin_getL1Addresses")["rollups"]["901"]
    before = t.number(BALANCE_901)
    t.run(DEPOSIT_PORTAL.replace(SUPERSIM_PORTAL_901, l1["OptimismPortal"]))
    t.run(DEPOSIT_BRIDGE.replace(SUPERSIM_BRIDGE_901, l1["L1StandardBridge"]))
    # Step 3: both deposits arrive on 901 (deposits cost no L2 gas).
    wait_for(lambda: t.number(BALANCE_901) == before + 2 * 10**17, "both deposits on 901")


# ---------------------------------------------------------------- bridging ETH
def test_bridging_eth_with_autorelay(autorelay: Tutorial) -> None:
    t = autorelay
    liquidity = f"cast balance {ETH_LIQUIDITY} --rpc-url http://127.0.0.1:95"
    pool_901, pool_902 = t.number(liquidity + "45"), t.number(liquidity + "46")
    before = t.number(BALANCE_902)
    t.run(SEND_ETH)
    # Step 4: 10 ether more on 902 (the relayer, dev account 9, pays the relay's gas).
    wait_for(lambda: t.number(BALANCE_902) == before + 10 * 10**18, "10 ether on 902")
    # OP's ETHLiquidity: burned into the pool on 901, minted out of the pool on 902.
    assert t.number(liquidity + "45") == pool_901 + 10 * 10**18
    assert t.number(liquidity + "46") == pool_902 - 10 * 10**18


# ---------------------------------------------------------------- relaying with cast
def parse_cast_logs(text: str) -> list[dict[str, Any]]:
    """``cast logs``'s default (YAML-like) output, as the guide shows it."""
    logs = []
    for chunk in re.split(r"^- ", text, flags=re.M)[1:]:
        fields = dict(re.findall(r"^\s*(\w+): (\S+)$", "  " + chunk, flags=re.M))
        topics = re.search(r"topics: \[(.*?)\]", chunk, flags=re.S)
        assert topics, chunk
        fields["topics"] = topics.group(1).split()
        logs.append(fields)
    return logs


def test_access_list_for_the_guides_sample_identifier(manual: Tutorial) -> None:
    # The guide's step 7b, verbatim: the checksum of its sample identifier is the guide's.
    assert json.loads(manual.out(GET_ACCESS_LIST_FOR_IDENTIFIER)) == SAMPLE_ACCESS_LIST


@dataclass(frozen=True)
class Sent:
    """What steps 4-6 of the guide collect: the SentMessage log's identifier and payload."""

    block_number: str
    log_index: str
    timestamp: str
    payload: str


def steps_4_to_6(t: Tutorial) -> Sent:
    # Step 4: the newest SentMessage log on 901.
    logs = parse_cast_logs(t.out(CAST_LOGS))
    log = [x for x in logs if x["topics"][0] == SENT_MESSAGE][-1]
    # Step 5: the timestamp of its block.
    block = t.out(CAST_BLOCK.replace("0xREPLACE_WITH_CORRECT_BLOCKHASH", log["blockHash"]))
    timestamp = re.search(r"^timestamp\s+(\d+)", block, flags=re.M)
    assert timestamp, block
    # Step 6: the payload is topics ‖ data.
    payload = "0x" + "".join(x[2:] for x in log["topics"]) + log["data"][2:]
    return Sent(log["blockNumber"], log["logIndex"], timestamp.group(1), payload)


def step_8(sent: Sent, storage_keys: list[str] | None) -> str:
    """The guide's relayMessage command with this message's values (and access list)."""
    command = RELAY_MESSAGE.replace(
        "14, 2, 1743801675", f"{sent.block_number}, {sent.log_index}, {sent.timestamp}"
    ).replace(SAMPLE_PAYLOAD, sent.payload)
    if storage_keys is None:
        return re.sub(r"--access-list '[^']*' ", "", command)
    assert json.dumps(SAMPLE_KEYS) in command
    return command.replace(json.dumps(SAMPLE_KEYS), json.dumps(storage_keys))


def test_relay_by_hand_with_cast(manual: Tutorial) -> None:
    t = manual
    before = t.number(FIRST_STEPS_BALANCE_902)
    t.run(FIRST_STEPS_MINT)
    t.run(FIRST_STEPS_SEND)
    sent = steps_4_to_6(t)
    assert len(sent.payload) == len(SAMPLE_PAYLOAD)  # the guide's transfer, same shape

    # Step 7a wants the message hash Supersim logs; crossroll lists it.
    (record,) = [m for m in crossroll_messages(t.admin_url) if m["payload"] == sent.payload]
    assert record["status"] != "relayed"
    by_hash = json.loads(
        t.out(GET_ACCESS_LIST_BY_MSG_HASH.replace(SAMPLE_MSG_HASH, record["msgHash"]))
    )
    # Step 7b gives the same access list from the identifier and payload.
    for_identifier = (
        GET_ACCESS_LIST_FOR_IDENTIFIER.replace('"14"', f'"{sent.block_number}"')
        .replace('"logIndex": "2"', f'"logIndex": "{sent.log_index}"')
        .replace("1743801675", sent.timestamp)
        .replace(SAMPLE_PAYLOAD, sent.payload)
    )
    assert json.loads(t.out(for_identifier)) == by_hash
    # Supersim's third helper, in its Go field names.
    message = t.admin("admin_getL2ToL2MessageByMsgHash", record["msgHash"])
    bridge = "0x4200000000000000000000000000000000000028"
    assert message == {
        "Destination": 902,
        "Source": 901,
        "Nonce": record["nonce"],
        "Sender": bridge,
        "Target": bridge,
        "Message": record["message"],
    }
    assert record["message"].startswith("0x7cfd6dbc")  # relayERC20(token, from, to, amount)
    (entry,) = by_hash["accessList"]
    assert entry["address"] == "0x4200000000000000000000000000000000000022"

    # Nothing relays by itself under --no-autorelay.
    time.sleep(2)
    assert t.number(FIRST_STEPS_BALANCE_902) == before

    # Step 8: relayMessage with the identifier, the payload and the access list.
    relay = step_8(sent, entry["storageKeys"])
    relayed = tx_hash(t.out(relay))

    # Step 9: the tokens are on 902, and crossroll saw the relay.
    assert t.number(FIRST_STEPS_BALANCE_902) == before + 1000
    status = t.admin("crossroll_getMessage", record["msgHash"])
    assert status["status"] == "relayed" and status["relayTransactionHash"] == relayed

    # The same relay again is refused (the messenger's nullifier): nothing moves twice.
    assert t.run(relay, check=False).returncode != 0
    assert t.number(FIRST_STEPS_BALANCE_902) == before + 1000

    # A second transfer: without the access list, relayMessage cannot execute it.
    t.run(FIRST_STEPS_MINT)
    t.run(FIRST_STEPS_SEND)
    second = steps_4_to_6(t)
    assert t.run(step_8(second, None), check=False).returncode != 0
    assert t.number(FIRST_STEPS_BALANCE_902) == before + 1000

    # The guide's "Alternatives": `crossroll relay` does steps 4-8 in one command.
    (pending,) = [m for m in crossroll_messages(t.admin_url) if m["status"] != "relayed"]
    assert pending["payload"] == second.payload
    done = subprocess.run(
        crossroll_command("relay", pending["msgHash"], "--admin-url", t.admin_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert f"relayed {pending['msgHash']} to chain 902 (fast path)" in done.stdout
    wait_for(lambda: t.number(FIRST_STEPS_BALANCE_902) == before + 2000, "crossroll relay")


# ---------------------------------------------------------------- a Solidity example
def compile_ping_pong() -> bytes:
    """Init code of CrossChainPingPong, compiled with the pinned npm solc."""
    solc = require_tool("solc")  # scripts/solc-shim.js: solc-js behind a native command line
    request = {
        "language": "Solidity",
        "sources": {"CrossChainPingPong.sol": {"content": PING_PONG}},
        "settings": {
            "evmVersion": "cancun",
            "optimizer": {"enabled": True, "runs": 200},
            "outputSelection": {"*": {"CrossChainPingPong": ["evm.bytecode.object"]}},
        },
    }
    done = subprocess.run(
        [str(solc), "--standard-json"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parent,
    )
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    errors = [e for e in output.get("errors", []) if e["severity"] == "error"]
    assert not errors, errors
    code = output["contracts"]["CrossChainPingPong.sol"]["CrossChainPingPong"]
    return bytes.fromhex(code["evm"]["bytecode"]["object"])


def test_ping_pong_across_rollups(autorelay: Tutorial) -> None:
    t = autorelay
    key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    init_code = compile_ping_pong() + (901).to_bytes(32, "big")  # _serverChainId = 901
    salt = bytes(32)
    address = (
        "0x"
        + keccak(b"\xff" + bytes.fromhex(CREATE2_DEPLOYER[2:]) + salt + keccak(init_code))[
            12:
        ].hex()
    )
    # Deployed with CREATE2 on both chains, as the guide requires: one address everywhere.
    for port in ("9545", "9546"):
        t.run(
            f"cast send {CREATE2_DEPLOYER} 0x{salt.hex()}{init_code.hex()} "
            f"--rpc-url http://127.0.0.1:{port} --private-key {key}"
        )
        assert len(t.out(f"cast code {address} --rpc-url http://127.0.0.1:{port}")) > 2

    def ball(port: str) -> tuple[int, int, str]:
        rally, chain, hitter = t.out(
            f'cast call {address} "ball()(uint256,uint256,address)" '
            f"--rpc-url http://127.0.0.1:{port}"
        ).split()
        return int(rally), int(chain), hitter

    assert ball("9545") == (1, 901, CREATE2_DEPLOYER)  # served on 901
    assert ball("9546") == (0, 0, "0x0000000000000000000000000000000000000000")

    # 901 hits the ball to 902; the relayed message calls receiveBall there.
    t.run(
        f'cast send {address} "hitBallTo(uint256)" 902 '
        f"--rpc-url http://127.0.0.1:9545 --private-key {key}"
    )
    assert ball("9545")[0] == 0
    wait_for(lambda: ball("9546")[0] == 2, "the ball on 902")
    assert ball("9546") == (2, 901, ACCOUNT_0)

    # Only the messenger, carrying a message from the contract itself, may hand over a ball.
    fake = t.run(
        f'cast send {address} "receiveBall((uint256,uint256,address))" "(99, 901, {ACCOUNT_0})" '
        f"--rpc-url http://127.0.0.1:9546 --private-key {key}",
        check=False,
    )
    assert fake.returncode != 0
    assert ball("9546")[0] == 2

    # And back: 902 returns it to 901 (dev account 1 hits).
    hitter = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    key_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
    t.run(
        f'cast send {address} "hitBallTo(uint256)" 901 '
        f"--rpc-url http://127.0.0.1:9546 --private-key {key_1}"
    )
    wait_for(lambda: ball("9545")[0] == 3, "the ball back on 901")
    assert ball("9545") == (3, 902, hitter)
    assert ball("9546")[0] == 0
