"""OP interop's CrossL2Inbox and L2ToL2CrossDomainMessenger on two in-process L2s (901, 902)
on one virtual clock, against the Python mirror (identifier, access list, message hash).

Everything here relays by hand: identifier from the SentMessage log, access list from Python.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.deposits import DepositTransaction
from crossroll.chain.rules import L2Rules
from crossroll.clock import VirtualClock
from crossroll.errors import DecodingError, ExecutionReverted
from crossroll.messaging import accesslist
from crossroll.messaging.addresses import (
    CROSS_L2_INBOX,
    L2_TO_L2_MESSENGER,
    MESSAGE_OUTBOX,
    SETTLED_INBOX,
)
from crossroll.messaging.identifier import Identifier, msg_hash, payload
from crossroll.messaging.l2tol2 import (
    EXECUTING_MESSAGE_TOPIC,
    RELAYED_MESSAGE_TOPIC,
    SENT_MESSAGE_TOPIC,
    L2ToL2Message,
    executing_of_log,
    relay_calldata,
    relayed_of_log,
)
from crossroll.rollup.abi import abi_decode, calldata, selector
from crossroll.types import AccessListEntry, CallRequest, CallResult, GenesisAccount, Log, Receipt

START = 1_700_000_000
SOURCE, DEST = 901, 902
ID = Identifier.ABI_TYPE
SEND = "sendMessage(uint256,address,bytes)"
VALIDATE = f"validateMessage({ID},bytes32)"
CHECKSUM = f"calculateChecksum({ID},bytes32)"

# Hand-assembled targets (no compiler at test time).
_CALL_CONTEXT = b"".join(
    [
        b"\x63" + keccak(b"crossDomainMessageContext()")[:4],  # PUSH4 selector
        bytes.fromhex("60e01b5f52"),  # SHL 224; MSTORE at 0
        bytes.fromhex("60405f60045f"),  # out 0..64, in 0..4
        b"\x73" + L2_TO_L2_MESSENGER,  # PUSH20 messenger
        bytes.fromhex("5afa15"),  # GAS; STATICCALL; ISZERO
    ]
)
_RECORD = bytes.fromhex(
    "5f515f55"  # SSTORE(0, sender)
    "602051600155"  # SSTORE(1, source)
    "365f5f37365f20600255"  # SSTORE(2, keccak(calldata))
    "34600355"  # SSTORE(3, callvalue)
    "00"  # STOP
)
#: Records the messenger's context: slot 0 = crossDomainMessageSender, 1 = source chain,
#: 2 = keccak(calldata), 3 = callvalue; reverts if the context call fails.
RECORDER_CODE = (
    _CALL_CONTEXT
    + bytes([0x60, len(_CALL_CONTEXT) + 3 + len(_RECORD), 0x57])  # JUMPI to the revert
    + _RECORD
    + bytes.fromhex("5b5f5ffd")  # JUMPDEST; REVERT(0, 0)
)
RECORDER = bytes.fromhex("00000000000000000000000000000000000c0de1")
#: Always reverts with revert data 0xdeadbeef: MSTORE(0, 0xdeadbeef); REVERT(28, 4).
REVERTER = bytes.fromhex("00000000000000000000000000000000000c0de2")
REVERTER_CODE = bytes.fromhex("63deadbeef5f526004601cfd")


def err(name: str) -> bytes:
    return selector(name + "()")


def mapping_slot(key: bytes, slot: int) -> int:
    return int.from_bytes(keccak(key + slot.to_bytes(32, "big")), "big")


@dataclass
class L2:
    """One in-process rollup; signs its own transactions (access lists included)."""

    chain: Chain

    @property
    def chain_id(self) -> int:
        return self.chain.chain_id

    def account(self, index: int) -> Any:
        return self.chain.dev_accounts[index]

    def send(
        self,
        to: bytes,
        data: bytes,
        *,
        sender: int = 0,
        value: int = 0,
        access_list: Sequence[AccessListEntry] = (),
    ) -> Receipt:
        from eth_account import Account

        acct = self.account(sender)
        tx = {
            "type": 2,
            "chainId": self.chain_id,
            "nonce": self.chain.account(acct.address).nonce,
            "to": to_checksum_address(to),
            "value": value,
            "data": data,
            "gas": 1_000_000,
            "maxFeePerGas": 10**11,
            "maxPriorityFeePerGas": 10**9,
            "accessList": [
                {
                    "address": to_checksum_address(e.address),
                    "storageKeys": ["0x" + k.hex() for k in e.storage_keys],
                }
                for e in access_list
            ],
        }
        raw = bytes(Account.sign_transaction(tx, acct.private_key).raw_transaction)
        receipt = self.chain.receipt(self.chain.send_raw_transaction(raw))
        assert receipt is not None
        return receipt

    def call(
        self,
        to: bytes,
        data: bytes,
        *,
        sender: int = 0,
        value: int = 0,
        access_list: Sequence[AccessListEntry] = (),
    ) -> CallResult:
        request = CallRequest(
            sender=self.account(sender).address,
            to=to,
            data=data,
            value=value,
            access_list=tuple(access_list),
            gas=1_000_000,
        )
        try:
            return self.chain.call(request)
        except ExecutionReverted as exc:  # keep the revert data to compare
            return CallResult(False, bytes.fromhex(exc.data[2:]), 0, error="Revert")

    def view(self, to: bytes, signature: str, *args: Any, returns: str = "uint256") -> Any:
        result = self.call(to, calldata(signature, *args))
        assert result.success, result.output.hex()
        return abi_decode((returns,), result.output)[0]

    def timestamp_of(self, log: Log) -> int:
        return self.chain.block(log.block_number).header.timestamp


def make_pair(
    clock: VirtualClock,
    *,
    dest_alloc: tuple[tuple[bytes, GenesisAccount], ...] = (),
    alloc: tuple[tuple[bytes, GenesisAccount], ...] = (),
) -> tuple[L2, L2]:
    """Rollups 901 and 902 (automine) with the test targets; ``alloc`` goes to both."""
    base = (
        (RECORDER, GenesisAccount(code=RECORDER_CODE)),
        (REVERTER, GenesisAccount(code=REVERTER_CODE)),
        *alloc,
    )
    made = []
    for chain_id, extra in ((SOURCE, ()), (DEST, dest_alloc)):
        config = ChainConfig(chain_id=chain_id, rules=L2Rules, automine=True, alloc=base + extra)
        made.append(L2(Chain(config, clock)))
    return made[0], made[1]


@pytest.fixture
def pair() -> Iterator[tuple[L2, L2]]:
    src, dst = make_pair(VirtualClock(start=START))
    yield src, dst
    src.chain.close()
    dst.chain.close()


def logs_of(receipt: Receipt, address: bytes, topic: bytes) -> list[Log]:
    return [lg for lg in receipt.logs if lg.address == address and lg.topics[:1] == (topic,)]


def send_message(src: L2, dest: int, target: bytes, message: bytes, *, sender: int = 0) -> Log:
    receipt = src.send(L2_TO_L2_MESSENGER, calldata(SEND, dest, target, message), sender=sender)
    assert receipt.status == 1
    (log,) = logs_of(receipt, L2_TO_L2_MESSENGER, SENT_MESSAGE_TOPIC)
    return log


def relay_args(src: L2, log: Log) -> tuple[bytes, tuple[AccessListEntry, ...]]:
    """relayMessage calldata and its access list for a SentMessage log of ``src``."""
    ident = Identifier.of_log(log, src.timestamp_of(log), src.chain_id)
    body = payload(log)
    return relay_calldata(ident, body), accesslist.access_list(ident, msg_hash(body))


# ----------------------------------------------------------------- checksum and access list
IDENTIFIERS = [
    Identifier(b"\x42" * 20, 5, 3, START + 10, SOURCE),
    Identifier(b"\xff" * 20, 2**64 - 1, 2**32 - 1, 2**64 - 1, 2**64 - 1),
    Identifier(bytes(20), 0, 0, 0, 2**64),  # first chain id that needs the extension
    Identifier(b"\x01" * 20, 7, 1, 9, 2**256 - 1),
]


@pytest.mark.parametrize("ident", IDENTIFIERS)
def test_checksum_equals_the_contracts(pair: tuple[L2, L2], ident: Identifier) -> None:
    _, dst = pair
    hash_ = keccak(b"payload")
    on_chain = dst.call(CROSS_L2_INBOX, calldata(CHECKSUM, ident.as_tuple(), hash_))
    assert on_chain.success and on_chain.output == accesslist.checksum(ident, hash_)
    assert on_chain.output[0] == accesslist.CHECKSUM


def test_checksum_vector() -> None:
    # Pinned, so a change to the encoding cannot pass by changing the contract and Python alike.
    ident = Identifier(L2_TO_L2_MESSENGER, 1, 0, START, SOURCE)
    assert accesslist.checksum(ident, bytes(32)).hex() == (
        "03e9be7c6d39b179c26fba3c6eebf4b4c64e6bbb7c1e780224d804bed1e81da6"
    )
    lookup = "01000000" + f"{SOURCE:016x}" + f"{1:016x}" + f"{START:016x}" + "00000000"
    assert [k.hex() for k in accesslist.storage_keys(ident, bytes(32))] == [
        lookup,
        "03e9be7c6d39b179c26fba3c6eebf4b4c64e6bbb7c1e780224d804bed1e81da6",
    ]
    big = Identifier(bytes(20), 0, 0, 0, 2**64 + 5)
    assert [k.hex() for k in accesslist.storage_keys(big, bytes(32))] == [
        "01000000" + f"{5:016x}" + "00" * 20,
        "02" + "00" * 30 + "01",
        "03794b60edacae009641c991afdd8ac0f7da7bf23845a06a6c2e00bdd4dc4686",
    ]


@pytest.mark.parametrize(
    ("field", "error"),
    [
        ("block_number", "BlockNumberTooHigh"),
        ("log_index", "LogIndexTooHigh"),
        ("timestamp", "TimestampTooHigh"),
    ],
)
def test_checksum_bounds(pair: tuple[L2, L2], field: str, error: str) -> None:
    _, dst = pair
    limit = 2**32 if field == "log_index" else 2**64
    ident = replace(IDENTIFIERS[0], **{field: limit})
    result = dst.call(CROSS_L2_INBOX, calldata(CHECKSUM, ident.as_tuple(), bytes(32)))
    assert not result.success and result.output == err(error)
    with pytest.raises(ValueError):
        accesslist.checksum(ident, bytes(32))


@pytest.mark.parametrize("ident", IDENTIFIERS)
def test_access_list_round_trip(ident: Identifier) -> None:
    hash_ = keccak(b"m")
    (entry,) = accesslist.access_list(ident, hash_)
    assert entry.address == CROSS_L2_INBOX
    assert len(entry.storage_keys) == (3 if ident.chain_id >= 2**64 else 2)
    (access,) = accesslist.declared([entry, AccessListEntry(b"\x01" * 20, (bytes(32),))])
    assert access.chain_id == ident.chain_id and access.block_number == ident.block_number
    assert access.timestamp == ident.timestamp and access.log_index == ident.log_index
    assert access.matches(ident, hash_)
    assert not access.matches(ident, keccak(b"other"))


def test_access_list_parses_several_messages_and_rejects_malformed() -> None:
    a, b = IDENTIFIERS[0], IDENTIFIERS[3]
    keys = accesslist.storage_keys(a, bytes(32)) + accesslist.storage_keys(b, bytes(32))
    assert [x.chain_id for x in accesslist.parse(keys)] == [a.chain_id, b.chain_id]
    lookup, check = accesslist.storage_keys(a, bytes(32))
    for bad in (
        (check,),  # checksum without lookup
        (lookup,),  # lookup without checksum
        (lookup, lookup),  # lookup after lookup
        (bytes([1, 0, 1]) + lookup[3:], check),  # reserved bytes set
        (lookup, bytes([2, 1]) + bytes(30), check),  # extension with reserved bytes set
        (lookup, check[:31]),  # short key
    ):
        with pytest.raises(DecodingError):
            accesslist.parse(bad)


# ------------------------------------------------------------------------------- CrossL2Inbox
def test_validate_message_needs_the_access_list(pair: tuple[L2, L2]) -> None:
    _, dst = pair
    ident, hash_ = IDENTIFIERS[0], keccak(b"hello")
    data = calldata(VALIDATE, ident.as_tuple(), hash_)

    declared = dst.send(CROSS_L2_INBOX, data, access_list=accesslist.access_list(ident, hash_))
    assert declared.status == 1
    (log,) = logs_of(declared, CROSS_L2_INBOX, EXECUTING_MESSAGE_TOPIC)
    assert executing_of_log(log) == (hash_, ident)

    undeclared = dst.call(CROSS_L2_INBOX, data)
    assert not undeclared.success and undeclared.output == err("NotInAccessList")
    assert dst.send(CROSS_L2_INBOX, data).status == 0

    wrong_hash = accesslist.access_list(ident, keccak(b"other"))
    assert dst.call(CROSS_L2_INBOX, data, access_list=wrong_hash).output == err("NotInAccessList")
    other_contract = (AccessListEntry(L2_TO_L2_MESSENGER, accesslist.storage_keys(ident, hash_)),)
    assert dst.send(CROSS_L2_INBOX, data, access_list=other_contract).status == 0


def test_validate_message_reverts_in_a_deposit(pair: tuple[L2, L2]) -> None:
    _, dst = pair
    ident, hash_ = IDENTIFIERS[0], keccak(b"hello")
    deposit = DepositTransaction(
        source_hash=keccak(b"source"),
        sender=dst.account(0).address,
        to=CROSS_L2_INBOX,
        mint=0,
        value=0,
        gas=200_000,
        is_system_tx=False,
        data=calldata(VALIDATE, ident.as_tuple(), hash_),
    )
    block = dst.chain.mine_with_deposits([deposit])
    receipt = dst.chain.receipt(block.transactions[0].hash)
    assert receipt is not None and receipt.status == 0 and receipt.logs == ()


# ------------------------------------------------------------------ L2ToL2CrossDomainMessenger
def test_send_then_relay_by_hand(pair: tuple[L2, L2]) -> None:
    src, dst = pair
    message = calldata("ping(uint256)", 7)
    nonce = src.view(L2_TO_L2_MESSENGER, "messageNonce()")
    returned = src.call(L2_TO_L2_MESSENGER, calldata(SEND, DEST, RECORDER, message)).output
    log = send_message(src, DEST, RECORDER, message)

    msg = L2ToL2Message.from_sent_log(log, SOURCE)
    sender = src.account(0).address
    assert msg == L2ToL2Message(DEST, SOURCE, nonce, sender, RECORDER, message)
    assert msg.payload() == payload(log)
    # The hash three ways: Python, sendMessage's return value, the sentMessages record.
    assert (
        msg.hash
        == returned
        == src.view(L2_TO_L2_MESSENGER, "sentMessages(uint256)", nonce, returns="bytes32")
    )
    assert src.view(L2_TO_L2_MESSENGER, "messageNonce()") == nonce + 1
    # The settled path saw it too: the outbox appended the same hash.
    assert src.view(MESSAGE_OUTBOX, "count()") == 1

    data, alist = relay_args(src, log)
    receipt = dst.send(L2_TO_L2_MESSENGER, data, access_list=alist, sender=9, value=5)
    assert receipt.status == 1
    (relayed,) = [
        relayed_of_log(lg) for lg in logs_of(receipt, L2_TO_L2_MESSENGER, RELAYED_MESSAGE_TOPIC)
    ]
    assert (relayed.source, relayed.nonce, relayed.message_hash) == (SOURCE, nonce, msg.hash)
    assert relayed.return_data_hash == keccak(b"")
    (executing,) = logs_of(receipt, CROSS_L2_INBOX, EXECUTING_MESSAGE_TOPIC)
    assert executing_of_log(executing)[0] == msg_hash(payload(log))
    # The target saw the sender and source chain through crossDomainMessageContext.
    assert dst.chain.storage(RECORDER, 0) == int.from_bytes(sender, "big")
    assert dst.chain.storage(RECORDER, 1) == SOURCE
    assert dst.chain.storage(RECORDER, 2) == int.from_bytes(keccak(message), "big")
    assert dst.chain.storage(RECORDER, 3) == 5
    assert dst.view(L2_TO_L2_MESSENGER, "successfulMessages(bytes32)", msg.hash, returns="bool")
    # OP's storage layout: successfulMessages at slot 0, msgNonce 1, sentMessages 2.
    assert dst.chain.storage(L2_TO_L2_MESSENGER, mapping_slot(msg.hash, 0)) == 1
    assert src.chain.storage(L2_TO_L2_MESSENGER, 1) == nonce + 1
    sent_slot = mapping_slot(nonce.to_bytes(32, "big"), 2)
    assert src.chain.storage(L2_TO_L2_MESSENGER, sent_slot) == int.from_bytes(msg.hash, "big")

    again = dst.call(L2_TO_L2_MESSENGER, data, access_list=alist)
    assert again.output == err("MessageAlreadyRelayed")
    assert dst.send(L2_TO_L2_MESSENGER, data, access_list=alist).status == 0


def test_message_decoding_is_strict() -> None:
    msg = L2ToL2Message(DEST, SOURCE, 3, b"\x01" * 20, RECORDER, b"hi")
    assert L2ToL2Message.from_payload(msg.payload(), SOURCE) == msg
    body = msg.payload()
    for bad in (
        body[:100],
        RELAYED_MESSAGE_TOPIC + body[32:],
        body[:64] + b"\x01" + body[65:],
        body[:140],
    ):
        with pytest.raises(DecodingError):
            L2ToL2Message.from_payload(bad, SOURCE)
    with pytest.raises(DecodingError):
        Identifier.decode(b"\x01" + IDENTIFIERS[0].encode()[1:])
    assert Identifier.decode(IDENTIFIERS[3].encode()) == IDENTIFIERS[3]


def test_relay_needs_the_access_list_and_the_messengers_log(pair: tuple[L2, L2]) -> None:
    src, dst = pair
    log = send_message(src, DEST, RECORDER, b"x")
    data, alist = relay_args(src, log)
    assert dst.call(L2_TO_L2_MESSENGER, data).output == err("NotInAccessList")

    forged = Log(
        RECORDER,
        log.topics,
        log.data,
        log.block_number,
        log.block_hash,
        log.transaction_hash,
        0,
        log.log_index,
    )
    data, alist = relay_args(src, forged)
    assert dst.call(L2_TO_L2_MESSENGER, data, access_list=alist).output == err(
        "IdOriginNotL2ToL2CrossDomainMessenger"
    )
    assert dst.chain.storage(RECORDER, 0) == 0


def test_relay_of_a_log_that_is_not_sent_message_reverts(pair: tuple[L2, L2]) -> None:
    src, dst = pair
    log = send_message(src, DEST, RECORDER, b"x")
    data, alist = relay_args(src, log)
    receipt = dst.send(L2_TO_L2_MESSENGER, data, access_list=alist)
    (relayed,) = logs_of(receipt, L2_TO_L2_MESSENGER, RELAYED_MESSAGE_TOPIC)
    # A RelayedMessage log of the messenger passes the inbox but is no message to relay.
    data, alist = relay_args(dst, relayed)
    assert src.call(L2_TO_L2_MESSENGER, data, access_list=alist).output == err(
        "EventPayloadNotSentMessage"
    )


def test_relay_on_the_wrong_chain_reverts(pair: tuple[L2, L2]) -> None:
    src, dst = pair
    log = send_message(src, 903, RECORDER, b"x")
    data, alist = relay_args(src, log)
    assert dst.call(L2_TO_L2_MESSENGER, data, access_list=alist).output == err(
        "MessageDestinationNotRelayChain"
    )


def test_a_failed_relay_can_be_retried(pair: tuple[L2, L2]) -> None:
    src, dst = pair
    log = send_message(src, DEST, REVERTER, b"x")
    data, alist = relay_args(src, log)
    result = dst.call(L2_TO_L2_MESSENGER, data, access_list=alist)
    assert not result.success and result.output == bytes.fromhex("deadbeef")  # bubbled up
    assert dst.send(L2_TO_L2_MESSENGER, data, access_list=alist).status == 0
    hash_ = L2ToL2Message.from_sent_log(log, SOURCE).hash
    assert not dst.view(L2_TO_L2_MESSENGER, "successfulMessages(bytes32)", hash_, returns="bool")


@pytest.mark.parametrize(
    ("target", "error"),
    [
        (CROSS_L2_INBOX, "MessageTargetCrossL2Inbox"),
        (L2_TO_L2_MESSENGER, "MessageTargetL2ToL2CrossDomainMessenger"),
        (MESSAGE_OUTBOX, "L2ToL2CrossDomainMessenger_MessageTargetUnsafe"),
        (SETTLED_INBOX, "L2ToL2CrossDomainMessenger_MessageTargetUnsafe"),
    ],
)
def test_refused_targets(pair: tuple[L2, L2], target: bytes, error: str) -> None:
    src, _ = pair
    result = src.call(L2_TO_L2_MESSENGER, calldata(SEND, DEST, target, b""))
    assert not result.success and result.output == err(error)


def test_send_to_self_and_context_outside_a_relay(pair: tuple[L2, L2]) -> None:
    src, _ = pair
    same = src.call(L2_TO_L2_MESSENGER, calldata(SEND, SOURCE, RECORDER, b""))
    assert same.output == err("MessageDestinationSameChain")
    for getter in (
        "crossDomainMessageSender()",
        "crossDomainMessageSource()",
        "crossDomainMessageContext()",
    ):
        assert src.call(L2_TO_L2_MESSENGER, calldata(getter)).output == err("NotEntered")


def test_resend_message(pair: tuple[L2, L2]) -> None:
    src, _ = pair
    log = send_message(src, DEST, RECORDER, b"again")
    msg = L2ToL2Message.from_sent_log(log, SOURCE)
    resend = "resendMessage(uint256,uint256,address,address,bytes)"
    args = (msg.destination, msg.nonce, msg.sender, msg.target, msg.message)
    receipt = src.send(L2_TO_L2_MESSENGER, calldata(resend, *args))
    (again,) = logs_of(receipt, L2_TO_L2_MESSENGER, SENT_MESSAGE_TOPIC)
    assert payload(again) == payload(log)
    wrong = calldata(resend, msg.destination, msg.nonce, msg.sender, msg.target, b"other")
    assert src.call(L2_TO_L2_MESSENGER, wrong).output == err("InvalidMessage")


# ------------------------------------------------------------- one nullifier for both paths
#: A SettledInbox that accepts every proof (STOP): the messenger's side of the settled path.
ACCEPT_ALL = ((SETTLED_INBOX, GenesisAccount(code=bytes.fromhex("00"))),)
NO_PROOF = (bytes(32), 0, [], 0, [])


@pytest.fixture
def trusting_pair() -> Iterator[tuple[L2, L2]]:
    src, dst = make_pair(VirtualClock(start=START), dest_alloc=ACCEPT_ALL)
    yield src, dst
    src.chain.close()
    dst.chain.close()


def test_a_message_relays_once_over_both_paths(trusting_pair: tuple[L2, L2]) -> None:
    src, dst = trusting_pair
    first = L2ToL2Message.from_sent_log(send_message(src, DEST, RECORDER, b"one"), SOURCE)
    second_log = send_message(src, DEST, RECORDER, b"two")
    second = L2ToL2Message.from_sent_log(second_log, SOURCE)

    receipt = dst.send(L2_TO_L2_MESSENGER, first.relay_settled_calldata(NO_PROOF))
    assert receipt.status == 1
    (relayed,) = [
        relayed_of_log(lg) for lg in logs_of(receipt, L2_TO_L2_MESSENGER, RELAYED_MESSAGE_TOPIC)
    ]
    assert (relayed.source, relayed.nonce, relayed.message_hash) == (
        SOURCE,
        first.nonce,
        first.hash,
    )
    assert dst.chain.storage(RECORDER, 0) == int.from_bytes(first.sender, "big")
    assert dst.chain.storage(RECORDER, 1) == SOURCE
    again = dst.call(L2_TO_L2_MESSENGER, first.relay_settled_calldata(NO_PROOF))
    assert again.output == err("MessageAlreadyRelayed")

    data, alist = relay_args(src, second_log)  # fast path first, then the settled path
    assert dst.send(L2_TO_L2_MESSENGER, data, access_list=alist).status == 1
    late = dst.call(L2_TO_L2_MESSENGER, second.relay_settled_calldata(NO_PROOF))
    assert late.output == err("MessageAlreadyRelayed")


def test_settled_relay_refuses_system_targets(trusting_pair: tuple[L2, L2]) -> None:
    _, dst = trusting_pair
    forged = L2ToL2Message(
        DEST, SOURCE, 0, b"\x01" * 20, MESSAGE_OUTBOX, calldata("append(bytes32)", bytes(32))
    )
    result = dst.call(L2_TO_L2_MESSENGER, forged.relay_settled_calldata(NO_PROOF))
    assert result.output == err("L2ToL2CrossDomainMessenger_MessageTargetUnsafe")


def test_settled_relay_needs_the_inbox_to_accept(pair: tuple[L2, L2]) -> None:
    src, dst = pair  # the genesis SettledInbox knows no global root yet
    msg = L2ToL2Message.from_sent_log(send_message(src, DEST, RECORDER, b"x"), SOURCE)
    assert not dst.call(L2_TO_L2_MESSENGER, msg.relay_settled_calldata(NO_PROOF)).success
    assert dst.send(L2_TO_L2_MESSENGER, msg.relay_settled_calldata(NO_PROOF)).status == 0
    assert dst.chain.storage(RECORDER, 0) == 0
