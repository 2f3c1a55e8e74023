"""eth_sendTransaction with an access list (the relayer's and cast's way of executing an
interop message) signs the list into the transaction."""

from __future__ import annotations

from crossroll.chain import Chain, ChainConfig
from crossroll.clock import VirtualClock
from crossroll.types import AccessListEntry, CallRequest

START = 1_700_000_000


def test_send_transaction_keeps_the_access_list() -> None:
    chain = Chain(ChainConfig(chain_id=901, genesis_timestamp=START), VirtualClock(start=START))
    entry = AccessListEntry(b"\x42" * 20, (b"\x01" * 32, b"\x03" + b"\x00" * 31))
    sender = chain.dev_accounts[0].address
    tx_hash = chain.send_transaction(
        CallRequest(sender=sender, to=b"\x11" * 20, access_list=(entry,))
    )
    tx, block = chain.transaction(tx_hash)
    assert block is not None
    assert tx.type == 2
    assert tx.access_list == (entry,)
