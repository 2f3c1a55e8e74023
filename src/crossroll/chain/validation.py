"""Transaction rejection errors, worded and coded exactly as anvil 1.7.1 answers.

Observed against ``anvil --hardfork cancun`` (chain 31337, automine) by sending
bad raw transactions with ``eth_sendRawTransaction`` (and calls with
``eth_call`` / ``eth_estimateGas``)::

    case                                   code     message
    -------------------------------------  -------  ----------------------------------------------
    empty raw bytes                        -32602   Empty transaction data
    malformed RLP / unknown type (5, 0x7e) -32602   Failed to decode transaction
    signature not recoverable (s = 2^256-1) -32602  Failed to recover the signer
    r = s = 0, bad y-parity                -32602   Failed to decode transaction
    signed for another chain id            -32003   invalid chain id for signer
    nonce below the account's              -32003   nonce too low
    nonce above the pending nonce          (none)   accepted and queued until the gap fills
    balance < gas * fee cap + value        -32003   Insufficient funds for gas * price + value
    gas < 21000                            -32000   intrinsic gas too low
    gas > block gas limit                  -32000   intrinsic gas too high -- tx.gas_limit > env.block.gas_limit
    fee cap < base fee                     -32003   max fee per gas less than block base fee
    tip > fee cap                          -32003   max priority fee per gas higher than max fee per gas
    create with initcode > 49152 bytes     -32003   max initcode size exceeded
    same transaction sent twice            -32003   transaction already imported
    same nonce, not higher fees            -32003   replacement transaction underpriced
    eth_sendTransaction, unknown sender    -32602   No Signer available
    eth_call, value > balance              -32003   Insufficient funds for gas * price + value
    eth_call, gas below intrinsic          -32000   intrinsic gas too high -- CallGasCostMoreThanGasLimit
    eth_call, out of gas                   -32603   EVM error OutOfGas
    eth_call, invalid opcode 0xfe          -32603   EVM error InvalidFEOpcode
    eth_call, revert Error(string)         3        execution reverted: <reason>   (data: revert bytes)
    eth_call, revert custom bytes          3        execution reverted: custom error 0x<hex>  (data)
    eth_call, empty revert                 3        execution reverted   (data: 0x)
    eth_call, Panic(0x11)                  3        execution reverted: panic: arithmetic underflow or overflow (0x11)
    eth_call, revert data shorter than 4   3        execution reverted: <bytes as text>
    evm_setNextBlockTimestamp < head's     -32602   Timestamp error: <ts> is lower than previous block's timestamp

Deliberate differences: anvil's pool accepts transactions whose gas covers 21000
but not calldata / create / access-list costs (and then silently drops them when
mining); crossroll rejects them up front with anvil's "intrinsic gas too low".
anvil has no transaction size limit below its HTTP body limit; crossroll applies
geth's 128 KiB limit (``rules.max_tx_size``) with geth's "oversized data".
"""

from __future__ import annotations

from ..errors import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    SERVER_ERROR,
    AlreadyKnown,
    ChainError,
    FeeCapTooLow,
    GasLimitExceeded,
    InsufficientFunds,
    IntrinsicGasTooLow,
    InvalidSignature,
    NonceTooLow,
    OutOfGas,
    OversizedTransaction,
    TransactionRejected,
    UnknownAccount,
    UnsupportedTransactionType,
    WrongChainId,
)

MAX_INITCODE_SIZE = 49_152


def empty_transaction() -> TransactionRejected:
    return TransactionRejected("Empty transaction data", code=INVALID_PARAMS)


def undecodable() -> TransactionRejected:
    return TransactionRejected("Failed to decode transaction", code=INVALID_PARAMS)


def unsupported_type(type_id: int) -> UnsupportedTransactionType:
    if type_id in (3, 4):  # known to anvil, not enabled on this chain
        return UnsupportedTransactionType("transaction type not supported", code=INVALID_PARAMS)
    return UnsupportedTransactionType("Failed to decode transaction", code=INVALID_PARAMS)


def bad_signature() -> InvalidSignature:
    return InvalidSignature("Failed to recover the signer", code=INVALID_PARAMS)


def wrong_chain_id() -> WrongChainId:
    return WrongChainId("invalid chain id for signer")


def nonce_too_low() -> NonceTooLow:
    return NonceTooLow("nonce too low")


def insufficient_funds() -> InsufficientFunds:
    return InsufficientFunds("Insufficient funds for gas * price + value")


def intrinsic_gas_too_low() -> IntrinsicGasTooLow:
    return IntrinsicGasTooLow("intrinsic gas too low", code=SERVER_ERROR)


def gas_above_block_limit() -> GasLimitExceeded:
    return GasLimitExceeded(
        "intrinsic gas too high -- tx.gas_limit > env.block.gas_limit", code=SERVER_ERROR
    )


def fee_cap_below_base_fee() -> FeeCapTooLow:
    return FeeCapTooLow("max fee per gas less than block base fee")


def tip_above_fee_cap() -> FeeCapTooLow:
    return FeeCapTooLow("max priority fee per gas higher than max fee per gas")


def initcode_too_large() -> TransactionRejected:
    return TransactionRejected("max initcode size exceeded")


def oversized() -> OversizedTransaction:
    return OversizedTransaction("oversized data")


def already_known() -> AlreadyKnown:
    return AlreadyKnown("transaction already imported")


def replacement_underpriced() -> TransactionRejected:
    return TransactionRejected("replacement transaction underpriced")


def no_signer() -> UnknownAccount:
    return UnknownAccount("No Signer available", code=INVALID_PARAMS)


def call_gas_below_intrinsic() -> IntrinsicGasTooLow:
    return IntrinsicGasTooLow(
        "intrinsic gas too high -- CallGasCostMoreThanGasLimit", code=SERVER_ERROR
    )


def evm_error(name: str) -> ChainError:
    """A call that failed without reverting (anvil: ``EVM error <Name>``)."""
    cls = OutOfGas if name == "OutOfGas" else ChainError
    return cls(f"EVM error {name}", code=INTERNAL_ERROR)


def timestamp_too_low(timestamp: int) -> ChainError:
    return ChainError(
        f"Timestamp error: {timestamp} is lower than previous block's timestamp",
        code=INVALID_PARAMS,
    )


def intrinsic_gas(data: bytes, is_create: bool, access_list_len: int, storage_keys: int) -> int:
    """Intrinsic gas (Shanghai+): 21000, calldata, creation + EIP-3860 words, access list."""
    zeros = data.count(0)
    gas = 21_000 + 4 * zeros + 16 * (len(data) - zeros)
    if is_create:
        gas += 32_000 + 2 * ((len(data) + 31) // 32)
    return gas + 2_400 * access_list_len + 1_900 * storage_keys
