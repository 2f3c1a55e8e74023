"""The message store: records replaced whole, status derived from the lifecycle steps,
filters, listeners, and the JSON crossroll_getMessage answers."""

from __future__ import annotations

import dataclasses

import pytest

from crossroll.messaging.addresses import L2_TO_L2_MESSENGER
from crossroll.messaging.identifier import Identifier
from crossroll.messaging.l2tol2 import L2ToL2Message
from crossroll.messaging.store import MessageRecord, MessageStore, Status, Step

SENDER = bytes.fromhex("f39fd6e51aad88f6f4ce6ab8827279cfffb92266")
TARGET = b"\x11" * 20


def record(nonce: int = 0, source: int = 901, destination: int = 902) -> MessageRecord:
    message = L2ToL2Message(destination, source, nonce, SENDER, TARGET, b"\x12\x34")
    return MessageRecord(
        message=message,
        identifier=Identifier(L2_TO_L2_MESSENGER, 5, nonce, 1_700_000_010, source),
        payload=message.payload(),
        source_block_hash=b"\xaa" * 32,
        sent=Step(1_700_000_010.5, 5, 1_700_000_010),
    )


def test_status_follows_the_lifecycle() -> None:
    r = record()
    assert r.status is Status.SENT
    r = r.with_step(Status.BATCHED, Step(20.0, 3, 20))
    assert r.status is Status.BATCHED
    r = r.with_step(Status.SETTLED, Step(40.0, 9, 40)).with_step(
        Status.OUTPUT_PROPOSED, Step(30.0, 6, 30)
    )
    assert r.status is Status.SETTLED  # the furthest settlement step, not the last one set
    failed = r.with_step(Status.FAILED, Step(41.0), last_error="execution reverted", attempts=1)
    assert failed.status is Status.FAILED and failed.last_error == "execution reverted"
    relayed = failed.with_step(Status.RELAYED, Step(42.0, 7, 42))
    assert relayed.status is Status.RELAYED  # relayed wins over an earlier failure
    assert relayed.with_step(Status.REORGED, Step(43.0)).status is Status.RELAYED
    assert failed.with_step(Status.REORGED, Step(43.0)).status is Status.REORGED
    # Clearing a step (a relay whose block was replaced) goes back.
    assert relayed.with_step(Status.RELAYED, None).status is Status.FAILED


def test_a_fast_message_is_relayed_before_it_is_batched() -> None:
    r = record().with_step(Status.RELAYED, Step(12.0, 2, 12))
    assert r.status is Status.RELAYED and r.batched is None
    assert r.with_step(Status.BATCHED, Step(30.0, 4, 30)).status is Status.RELAYED


def test_store_replaces_on_update_and_tells_listeners() -> None:
    store = MessageStore()
    heard: list[tuple[MessageRecord | None, MessageRecord]] = []
    unsubscribe = store.on_change(lambda old, new: heard.append((old, new)))
    first = record()
    store.put(first)
    store.put(first)  # no change, no news
    assert heard == [(None, first)]
    later = store.update(first.msg_hash, lambda r: r.with_step(Status.BATCHED, Step(2.0, 1, 2)))
    assert later is not None and later.batched == Step(2.0, 1, 2)
    assert store.get(first.msg_hash) is later and len(store) == 1
    assert heard[-1] == (first, later)
    assert store.update(b"\x00" * 32, lambda r: r) is None
    unsubscribe()
    store.put(record(1))
    assert len(heard) == 2 and len(store) == 2


def test_records_are_values() -> None:
    r = record()
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.attempts = 3  # type: ignore[misc]
    assert r == record() and r.msg_hash == r.message.hash


def test_filters() -> None:
    store = MessageStore()
    a, b, c = record(0), record(1, destination=903), record(2, source=902, destination=901)
    for r in (a, b, c):
        store.put(r)
    store.update(b.msg_hash, lambda r: r.with_step(Status.RELAYED, Step(3.0, 1, 3)))
    assert [r.message.nonce for r in store.filter()] == [0, 1, 2]  # order first seen
    assert [r.message.nonce for r in store.filter(source=901)] == [0, 1]
    assert [r.message.nonce for r in store.filter(destination=901)] == [2]
    assert [r.message.nonce for r in store.filter(chain=903)] == [1]
    assert [r.message.nonce for r in store.filter(chain=901)] == [0, 1, 2]
    assert [r.message.nonce for r in store.filter(status=Status.RELAYED)] == [1]
    assert [r.message.nonce for r in store.filter(chain=902, status=Status.SENT)] == [0, 2]
    assert a.msg_hash in store and b"\x01" * 32 not in store


def test_json() -> None:
    r = record().with_step(Status.RELAYED, Step(12.0, 2, 12), relay_tx_hash=b"\xbb" * 32)
    out = r.with_step(Status.RELAYED, r.relayed, path="fast", attempts=1).to_json()
    assert out["msgHash"] == "0x" + r.msg_hash.hex()
    assert out["status"] == "relayed"
    assert (out["source"], out["destination"], out["nonce"]) == (901, 902, 0)
    assert out["sender"] == "0x" + SENDER.hex() and out["message"] == "0x1234"
    assert out["identifier"] == {
        "origin": "0x4200000000000000000000000000000000000023",
        "blockNumber": 5,
        "logIndex": 0,
        "timestamp": 1_700_000_010,
        "chainId": 901,
    }
    assert out["lifecycle"]["sent"] == {
        "time": 1_700_000_010.5,
        "blockNumber": 5,
        "timestamp": 1_700_000_010,
    }
    assert out["lifecycle"]["relayed"] == {"time": 12.0, "blockNumber": 2, "timestamp": 12}
    assert out["lifecycle"]["batched"] is None and set(out["lifecycle"]) == {
        "sent", "batched", "outputProposed", "settled", "relayed", "failed", "reorged"
    }  # fmt: skip
    assert out["relayTransactionHash"] == "0x" + "bb" * 32
    assert (out["path"], out["attempts"], out["lastError"], out["gaveUp"]) == (
        "fast",
        1,
        None,
        False,
    )
    assert out["payload"] == "0x" + r.payload.hex()
