"""eth_sendTransaction: fill in an unsigned request and sign it with a dev key."""

from __future__ import annotations

from typing import Any

from ..types import CallRequest


def sign_request(
    request: CallRequest,
    private_key: bytes,
    *,
    nonce: int,
    gas: int,
    chain_id: int,
    default_tip: int,
    base_fee: int,
) -> bytes:
    """The signed raw transaction: legacy when only ``gas_price`` is given, else
    EIP-1559 with ``maxFeePerGas`` defaulting to twice the base fee plus the tip."""
    from eth_account import Account as EthAccount  # imported on first use: slow to import

    tx: dict[str, Any] = {
        "nonce": nonce,
        "gas": gas,
        "value": request.value,
        "data": request.data,
        "chainId": chain_id,
    }
    if request.to is not None:
        tx["to"] = request.to
    if request.access_list:
        tx["accessList"] = [
            {
                "address": "0x" + e.address.hex(),
                "storageKeys": ["0x" + key.hex() for key in e.storage_keys],
            }
            for e in request.access_list
        ]
    if request.gas_price is not None and request.max_fee_per_gas is None:
        tx["gasPrice"] = request.gas_price
    else:
        tip = request.max_priority_fee_per_gas
        if tip is None:
            tip = default_tip
        fee_cap = request.max_fee_per_gas
        if fee_cap is None:
            fee_cap = 2 * base_fee + tip
        tx.update(maxFeePerGas=fee_cap, maxPriorityFeePerGas=min(tip, fee_cap), type=2)
    return bytes(EthAccount.sign_transaction(tx, private_key).raw_transaction)
