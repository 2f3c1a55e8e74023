"""Relay transactions as bytes: the messenger's two relay calls encoded and decoded, the
signed transaction the relayer sends, and why a relay reverted."""

from __future__ import annotations

import dataclasses
from typing import Literal

from ..abc import ChainAPI
from ..chain.gas import CALL_STIPEND
from ..errors import CrossrollError
from ..rollup.abi import abi_decode, argument_types, selector
from ..rollup.transact import sign_1559
from ..types import AccessListEntry, CallRequest, DevAccount, Hash32, Transaction
from .addresses import L2_TO_L2_MESSENGER
from .identifier import Identifier
from .l2tol2 import RELAY_MESSAGE, RELAY_SETTLED_MESSAGE, L2ToL2Message, relay_calldata
from .settled import SettledProof

RELAY_SELECTOR = selector(RELAY_MESSAGE)
RELAY_SETTLED_SELECTOR = selector(RELAY_SETTLED_MESSAGE)

RelayPath = Literal["fast", "settled"]


def fast_calldata(identifier: Identifier, sent_message: bytes) -> bytes:
    """``relayMessage(id, payload)``: the fast path (needs the access list as well)."""
    return relay_calldata(identifier, sent_message)


def settled_calldata(message: L2ToL2Message, proof: SettledProof) -> bytes:
    """``relaySettledMessage(source, nonce, sender, target, message, proof)``."""
    return message.relay_settled_calldata(proof.as_abi())


def decode_relay(chain_id: int, data: bytes) -> tuple[Hash32 | None, RelayPath]:
    """The hash of the message a relay call to the messenger on ``chain_id`` relays (None
    when ``data`` is no well-formed relay call) and the path it takes."""
    try:
        if data[:4] == RELAY_SETTLED_SELECTOR:
            source, nonce, sender, target, body, _ = abi_decode(
                argument_types(RELAY_SETTLED_MESSAGE), data[4:]
            )
            message = L2ToL2Message(
                destination=chain_id,
                source=source,
                nonce=nonce,
                sender=bytes.fromhex(sender[2:]),
                target=bytes.fromhex(target[2:]),
                message=bytes(body),
            )
            return message.hash, "settled"
        if data[:4] == RELAY_SELECTOR:
            (_, _, _, _, source), sent = abi_decode(argument_types(RELAY_MESSAGE), data[4:])
            return L2ToL2Message.from_payload(bytes(sent), source).hash, "fast"
    except CrossrollError:
        pass
    except Exception as exc:  # eth_abi's decoding errors share no base with ours
        if type(exc).__module__.split(".")[0] not in ("eth_abi", "eth_utils"):
            raise
    return None, "fast"


def revert_reason(chain: ChainAPI, tx: Transaction, ref: int) -> str:
    """Why ``tx`` reverted: itself run again as a call on block ``ref``'s state (the state
    before its block; an earlier transaction of the block may have changed the outcome)."""
    try:
        chain.call(CallRequest.of(tx), max(ref, 0))
    except CrossrollError as exc:
        return exc.message
    return "reverted (it succeeds on its block's parent state: an earlier transaction broke it)"


#: Head room over the gas the relay used when simulated with the block's whole gas limit:
#: geth's first estimate (used + call stipend, times 64/63 for the target's share under the
#: 63/64 rule) times this.  One simulation instead of eth_estimateGas's binary search, which
#: was about 90% of a relay's cost (bench/messaging.py); a relay that still runs out is
#: retried by the relayer like any failed attempt.
GAS_MARGIN = 1.25


def signed_relay(
    chain: ChainAPI,
    account: DevAccount,
    data: bytes,
    access_list: tuple[AccessListEntry, ...],
    nonce: int,
) -> bytes:
    """A call of the messenger, gas from one simulation on ``chain`` (see GAS_MARGIN) and
    signed by ``account``: the raw transaction a wallet would send (raises the simulation's
    error, a revert included)."""
    request = CallRequest(
        sender=account.address, to=L2_TO_L2_MESSENGER, data=data, access_list=access_list
    )
    cap = chain.head().header.gas_limit
    result = chain.call(dataclasses.replace(request, gas=cap), "pending")  # raises a revert
    gas = min(cap, int((result.gas_used + CALL_STIPEND) * 64 / 63 * GAS_MARGIN))
    tip = chain.max_priority_fee()
    base = chain.head().header.base_fee_per_gas or 0
    return sign_1559(
        account.private_key,
        chain_id=chain.chain_id,
        nonce=nonce,
        tip=tip,
        max_fee=2 * base + tip,
        gas=gas,
        to=L2_TO_L2_MESSENGER,
        value=0,
        data=data,
        access_list=access_list,
    )


def pooled(chain: ChainAPI, tx_hash: Hash32) -> Transaction | None:
    """The transaction if it waits in the chain's pool (None if mined or unknown)."""
    try:
        tx, block = chain.transaction(tx_hash)
    except KeyError:
        return None
    return tx if block is None else None
