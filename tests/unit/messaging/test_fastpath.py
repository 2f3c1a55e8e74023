"""The fast path's rules on a destination sequencer: two in-process L2s (901 -> 902) on one
virtual clock, the guard on 902, executing messages through the genesis CrossL2Inbox."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

import pytest
from eth_hash.auto import keccak

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.rules import L2Rules
from crossroll.clock import VirtualClock
from crossroll.errors import INVALID_PARAMS, InteropRejected, InvalidParams
from crossroll.messaging.accesslist import access_list
from crossroll.messaging.addresses import CROSS_L2_INBOX
from crossroll.messaging.fastpath import (
    EXECUTING_MESSAGE_TOPIC,
    EXPIRY_WINDOW,
    Dependency,
    ExecutingMessage,
    InteropGuard,
    InteropRules,
    executing_messages,
)
from crossroll.messaging.identifier import Identifier, msg_hash
from crossroll.rpc.context import make_dispatcher
from crossroll.rpc.inproc import InProcessClient
from crossroll.types import Block, CallRequest, Hash32

START = 1_700_000_000
SOURCE, DEST = 901, 902
TOPIC = keccak(b"Ping(bytes)")
#: Logs its calldata under TOPIC: CALLDATACOPY(0, 0, size); LOG1(0, size, TOPIC); STOP.
EMITTER_CODE = bytes.fromhex("365f5f37" + "7f" + TOPIC.hex() + "365fa100")
EMITTER = bytes.fromhex("00000000000000000000000000000000000e0001")
VALIDATE = keccak(b"validateMessage((address,uint256,uint256,uint256,uint256),bytes32)")[:4]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=START)


@pytest.fixture
def chains(clock: VirtualClock) -> dict[int, Chain]:
    made = {}
    for chain_id in (SOURCE, DEST):
        made[chain_id] = Chain(ChainConfig(chain_id=chain_id, rules=L2Rules), clock)
    made[SOURCE].set_code(EMITTER, EMITTER_CODE)
    return made


@pytest.fixture
def guard(chains: dict[int, Chain]) -> InteropGuard:
    guard = InteropGuard(DEST, chains, InteropRules())
    chains[DEST].set_tx_guard(guard)
    return guard


def initiate(
    source: Chain, payload: bytes = b"hello", sender: int = 0
) -> tuple[Identifier, Hash32]:
    """Emit one log on ``source`` (automine); its identifier and payload hash."""
    account = source.dev_accounts[sender].address
    tx_hash = source.send_transaction(CallRequest(sender=account, to=EMITTER, data=payload))
    receipt = source.receipt(tx_hash)
    assert receipt is not None and len(receipt.logs) == 1
    log = receipt.logs[0]
    block = source.block(receipt.block_number)
    return Identifier.of_log(log, block.header.timestamp, source.chain_id), msg_hash(log)


def signed(dest: Chain, sender: int, ident: Identifier, hash_: Hash32) -> bytes:
    """A raw validateMessage(ident, hash_) transaction with its access list.  Signed here:
    crossroll.chain.signing hands eth_account raw bytes in access lists, which it refuses."""
    from eth_account import Account as EthAccount

    account = dest.dev_accounts[sender]
    keys = access_list(ident, hash_)[0].storage_keys
    tip = dest.rules.default_priority_fee
    tx = {
        "type": 2,
        "chainId": dest.chain_id,
        "nonce": dest.pool.pending_nonce(account.address, dest.account(account.address).nonce),
        "to": "0x" + CROSS_L2_INBOX.hex(),
        "value": 0,
        "data": "0x" + (VALIDATE + ident.encode() + hash_).hex(),
        "gas": 200_000,
        "maxFeePerGas": 2 * (dest.head().header.base_fee_per_gas or 0) + tip,
        "maxPriorityFeePerGas": tip,
        "accessList": [
            {"address": "0x" + CROSS_L2_INBOX.hex(), "storageKeys": ["0x" + k.hex() for k in keys]}
        ],
    }
    return bytes(EthAccount.sign_transaction(tx, account.private_key).raw_transaction)


def execute(dest: Chain, ident: Identifier, hash_: Hash32, sender: int = 1) -> Hash32:
    """Send CrossL2Inbox.validateMessage(ident, hash_) from dev account ``sender``."""
    return dest.send_raw_transaction(signed(dest, sender, ident, hash_))


def fingerprint(chain: Chain) -> tuple[int, Hash32, int, int]:
    sender = chain.dev_accounts[1].address
    return (chain.head().number, chain.state_root, len(chain.pool), chain.account(sender).nonce)


def test_valid_message_is_admitted_and_mined(chains: dict[int, Chain], guard: InteropGuard) -> None:
    ident, hash_ = initiate(chains[SOURCE])
    tx_hash = execute(chains[DEST], ident, hash_)
    receipt = chains[DEST].receipt(tx_hash)
    assert receipt is not None and receipt.status == 1
    [msg] = executing_messages(receipt.logs)
    assert msg == ExecutingMessage(hash_, ident)
    assert receipt.logs[0].topics == (EXECUTING_MESSAGE_TOPIC, hash_)
    block = chains[DEST].block(receipt.block_number)
    source_hash = chains[SOURCE].block(ident.block_number).hash
    assert guard.dependencies(block) == [Dependency(SOURCE, ident.block_number, source_hash)]


def test_log_index_is_block_wide(chains: dict[int, Chain], guard: InteropGuard) -> None:
    source = chains[SOURCE]
    source.set_automine(False)
    for sender, payload in ((0, b"first"), (2, b"second")):
        address = source.dev_accounts[sender].address
        source.send_transaction(CallRequest(sender=address, to=EMITTER, data=payload))
    [block] = source.mine()
    second = block.receipts[1].logs[0]
    assert second.log_index == 1 and second.data == b"second"
    ident = Identifier.of_log(second, block.header.timestamp, SOURCE)
    receipt = chains[DEST].receipt(execute(chains[DEST], ident, msg_hash(second)))
    assert receipt is not None and receipt.status == 1


Mutate = Callable[[Identifier, Hash32, dict[int, Chain]], tuple[Identifier, Hash32]]


def _id(**changes: object) -> Mutate:
    return lambda ident, hash_, _: (dataclasses.replace(ident, **changes), hash_)  # type: ignore[arg-type]


def _far_block(ident: Identifier, hash_: Hash32, _: dict[int, Chain]) -> tuple[Identifier, Hash32]:
    return dataclasses.replace(ident, block_number=ident.block_number + 5), hash_


def _late_timestamp(
    ident: Identifier, hash_: Hash32, _: dict[int, Chain]
) -> tuple[Identifier, Hash32]:
    return dataclasses.replace(ident, timestamp=ident.timestamp + 1), hash_


def _log_past_end(
    ident: Identifier, hash_: Hash32, _: dict[int, Chain]
) -> tuple[Identifier, Hash32]:
    return dataclasses.replace(ident, log_index=1), hash_


def _other_origin(
    ident: Identifier, hash_: Hash32, _: dict[int, Chain]
) -> tuple[Identifier, Hash32]:
    return dataclasses.replace(ident, origin=CROSS_L2_INBOX), hash_


def _other_payload(
    ident: Identifier, _hash: Hash32, _: dict[int, Chain]
) -> tuple[Identifier, Hash32]:
    return ident, keccak(b"not the payload")


def _unknown_chain(
    ident: Identifier, hash_: Hash32, _: dict[int, Chain]
) -> tuple[Identifier, Hash32]:
    return dataclasses.replace(ident, chain_id=999), hash_


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_unknown_chain, "no chain found for chain id: 999"),
        (_far_block, "initiating message not found: chain 901 has no block"),
        (_late_timestamp, "executing message identifier does not match block timestamp"),
        (_log_past_end, "initiating message not found: block"),
        (_other_origin, "initiating message not found: log 0 was emitted by 0x0000"),
        (_other_payload, "executing and initiating message fields are not equal"),
    ],
    ids=["unknown-chain", "no-block", "timestamp", "log-index", "origin", "payload"],
)
def test_bad_identifier_is_refused_at_send(
    chains: dict[int, Chain], guard: InteropGuard, mutate: Mutate, message: str
) -> None:
    ident, hash_ = initiate(chains[SOURCE])
    ident, hash_ = mutate(ident, hash_, chains)
    dest = chains[DEST]
    before = fingerprint(dest)
    with pytest.raises(InteropRejected) as refused:
        execute(dest, ident, hash_)
    assert refused.value.message.startswith(message)
    assert refused.value.to_rpc()["code"] == INVALID_PARAMS == -32602
    assert fingerprint(dest) == before


def _refused(dest: Chain, ident: Identifier, hash_: Hash32, message: str) -> None:
    before = fingerprint(dest)
    with pytest.raises(InteropRejected, match=message) as refused:
        execute(dest, ident, hash_)
    assert refused.value.code == INVALID_PARAMS
    assert fingerprint(dest) == before


def test_source_outside_the_dependency_set_is_refused(chains: dict[int, Chain]) -> None:
    rules = InteropRules(dependency_set=frozenset({902, 903}))
    chains[DEST].set_tx_guard(InteropGuard(DEST, chains, rules))
    ident, hash_ = initiate(chains[SOURCE])
    _refused(chains[DEST], ident, hash_, "chain id 901 not in dependency set of chain 902")
    assert rules.allows(902, 902) and rules.allows(903, 902) and not rules.allows(902, 904)


def test_message_from_the_future_is_refused(
    chains: dict[int, Chain], guard: InteropGuard, clock: VirtualClock
) -> None:
    chains[SOURCE].set_next_block_timestamp(START + 1_000)
    ident, hash_ = initiate(chains[SOURCE])
    assert chains[DEST].pending_timestamp() < ident.timestamp
    _refused(chains[DEST], ident, hash_, "is after the executing block's")


def test_expired_message_is_refused(
    chains: dict[int, Chain], guard: InteropGuard, clock: VirtualClock
) -> None:
    ident, hash_ = initiate(chains[SOURCE])
    clock.advance(EXPIRY_WINDOW - 5)
    assert chains[DEST].pending_timestamp() <= ident.timestamp + EXPIRY_WINDOW
    execute(chains[DEST], ident, hash_)  # the last moments of the window still count
    clock.advance(10)
    assert chains[DEST].pending_timestamp() > ident.timestamp + EXPIRY_WINDOW
    _refused(chains[DEST], ident, hash_, "initiating message expired")


def test_delay_must_pass(chains: dict[int, Chain], clock: VirtualClock) -> None:
    chains[DEST].set_tx_guard(InteropGuard(DEST, chains, InteropRules(delay=60)))
    ident, hash_ = initiate(chains[SOURCE])
    clock.advance(ident.timestamp + 59 - clock.now())
    assert chains[DEST].pending_timestamp() == ident.timestamp + 59
    _refused(chains[DEST], ident, hash_, f"executable from {ident.timestamp + 60}")
    clock.advance(1)
    receipt = chains[DEST].receipt(execute(chains[DEST], ident, hash_))
    assert receipt is not None and receipt.status == 1


def test_refusal_reaches_json_rpc_as_invalid_params(
    chains: dict[int, Chain], guard: InteropGuard, clock: VirtualClock
) -> None:
    ident, _ = initiate(chains[SOURCE])
    dest = chains[DEST]
    client = InProcessClient(make_dispatcher(dest, clock))
    raw = signed(dest, 1, ident, keccak(b"forged"))
    with pytest.raises(InvalidParams) as refused:
        client.eth_sendRawTransaction("0x" + raw.hex())
    assert refused.value.code == -32602
    assert refused.value.message == "executing and initiating message fields are not equal"


def test_without_a_guard_nothing_is_checked(chains: dict[int, Chain]) -> None:
    ident, _ = initiate(chains[SOURCE])
    forged = keccak(b"forged")
    receipt = chains[DEST].receipt(execute(chains[DEST], ident, forged))
    assert receipt is not None and receipt.status == 1
    assert executing_messages(receipt.logs) == [ExecutingMessage(forged, ident)]


def _in(block: Block, tx_hash: Hash32) -> bool:
    return any(tx.hash == tx_hash for tx in block.transactions)


def test_message_invalidated_before_mining_is_dropped_from_the_block(
    chains: dict[int, Chain], guard: InteropGuard, caplog: pytest.LogCaptureFixture
) -> None:
    source, dest = chains[SOURCE], chains[DEST]
    dest.set_automine(False)
    snap = source.snapshot()
    ident, hash_ = initiate(source)
    executing = execute(dest, ident, hash_, sender=1)  # valid now: admitted
    follower = dest.send_transaction(  # the same sender's next nonce
        CallRequest(sender=dest.dev_accounts[1].address, to=EMITTER, gas=50_000)
    )
    other = dest.send_transaction(
        CallRequest(sender=dest.dev_accounts[2].address, to=EMITTER, gas=50_000)
    )
    assert len(dest.pool) == 3
    assert source.revert(snap)  # the initiating block is gone
    with caplog.at_level(logging.WARNING, logger="crossroll.chain.chain"):
        [block] = dest.mine()
    assert _in(block, other)
    assert not _in(block, executing) and executing not in dest.pool
    assert not _in(block, follower) and follower in dest.pool  # waits for the nonce gap
    assert f"dropped 0x{executing.hex()}: initiating message not found" in caplog.text
    assert executing_messages(log for r in block.receipts for log in r.logs) == []
    assert guard.dependencies(block) == []


def test_dependencies_of_a_block_built_elsewhere(chains: dict[int, Chain]) -> None:
    source, dest = chains[SOURCE], chains[DEST]
    snap = source.snapshot()
    ident, hash_ = initiate(source)
    receipt = dest.receipt(execute(dest, ident, hash_))  # no guard on dest
    assert receipt is not None
    block = dest.block(receipt.block_number)
    fresh = InteropGuard(DEST, chains, InteropRules())
    source_hash = source.block(ident.block_number).hash
    assert fresh.dependencies(block) == [(SOURCE, ident.block_number, source_hash)]
    source.revert(snap)
    assert fresh.dependencies(block) == [(SOURCE, ident.block_number, b"\x00" * 32)]
    source.mine()  # another block at that height, without the log
    assert source.head().number == ident.block_number
    assert fresh.dependencies(block) == [(SOURCE, ident.block_number, b"\x00" * 32)]
    assert set(fresh.reject(block)) == {receipt.transaction_hash}
