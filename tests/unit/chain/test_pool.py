"""eth_sendRawTransaction validation: anvil's codes and messages, no state change."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from crossroll.chain import Chain
from crossroll.errors import (
    AlreadyKnown,
    FeeCapTooLow,
    GasLimitExceeded,
    InsufficientFunds,
    IntrinsicGasTooLow,
    InvalidSignature,
    NonceTooLow,
    OversizedTransaction,
    TransactionRejected,
    UnsupportedTransactionType,
    WrongChainId,
)
from crossroll.types import DevAccount
from tests.unit.chain.helpers import GWEI, sign


def _fingerprint(chain: Chain) -> tuple[object, ...]:
    return (chain.head().hash, chain.state_root, len(chain.pool))


def test_types_accepted(chain: Chain, alice: DevAccount, bob: DevAccount) -> None:
    k, to = alice.private_key, bob.address
    raws = [
        sign(k, to=to, nonce=0, gasPrice=2 * GWEI),
        sign(k, to=to, nonce=1, gasPrice=2 * GWEI, chainId=None),
        sign(
            k,
            to=to,
            nonce=2,
            gasPrice=2 * GWEI,
            gas=30_000,
            accessList=[{"address": to, "storageKeys": []}],
        ),
        sign(k, to=to, nonce=3),
    ]
    for i, raw in enumerate(raws):
        tx_hash = chain.send_raw_transaction(raw)
        receipt = chain.receipt(tx_hash)
        assert receipt is not None and receipt.status == 1
        assert receipt.type == [0, 0, 1, 2][i]
    assert chain.head().number == 4


BAD: dict[str, tuple[Callable[[DevAccount, DevAccount], bytes], type[Exception], int, str]] = {
    "wrong chain": (
        lambda a, b: sign(a.private_key, to=b.address, nonce=0, chainId=5),
        WrongChainId,
        -32003,
        "invalid chain id for signer",
    ),
    "insufficient": (
        lambda a, b: sign(a.private_key, to=b.address, nonce=0, value=10**30),
        InsufficientFunds,
        -32003,
        "Insufficient funds for gas * price + value",
    ),
    "intrinsic": (
        lambda a, b: sign(a.private_key, to=b.address, nonce=0, gas=20_000),
        IntrinsicGasTooLow,
        -32000,
        "intrinsic gas too low",
    ),
    "intrinsic calldata": (
        lambda a, b: sign(a.private_key, to=b.address, nonce=0, data=b"\x01"),
        IntrinsicGasTooLow,
        -32000,
        "intrinsic gas too low",
    ),
    "intrinsic create": (
        lambda a, b: sign(a.private_key, nonce=0, gas=53_000, data=b"\x00"),
        IntrinsicGasTooLow,
        -32000,
        "intrinsic gas too low",
    ),
    "fee cap": (
        lambda a, b: sign(
            a.private_key, to=b.address, nonce=0, maxFeePerGas=1, maxPriorityFeePerGas=1
        ),
        FeeCapTooLow,
        -32003,
        "max fee per gas less than block base fee",
    ),
    "legacy price": (
        lambda a, b: sign(a.private_key, to=b.address, nonce=0, gasPrice=1),
        FeeCapTooLow,
        -32003,
        "max fee per gas less than block base fee",
    ),
    "tip above cap": (
        lambda a, b: sign(
            a.private_key,
            to=b.address,
            nonce=0,
            maxFeePerGas=3 * GWEI,
            maxPriorityFeePerGas=4 * GWEI,
        ),
        FeeCapTooLow,
        -32003,
        "max priority fee per gas higher than max fee per gas",
    ),
    "gas above limit": (
        lambda a, b: sign(a.private_key, to=b.address, nonce=0, gas=30_000_001),
        GasLimitExceeded,
        -32000,
        "intrinsic gas too high -- tx.gas_limit > env.block.gas_limit",
    ),
    "oversized": (
        lambda a, b: sign(
            a.private_key, to=b.address, nonce=0, gas=5_000_000, data=b"\x01" * (129 * 1024)
        ),
        OversizedTransaction,
        -32003,
        "oversized data",
    ),
    "bad signature": (
        lambda a, b: sign(a.private_key, to=b.address, nonce=0)[:-33] + b"\xa0" + b"\xff" * 32,
        InvalidSignature,
        -32602,
        "Failed to recover the signer",
    ),
    "unknown type": (
        lambda a, b: b"\x05\xc3\x01\x02\x03",
        UnsupportedTransactionType,
        -32602,
        "Failed to decode transaction",
    ),
    "blob type": (
        lambda a, b: b"\x03\xc3\x01\x02\x03",
        UnsupportedTransactionType,
        -32602,
        "transaction type not supported",
    ),
    "malformed": (
        lambda a, b: b"\x02\xc0\x01",
        TransactionRejected,
        -32602,
        "Failed to decode transaction",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_rejections_change_nothing(
    chain: Chain, alice: DevAccount, bob: DevAccount, case: str
) -> None:
    make, exc_type, code, message = BAD[case]
    before = _fingerprint(chain)
    with pytest.raises(exc_type) as info:
        chain.send_raw_transaction(make(alice, bob))
    assert isinstance(info.value, TransactionRejected)
    assert (info.value.code, info.value.message) == (code, message)
    assert _fingerprint(chain) == before
    assert chain.account(alice.address).nonce == 0


def test_nonce_too_low_and_already_known(chain: Chain, alice: DevAccount, bob: DevAccount) -> None:
    raw = sign(alice.private_key, to=bob.address, nonce=0)
    chain.send_raw_transaction(raw)
    with pytest.raises(AlreadyKnown) as known:
        chain.send_raw_transaction(raw)
    assert known.value.message == "transaction already imported"
    with pytest.raises(NonceTooLow) as low:
        chain.send_raw_transaction(sign(alice.private_key, to=bob.address, nonce=0, value=2))
    assert (low.value.code, low.value.message) == (-32003, "nonce too low")


def test_nonce_gap_is_queued_until_filled(chain: Chain, alice: DevAccount, bob: DevAccount) -> None:
    later = chain.send_raw_transaction(sign(alice.private_key, to=bob.address, nonce=1))
    assert chain.head().number == 0 and chain.receipt(later) is None
    assert chain.transaction(later)[1] is None
    first = chain.send_raw_transaction(sign(alice.private_key, to=bob.address, nonce=0))
    block = chain.head()
    assert [tx.hash for tx in block.transactions] == [first, later]
    assert chain.account(alice.address).nonce == 2 and len(chain.pool) == 0


def test_manual_pool_replacement(chain: Chain, alice: DevAccount, bob: DevAccount) -> None:
    chain.set_automine(False)
    chain.send_raw_transaction(sign(alice.private_key, to=bob.address, nonce=0))
    with pytest.raises(TransactionRejected, match="replacement transaction underpriced"):
        chain.send_raw_transaction(sign(alice.private_key, to=bob.address, nonce=0, value=5))
    better = chain.send_raw_transaction(
        sign(alice.private_key, to=bob.address, nonce=0, value=5, maxFeePerGas=4 * GWEI)
    )
    assert len(chain.pool) == 1
    (block,) = chain.mine()
    assert [tx.hash for tx in block.transactions] == [better]
