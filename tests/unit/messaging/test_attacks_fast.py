"""bridges.md §9 attacks on the fast path that the send-time checks of test_fastpath.py do not
reach: executing messages that only show up when the block is built (a transaction that
behaves differently at send time, a source block replaced by one with another payload, a
message that expires in the pool), forged SentMessage payloads to privileged targets, a
spoofed source chain, a non-canonical payload encoding and a re-entrant relay.

Three in-process rollups on one virtual clock: 901 (the source), 902 with the fast-path
guard (as every devnet rollup has) and 903 without one, standing for a destination whose
sequencer checks nothing, so the messenger's own checks are seen alone.

Send-time refusals of every identifier rule are test_fastpath.py's
(``test_bad_identifier_is_refused_at_send``, ``test_expired_message_is_refused``,
``test_source_outside_the_dependency_set_is_refused``,
``test_refusal_reaches_json_rpc_as_invalid_params``) and a source revert before mining is its
``test_message_invalidated_before_mining_is_dropped_from_the_block``.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_hash.auto import keccak

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.rules import L2Rules
from crossroll.clock import VirtualClock
from crossroll.contracts import load
from crossroll.errors import INVALID_PARAMS, ExecutionReverted, InteropRejected
from crossroll.messaging.accesslist import access_list
from crossroll.messaging.addresses import (
    CROSS_L2_INBOX,
    ETH_LIQUIDITY,
    L2_TO_L2_MESSENGER,
    MESSAGE_OUTBOX,
    SETTLED_INBOX,
    SUPERCHAIN_ETH_BRIDGE,
    SUPERCHAIN_TEST_TOKEN,
    SUPERCHAIN_TOKEN_BRIDGE,
)
from crossroll.messaging.executing import executing_messages
from crossroll.messaging.fastpath import EXPIRY_WINDOW, InteropGuard, InteropRules
from crossroll.messaging.identifier import Identifier, msg_hash, payload
from crossroll.messaging.l2tol2 import (
    SEND_MESSAGE,
    SENT_MESSAGE_TOPIC,
    L2ToL2Message,
    relay_calldata,
)
from crossroll.rollup.abi import calldata, selector
from crossroll.types import AccessListEntry, Block, CallRequest, Hash32, Receipt

# The ETH bridge pays out by create-and-SELFDESTRUCT (OP's SafeSend).
pytestmark = pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode:DeprecationWarning")

START = 1_700_000_000
TOPIC = keccak(b"Ping(bytes)")
#: Logs its calldata under TOPIC (test_fastpath.py's emitter).
EMITTER_CODE = bytes.fromhex("365f5f37" + "7f" + TOPIC.hex() + "365fa100")
EMITTER = bytes.fromhex("00000000000000000000000000000000000e0001")
SWITCH = bytes.fromhex("00000000000000000000000000000000000e0002")
RECIPIENT = bytes.fromhex("00000000000000000000000000000000000b0b01")
VALIDATE = selector(f"validateMessage({Identifier.ABI_TYPE},bytes32)")
GAS = 1_000_000


def switch_code(after: int) -> bytes:
    """Reverts while ``block.timestamp < after``; from then on forwards its calldata to the
    CrossL2Inbox (reverting if that call does). At send time the guard's simulation sees a
    revert (no executing message at all); in a later block the call goes through."""
    code = bytearray(b"\x67" + after.to_bytes(8, "big") + b"\x42\x10")  # TIMESTAMP < after
    fail = len(code)
    code += b"\x60\x00\x57"  # JUMPI to the revert (patched below)
    code += bytes.fromhex("365f5f37")  # CALLDATACOPY(0, 0, CALLDATASIZE)
    code += bytes.fromhex("5f5f365f5f") + b"\x73" + CROSS_L2_INBOX + bytes.fromhex("5af1")
    fail2 = len(code) + 1
    code += b"\x15\x60\x00\x57\x00"  # ISZERO; JUMPI to the revert; STOP
    revert = len(code)
    code += bytes.fromhex("5b5f5ffd")  # JUMPDEST; REVERT(0, 0)
    code[fail + 1] = code[fail2 + 1] = revert
    return bytes(code)


@dataclass
class Chains:
    clock: VirtualClock
    source: Chain  # 901
    guarded: Chain  # 902, with the fast-path guard
    open: Chain  # 903, no guard

    def initiate(self, data: bytes = b"hello") -> tuple[Identifier, Hash32]:
        """One EMITTER log on 901; its identifier and payload hash."""
        me = self.source.dev_accounts[0].address
        receipt = self.source.receipt(
            self.source.send_transaction(CallRequest(sender=me, to=EMITTER, data=data))
        )
        assert receipt is not None
        [log] = receipt.logs
        stamp = self.source.block(receipt.block_number).header.timestamp
        return Identifier.of_log(log, stamp, 901), msg_hash(log)

    def send_message(
        self, dest: int, target: bytes, message: bytes, value: int = 0
    ) -> tuple[L2ToL2Message, Identifier, bytes]:
        me = self.source.dev_accounts[0].address
        data = calldata(SEND_MESSAGE, dest, target, message)
        receipt = self.source.receipt(
            self.source.send_transaction(
                CallRequest(sender=me, to=L2_TO_L2_MESSENGER, data=data, value=value)
            )
        )
        assert receipt is not None and receipt.status == 1
        [log] = [lg for lg in receipt.logs if lg.topics[:1] == (SENT_MESSAGE_TOPIC,)]
        stamp = self.source.block(log.block_number).header.timestamp
        return (
            L2ToL2Message.from_sent_log(log, 901),
            Identifier.of_log(log, stamp, 901),
            payload(log),
        )


@pytest.fixture
def net() -> Iterator[Chains]:
    clock = VirtualClock(start=START)
    chains = {
        cid: Chain(ChainConfig(chain_id=cid, rules=L2Rules), clock) for cid in (901, 902, 903)
    }
    chains[901].set_code(EMITTER, EMITTER_CODE)
    chains[902].set_tx_guard(InteropGuard(902, chains, InteropRules()))
    yield Chains(clock, chains[901], chains[902], chains[903])
    for chain in chains.values():
        chain.close()


def send(
    chain: Chain, to: bytes, data: bytes, alist: tuple[AccessListEntry, ...] = (), sender: int = 1
) -> Hash32:
    request = CallRequest(
        sender=chain.dev_accounts[sender].address, to=to, data=data, gas=GAS, access_list=alist
    )
    return chain.send_transaction(request)


def mined(chain: Chain, tx_hash: Hash32) -> Receipt:
    receipt = chain.receipt(tx_hash)
    assert receipt is not None
    return receipt


def fingerprint(chain: Chain) -> tuple[object, ...]:
    """What a refused transaction must not change: head, state, pool, the sender's nonce."""
    sender = chain.dev_accounts[1].address
    return (chain.head().number, chain.state_root, len(chain.pool), chain.account(sender).nonce)


def executing(block: Block) -> list[object]:
    return executing_messages(lg for r in block.receipts for lg in r.logs)


def _in(block: Block, tx_hash: Hash32) -> bool:
    return any(tx.hash == tx_hash for tx in block.transactions)


def built_without(
    net: Chains, tx_hash: Hash32, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Mine 902's next block: the transaction is dropped from it and from the pool, with
    ``reason`` in the log; the block executes no message and the sender's nonce is unused."""
    dest = net.guarded
    nonce = dest.account(dest.dev_accounts[1].address).nonce
    with caplog.at_level(logging.WARNING, logger="crossroll.chain.chain"):
        [block] = dest.mine()
    assert not _in(block, tx_hash) and tx_hash not in dest.pool
    assert f"dropped 0x{tx_hash.hex()}: {reason}" in caplog.text
    assert executing(block) == []
    assert dest.account(dest.dev_accounts[1].address).nonce == nonce


# ------------------------------------------------------------------ at block building
def _mutate(ident: Identifier, hash_: Hash32, case: str) -> tuple[Identifier, Hash32]:
    r = dataclasses.replace
    return {
        "genuine": (ident, hash_),
        "unknown-chain": (r(ident, chain_id=999), hash_),
        "another-chain": (r(ident, chain_id=903), hash_),
        "no-block": (r(ident, block_number=ident.block_number + 5), hash_),
        "no-log": (r(ident, log_index=1), hash_),
        "another-origin": (r(ident, origin=CROSS_L2_INBOX), hash_),
        "another-payload": (ident, keccak(b"not the payload")),
        "timestamp": (r(ident, timestamp=ident.timestamp + 1), hash_),
    }[case]


BUILD_REASONS = {
    "genuine": None,
    "unknown-chain": "no chain found for chain id: 999",
    "another-chain": "initiating message not found: chain 903 has no block",
    "no-block": "initiating message not found: chain 901 has no block",
    "no-log": "initiating message not found: block",
    "another-origin": "initiating message not found: log 0 was emitted by",
    "another-payload": "executing and initiating message fields are not equal",
    "timestamp": "executing message identifier does not match block timestamp",
}


@pytest.mark.parametrize("case", list(BUILD_REASONS))
def test_forged_identifier_hidden_at_send_is_dropped_at_block_building(
    net: Chains, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A contract that only calls validateMessage from a later timestamp: the send-time
    simulation reverts (and so executes nothing), the block builder's check catches it."""
    dest = net.guarded
    dest.set_automine(False)
    ident, hash_ = _mutate(*net.initiate(), case)
    after = dest.pending_timestamp() + 10
    dest.set_code(SWITCH, switch_code(after))
    tx_hash = send(dest, SWITCH, VALIDATE + ident.encode() + hash_, access_list(ident, hash_))
    assert tx_hash in dest.pool  # admitted: nothing to check yet
    net.clock.advance(after - net.clock.now())
    reason = BUILD_REASONS[case]
    if reason is None:  # the control: the switch really executes the message
        [block] = dest.mine()
        assert _in(block, tx_hash) and mined(dest, tx_hash).status == 1
        [msg] = executing(block)
        assert (msg.msg_hash, msg.id) == (hash_, ident)  # type: ignore[attr-defined]
        return
    built_without(net, tx_hash, reason, caplog)


def test_source_block_replaced_by_one_with_another_payload(
    net: Chains, caplog: pytest.LogCaptureFixture
) -> None:
    """The source block is replaced, between send and mining, by a block with the same
    number and timestamp whose log 0 carries another payload."""
    source, dest = net.source, net.guarded
    dest.set_automine(False)
    snap = source.snapshot()
    ident, hash_ = net.initiate(b"hello")
    tx_hash = send(
        dest, CROSS_L2_INBOX, VALIDATE + ident.encode() + hash_, access_list(ident, hash_)
    )
    assert tx_hash in dest.pool  # valid now: admitted
    assert source.revert(snap)
    source.set_next_block_timestamp(ident.timestamp)
    replaced, other_hash = net.initiate(b"other")
    assert replaced == ident and other_hash != hash_  # the same place, another payload
    built_without(net, tx_hash, "executing and initiating message fields are not equal", caplog)


def test_message_that_expires_in_the_pool_is_dropped(
    net: Chains, caplog: pytest.LogCaptureFixture
) -> None:
    dest = net.guarded
    dest.set_automine(False)
    ident, hash_ = net.initiate()
    net.clock.advance(EXPIRY_WINDOW - 5)
    tx_hash = send(
        dest, CROSS_L2_INBOX, VALIDATE + ident.encode() + hash_, access_list(ident, hash_)
    )
    assert tx_hash in dest.pool  # valid when sent
    net.clock.advance(10)
    assert dest.pending_timestamp() > ident.timestamp + EXPIRY_WINDOW
    built_without(net, tx_hash, "initiating message expired", caplog)


# ------------------------------------------------------------------ forged relays
PRIVILEGED = [
    (CROSS_L2_INBOX, VALIDATE + bytes(192), "MessageTargetCrossL2Inbox()"),
    (
        L2_TO_L2_MESSENGER,
        calldata(SEND_MESSAGE, 901, RECIPIENT, b""),
        "MessageTargetL2ToL2CrossDomainMessenger()",
    ),
    (
        MESSAGE_OUTBOX,
        calldata("append(bytes32)", keccak(b"forged")),
        "L2ToL2CrossDomainMessenger_MessageTargetUnsafe()",
    ),
    (
        SETTLED_INBOX,
        calldata("setGlobalRoot(bytes32)", keccak(b"forged")),
        "L2ToL2CrossDomainMessenger_MessageTargetUnsafe()",
    ),
]


@pytest.mark.parametrize(
    ("target", "message", "error"),
    PRIVILEGED,
    ids=["inbox", "messenger", "outbox", "settled-inbox"],
)
@pytest.mark.parametrize("dest", [902, 903])
def test_forged_sent_message_to_a_privileged_target(
    net: Chains, dest: int, target: bytes, message: bytes, error: str
) -> None:
    """No SentMessage to these targets can exist (sendMessage refuses them:
    test_op_interop.py's test_refused_targets); a forged payload with a matching access list
    still reaches relayMessage on a chain whose sequencer checks nothing (903), and on 902
    the relay reverts before it emits anything, so the guard has nothing to refuse. The
    messenger refuses the target on both."""
    chain = net.guarded if dest == 902 else net.open
    forged = L2ToL2Message(dest, 901, 0, chain.dev_accounts[1].address, target, message)
    genuine = net.send_message(dest, RECIPIENT, b"x")[1]  # a real SentMessage place
    body = forged.payload()
    data = relay_calldata(genuine, body)
    alist = access_list(genuine, msg_hash(body))
    with pytest.raises(ExecutionReverted) as info:
        chain.call(
            CallRequest(
                sender=chain.dev_accounts[1].address,
                to=L2_TO_L2_MESSENGER,
                data=data,
                gas=GAS,
                access_list=alist,
            )
        )
    assert info.value.data == "0x" + selector(error).hex()
    outbox = (chain.storage(MESSAGE_OUTBOX, 0), chain.storage(MESSAGE_OUTBOX, 1))
    root = chain.storage(SETTLED_INBOX, 1)
    receipt = mined(chain, send(chain, L2_TO_L2_MESSENGER, data, alist))
    assert receipt.status == 0 and receipt.logs == ()
    assert (chain.storage(MESSAGE_OUTBOX, 0), chain.storage(MESSAGE_OUTBOX, 1)) == outbox
    assert chain.storage(SETTLED_INBOX, 1) == root


def test_forged_payload_to_an_ordinary_target_is_refused_by_the_guard(net: Chains) -> None:
    """What only the sequencer's check stops: a forged SentMessage (here one that would pay
    out of the ETH bridge) at the place of a real one."""
    dest = net.guarded
    attacker = dest.dev_accounts[1].address
    relay_eth = calldata("relayETH(address,address,uint256)", attacker, attacker, 10**21)
    forged = L2ToL2Message(902, 901, 0, SUPERCHAIN_ETH_BRIDGE, SUPERCHAIN_ETH_BRIDGE, relay_eth)
    genuine = net.send_message(902, RECIPIENT, b"x")[1]
    body = forged.payload()
    before, balance = fingerprint(dest), dest.account(ETH_LIQUIDITY).balance
    with pytest.raises(InteropRejected) as refused:
        send(
            dest,
            L2_TO_L2_MESSENGER,
            relay_calldata(genuine, body),
            access_list(genuine, msg_hash(body)),
        )
    assert refused.value.code == INVALID_PARAMS
    assert refused.value.message == "executing and initiating message fields are not equal"
    assert fingerprint(dest) == before and dest.account(ETH_LIQUIDITY).balance == balance


def test_source_chain_spoofing(net: Chains) -> None:
    """A genuine message of 901 with an identifier claiming chain 903 sent it: relayed, its
    target would see source 903. The guard refuses it; nothing is spent."""
    dest = net.guarded
    msg, ident, body = net.send_message(902, RECIPIENT, b"from 903, allegedly")
    spoofed = dataclasses.replace(ident, chain_id=903)
    data, alist = relay_calldata(spoofed, body), access_list(spoofed, msg_hash(body))
    sender = dest.dev_accounts[1].address
    request = CallRequest(sender=sender, to=L2_TO_L2_MESSENGER, data=data, access_list=alist)
    assert dest.call(request).success  # it would relay, as a message from 903
    before = fingerprint(dest)
    with pytest.raises(InteropRejected) as refused:
        send(dest, L2_TO_L2_MESSENGER, data, alist)
    assert refused.value.code == INVALID_PARAMS
    assert refused.value.message == (
        f"initiating message not found: chain 903 has no block {ident.block_number}"
    )
    assert fingerprint(dest) == before
    spent = calldata("successfulMessages(bytes32)", dataclasses.replace(msg, source=903).hash)
    assert dest.call(CallRequest(to=L2_TO_L2_MESSENGER, data=spent)).output == bytes(32)


def test_non_canonical_payload_hits_the_same_nullifier(net: Chains) -> None:
    """Encoding malleability: the same message with 32 bytes after its ABI data is another
    payload hash but the same message hash. The guard refuses the non-canonical payload (it
    is no log's); without a guard the messenger's nullifier, over the decoded fields, lets
    the message run once whichever encoding comes first."""
    for chain, dest in ((net.guarded, 902), (net.open, 903)):
        msg, ident, body = net.send_message(dest, RECIPIENT, b"once")
        padded = body + bytes(32)
        assert L2ToL2Message.from_payload(padded, 901) == msg  # decodes to the same message
        canonical = relay_calldata(ident, body), access_list(ident, msg_hash(body))
        forged = relay_calldata(ident, padded), access_list(ident, msg_hash(padded))
        if chain is net.guarded:
            before = fingerprint(chain)
            with pytest.raises(InteropRejected) as refused:
                send(chain, L2_TO_L2_MESSENGER, *forged)
            assert refused.value.message == "executing and initiating message fields are not equal"
            assert fingerprint(chain) == before
        first, second = (canonical, forged) if chain is net.guarded else (forged, canonical)
        assert mined(chain, send(chain, L2_TO_L2_MESSENGER, *first)).status == 1
        for data, alist in (first, second):
            with pytest.raises(ExecutionReverted) as info:
                chain.call(
                    CallRequest(to=L2_TO_L2_MESSENGER, data=data, gas=GAS, access_list=alist)
                )
            assert info.value.data == "0x" + selector("MessageAlreadyRelayed()").hex()
            assert mined(chain, send(chain, L2_TO_L2_MESSENGER, data, alist)).status == 0


def test_reentrant_relay_is_refused(net: Chains) -> None:
    """A target that relays another message from inside its own relay (§9.11): refused with
    ReentrantCall; the outer relay completes and the inner message is not spent."""
    dest = net.guarded
    me = dest.dev_accounts[0].address
    probe = mined(
        dest, dest.send_transaction(CallRequest(sender=me, data=load("SettlementProbe").bytecode))
    ).contract_address
    assert probe is not None
    _, inner_id, inner_body = net.send_message(902, RECIPIENT, b"inner")
    inner = L2ToL2Message.from_payload(inner_body, 901)
    inner_call = relay_calldata(inner_id, inner_body)
    mined(dest, send(dest, probe, calldata("setReenter(bytes)", inner_call)))
    _, outer_id, outer_body = net.send_message(902, probe, b"outer")
    alist = (
        AccessListEntry(
            CROSS_L2_INBOX,
            access_list(outer_id, msg_hash(outer_body))[0].storage_keys
            + access_list(inner_id, msg_hash(inner_body))[0].storage_keys,
        ),
    )
    receipt = mined(
        dest, send(dest, L2_TO_L2_MESSENGER, relay_calldata(outer_id, outer_body), alist)
    )
    assert receipt.status == 1

    def probe_view(signature: str) -> bytes:
        return dest.call(CallRequest(to=probe, data=selector(signature))).output

    assert probe_view("reenterOk()") == bytes(32)
    assert selector("ReentrantCall()") in probe_view("reenterResult()")
    spent = calldata("successfulMessages(bytes32)", inner.hash)
    assert dest.call(CallRequest(to=L2_TO_L2_MESSENGER, data=spent)).output == bytes(32)
    mined(dest, send(dest, probe, calldata("setReenter(bytes)", b"")))
    again = send(dest, L2_TO_L2_MESSENGER, inner_call, access_list(inner_id, msg_hash(inner_body)))
    assert mined(dest, again).status == 1  # the inner message still relays, once
    assert dest.call(CallRequest(to=L2_TO_L2_MESSENGER, data=spent)).output[-1] == 1


# ------------------------------------------------------------------ the source side
SEND_ERC20 = "sendERC20(address,address,uint256,uint256)"


@pytest.mark.parametrize(
    ("token", "amount", "error"),
    [
        (bytes(20), 1, b""),  # token = address(0)
        (RECIPIENT, 1, b""),  # a codeless token
        (SUPERCHAIN_TEST_TOKEN, 10**18, selector("InsufficientBalance()")),  # no funds
    ],
    ids=["zero-token", "codeless-token", "unfunded"],
)
def test_fake_deposits_send_nothing(net: Chains, token: bytes, amount: int, error: bytes) -> None:
    """§9.8: a token bridge send that burns nothing must send no message."""
    source = net.source
    data = calldata(SEND_ERC20, token, RECIPIENT, amount, 902)
    sender = source.dev_accounts[1].address

    def state() -> tuple[object, ...]:
        def read(to: bytes, signature: str) -> bytes:
            return source.call(CallRequest(to=to, data=calldata(signature))).output

        return (
            read(L2_TO_L2_MESSENGER, "messageNonce()"),
            read(MESSAGE_OUTBOX, "count()"),
            read(SUPERCHAIN_TEST_TOKEN, "totalSupply()"),
        )

    before = state()
    request = CallRequest(sender=sender, to=SUPERCHAIN_TOKEN_BRIDGE, data=data, gas=GAS)
    with pytest.raises(ExecutionReverted) as info:
        source.call(request)
    assert info.value.data == "0x" + error.hex()
    receipt = mined(source, source.send_transaction(request))
    assert receipt.status == 0 and receipt.logs == ()
    assert state() == before


def test_relay_starved_of_gas_spends_nothing(net: Chains) -> None:
    """§9.11 out-of-gas griefing: a relayer that gives the target too little gas cannot burn
    the message. A failing target call reverts the whole relay, nullifier included."""
    dest = net.guarded
    me = dest.dev_accounts[0].address
    deploy = CallRequest(sender=me, data=load("SettlementProbe").bytecode)
    probe = mined(dest, dest.send_transaction(deploy)).contract_address
    assert probe is not None
    msg, ident, body = net.send_message(902, probe, b"a target that needs gas")
    data, alist = relay_calldata(ident, body), access_list(ident, msg_hash(body))
    sender = dest.dev_accounts[1].address
    needed = dest.estimate_gas(
        CallRequest(sender=sender, to=L2_TO_L2_MESSENGER, data=data, access_list=alist)
    )
    spent = calldata("successfulMessages(bytes32)", msg.hash)
    calls = selector("calls()")
    for gas in (needed // 2, needed - 20_000, needed - 1):
        request = CallRequest(
            sender=sender, to=L2_TO_L2_MESSENGER, data=data, gas=gas, access_list=alist
        )
        # mined and failed, as on anvil: the guard's simulation lets failures through
        tx_hash = dest.send_transaction(request)
        assert mined(dest, tx_hash).status == 0, gas
        assert dest.call(CallRequest(to=L2_TO_L2_MESSENGER, data=spent)).output == bytes(32)
        assert dest.call(CallRequest(to=probe, data=calls)).output == bytes(32)
    request = CallRequest(
        sender=sender, to=L2_TO_L2_MESSENGER, data=data, gas=needed, access_list=alist
    )
    assert mined(dest, dest.send_transaction(request)).status == 1
    assert int.from_bytes(dest.call(CallRequest(to=probe, data=calls)).output, "big") == 1


# ------------------------------------------------------------------ the docs table
def test_the_docs_table_names_real_tests() -> None:
    """docs/messaging.md's "Attack classes" table: every test it names exists (a name
    without ``file::`` is in the file named before it in the same cell)."""
    here = Path(__file__).parent
    doc = (here.parents[2] / "docs" / "messaging.md").read_text()
    section = doc.split("## Attack classes and where they are tested", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    named = 0
    for row in rows[1:]:
        cell = row.rstrip(" |").rsplit(" | ", 1)[1]
        module = None
        for name in re.findall(r"`([^`]+)`", cell):
            if "::" in name:
                module, name = name.split("::")
            assert module is not None, row
            source = (here / f"test_{module.removeprefix('test_')}.py").read_text()
            function = name.split("[")[0].replace("*", r"\w*")
            assert re.search(rf"^def {function}\(", source, flags=re.M), (module, name)
            named += 1
    assert len(rows) > 25 and named > 50
