"""Fixed keys and addresses of the sequencing layer, the same on every fresh devnet."""

from __future__ import annotations

from ..chain.accounts import derive_account
from ..chain.config import DEFAULT_MNEMONIC
from ..types import DevAccount

#: HD index of the shared sequencer's key (between the settlement deployer, 1000, and the
#: rollup role accounts, 1010+): it signs soft commitments, posts the shared batches on the
#: L1 and signs the relays of messages between a bundle's legs on the L2s.
SHARED_SEQUENCER_INDEX = 1001
#: Where the shared sequencer posts its batches on the L1 (one inbox for every shared rollup;
#: each rollup reads its namespace).
SHARED_BATCH_INBOX = bytes.fromhex("ff00000000000000000000000000000000005eed")
#: Wei the shared sequencer's key holds on every shared rollup at genesis (pays its relays;
#: backed by the rollup's portal on the L1 like the dev accounts' ETH).
SHARED_SEQUENCER_L2_BALANCE = 1_000 * 10**18


def shared_sequencer_account(mnemonic: str = DEFAULT_MNEMONIC) -> DevAccount:
    return derive_account(mnemonic, SHARED_SEQUENCER_INDEX)


def based_inbox(chain_id: int) -> bytes:
    """Where anyone posts transactions for based rollup ``chain_id`` on the L1:
    ``0xfb00…00<chainId>`` (a batch inbox is ``0xff00…00<chainId>``)."""
    return b"\xfb" + chain_id.to_bytes(19, "big")
