"""What the shared sequencer checks before it accepts a bundle (nothing is stored on error).

In order: the shape (1 to :data:`MAX_LEGS` legs), each leg's chain (a shared rollup of this
network), its raw transaction (decodes, signature recovers, signed for that chain), duplicate
legs, ``revertingTxHashes`` naming legs, the time bounds (``maxTimestamp`` not before the
next slot's timestamp), the bundle not already known, then each leg against the pool's rules
on its chain's current state (nonce not too low, fee cap at least the next base fee, gas
within the block limit, balance for gas and value).  Bad input answers -32602 naming the
leg; a pool rule answers as ``eth_sendRawTransaction`` would, with the leg named.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import rlp

from ..chain.chain import Chain
from ..chain.fees import child_base_fee
from ..chain.txpool import check_transaction
from ..errors import ChainError, CrossrollError, InvalidParams, WrongChainId
from ..types import Hash32
from .bundle import MAX_LEGS, Bundle, Leg, bundle_hash


@dataclass(frozen=True, slots=True)
class BundleRequest:
    """A bundle as sent: ``(chainId, raw signed transaction)`` legs and the options."""

    legs: tuple[tuple[int, bytes], ...]
    reverting: tuple[Hash32, ...] = ()
    min_timestamp: int | None = None
    max_timestamp: int | None = None


def admit(
    request: BundleRequest,
    members: Mapping[int, Chain],
    next_timestamp: int,
    *,
    known: Callable[[Hash32], bool],
    received_at: float = 0.0,
    seq: int = 0,
) -> Bundle:
    """Check ``request`` (module notes) and return the bundle, or raise."""
    if not request.legs:
        raise InvalidParams("a bundle needs at least one leg in txs")
    if len(request.legs) > MAX_LEGS:
        raise InvalidParams(f"a bundle has at most {MAX_LEGS} legs, got {len(request.legs)}")
    legs = tuple(_leg(i, cid, raw, members) for i, (cid, raw) in enumerate(request.legs))
    first: dict[Hash32, int] = {}
    for i, leg in enumerate(legs):
        if leg.tx.hash in first:
            raise InvalidParams(
                f"leg {i} duplicates leg {first[leg.tx.hash]} (tx 0x{leg.tx.hash.hex()})"
            )
        first[leg.tx.hash] = i
    for h in request.reverting:
        if h not in first:
            raise InvalidParams(f"revertingTxHashes: 0x{h.hex()} is not a leg of the bundle")
    _check_times(request.min_timestamp, request.max_timestamp, next_timestamp)
    digest = bundle_hash(tuple((leg.chain_id, leg.tx.hash) for leg in legs))
    if known(digest):
        raise InvalidParams(f"bundle 0x{digest.hex()} already known")
    for i, leg in enumerate(legs):
        _pool_checks(i, leg, members[leg.chain_id])
    return Bundle(
        hash=digest,
        legs=legs,
        reverting=frozenset(request.reverting),
        min_timestamp=request.min_timestamp,
        max_timestamp=request.max_timestamp,
        received_at=received_at,
        seq=seq,
    )


def _leg(i: int, chain_id: int, raw: bytes, members: Mapping[int, Chain]) -> Leg:
    chain = members.get(chain_id)
    if chain is None:
        shared = ", ".join(map(str, sorted(members))) or "none"
        raise InvalidParams(
            f"leg {i}: chain {chain_id} is not a shared rollup of this network"
            f" (shared rollups: {shared})"
        )
    try:
        tx = chain.engine.decode_transaction(raw)
    except WrongChainId:
        signed = _signed_chain_id(raw)
        raise InvalidParams(
            f"leg {i}: the transaction is signed for chain {signed}, not for its leg's"
            f" chainId {chain_id}"
        ) from None
    except CrossrollError as exc:
        raise InvalidParams(f"leg {i}: {exc.message}") from None
    return Leg(chain_id, tx)


def _signed_chain_id(raw: bytes) -> int | str:
    """The chain id a raw transaction was signed for, read from its fields."""
    try:
        if raw[0] < 0xC0:  # typed: chain id is the first field
            return int.from_bytes(rlp.decode(raw[1:])[0], "big")
        v = int.from_bytes(rlp.decode(raw)[6], "big")  # legacy: EIP-155 v = 35 + 2 * id
        return (v - 35) // 2 if v >= 35 else "none (pre-EIP-155)"
    except Exception:  # the engine has decoded it already; this only words the error
        return "another chain"


def _check_times(low: int | None, high: int | None, next_timestamp: int) -> None:
    if low is not None and high is not None and low > high:
        raise InvalidParams(f"minTimestamp {low} is after maxTimestamp {high}")
    if high is not None and high < next_timestamp:
        raise InvalidParams(
            f"bundle expired: maxTimestamp {high} is before the next slot's timestamp"
            f" {next_timestamp}"
        )


def _pool_checks(i: int, leg: Leg, chain: Chain) -> None:
    head = chain.head().header
    account = chain.account(leg.tx.sender)
    try:
        check_transaction(leg.tx, account, base_fee=child_base_fee(head), gas_limit=head.gas_limit)
    except ChainError as exc:
        raise type(exc)(
            f"leg {i} (chain {leg.chain_id}): {exc.message}", code=exc.code, data=exc.data
        ) from None
