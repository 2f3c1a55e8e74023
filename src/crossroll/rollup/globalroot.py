"""The settled path's global root reaches every rollup through its deposits.

The L1 ``SettlementHub`` combines the settled outbox roots of all rollups into one global root
and logs each new one (``GlobalRootUpdated``).  The first L2 block whose L1 origin is past such
a log carries, right after its L1-attributes deposit, a system deposit from the depositor
account that calls ``SettledInbox.setGlobalRoot(root)`` with the latest root as of that origin.
The sequencer and derivation both get it from :func:`crossroll.rollup.origin.block_deposits`,
so derived blocks carry the same deposit, and a rollup learns a root only from the L1.

This is crossroll's own deposit (OP has no global root): source-hash domain 0xC0, outside the
OP domains 0-3.
"""

from __future__ import annotations

from eth_hash.auto import keccak

from ..abc import L1ViewAPI
from ..chain.deposits import DepositTransaction, source_hash
from ..messaging.addresses import SETTLED_INBOX
from ..types import Address, Hash32, LogFilter, Transaction
from .l1info import L1_INFO_DEPOSITOR

GLOBAL_ROOT_DEPOSIT_DOMAIN = 0xC0
#: Gas of the deposit: setGlobalRoot writes two slots and logs once (about 70k).
GLOBAL_ROOT_GAS = 200_000
SET_GLOBAL_ROOT = keccak(b"setGlobalRoot(bytes32)")[:4]
GLOBAL_ROOT_UPDATED_TOPIC = keccak(b"GlobalRootUpdated(bytes32,uint256,bytes32,uint256,uint256)")
NO_ROOT: Hash32 = bytes(32)


def hub_root_between(l1: L1ViewAPI, hub: Address, after: int, up_to: int) -> Hash32 | None:
    """The last global root the hub logged in L1 blocks ``after + 1 .. up_to`` (None: none)."""
    if up_to <= after:
        return None
    flt = LogFilter(
        from_block=after + 1,
        to_block=up_to,
        addresses=(hub,),
        topics=((GLOBAL_ROOT_UPDATED_TOPIC,),),
    )
    roots = [entry.topics[1] for entry in l1.logs(flt) if not entry.removed]
    return roots[-1] if roots else None


def global_root_deposit(root: Hash32, l1_block_hash: Hash32) -> DepositTransaction:
    """The system deposit recording ``root`` in the ``SettledInbox``."""
    return DepositTransaction(
        source_hash=source_hash(GLOBAL_ROOT_DEPOSIT_DOMAIN, keccak(l1_block_hash + root)),
        sender=L1_INFO_DEPOSITOR,
        to=SETTLED_INBOX,
        mint=0,
        value=0,
        gas=GLOBAL_ROOT_GAS,
        is_system_tx=False,
        data=SET_GLOBAL_ROOT + root,
    )


def global_root_of(tx: Transaction) -> Hash32 | None:
    """The root a transaction records, if it is a global-root deposit."""
    if (
        tx.is_deposit
        and tx.sender == L1_INFO_DEPOSITOR
        and tx.to == SETTLED_INBOX
        and len(tx.data) == 36
        and tx.data[:4] == SET_GLOBAL_ROOT
    ):
        return tx.data[4:]
    return None
