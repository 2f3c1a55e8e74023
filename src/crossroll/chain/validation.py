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

Blob transactions (type 3, L1 only), against ``anvil --hardfork cancun``; where
anvil answers its KZG library's text, crossroll answers geth's (txpool/validation.go,
core/error.go), keeping anvil's code::

    case                                   anvil 1.7.1 (-32003 unless noted)                            crossroll
    -------------------------------------  -----------------------------------------------------------  -----------------------------------------------
    canonical form (no sidecar)            eip4844 tx variant without sidecar being used for verification.  missing sidecar in blob transaction
    blobs/commitments/proofs count wrong   KZG error: MismatchLength("There are 2 blobs and 1 commitments")  invalid number of 2 blobs compared to 1 blob hashes
    commitment's hash != tx's hash         wrong versioned hash: have 0x.., expected 0x..               blob 0: computed hash 0x.. mismatches transaction one 0x..
    proof does not verify for its blob     invalid KZG proof                                            invalid blob 0: can't verify opening proof
    zero blobs                             `blob_hashes` are required for EIP-4844 transactions         blobless blob transaction
    7 blobs                                too many blobs in one transaction, have: 7, max: 6           too many blobs in transaction: have 7, permitted 6
    to = None (create)                     -32602 Failed to decode transaction                          same
    maxFeePerBlobGas < blob base fee       Block `blob_gas_price` is greater than tx-specified ...      max fee per blob gas less than block blob gas fee: ...
    balance < gas*cap + value + blob cost  Insufficient funds for gas * price + value                   same (blob gas * maxFeePerBlobGas counted)

On chains whose rules do not list type 3 (dev node, rollups) a type-3 transaction
gets anvil's answer for a disabled type, ``transaction type not supported``.

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
    TRANSACTION_REJECTED,
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


# The fixed answers of the table above: kind, exception class, JSON-RPC code, message.
_TABLE = """
empty_transaction         TransactionRejected   -32602  Empty transaction data
undecodable               TransactionRejected   -32602  Failed to decode transaction
bad_signature             InvalidSignature      -32602  Failed to recover the signer
wrong_chain_id            WrongChainId          -32003  invalid chain id for signer
nonce_too_low             NonceTooLow           -32003  nonce too low
insufficient_funds        InsufficientFunds     -32003  Insufficient funds for gas * price + value
intrinsic_gas_too_low     IntrinsicGasTooLow    -32000  intrinsic gas too low
gas_above_block_limit     GasLimitExceeded      -32000  intrinsic gas too high -- tx.gas_limit > env.block.gas_limit
fee_cap_below_base_fee    FeeCapTooLow          -32003  max fee per gas less than block base fee
tip_above_fee_cap         FeeCapTooLow          -32003  max priority fee per gas higher than max fee per gas
initcode_too_large        TransactionRejected   -32003  max initcode size exceeded
oversized                 OversizedTransaction  -32003  oversized data
already_known             AlreadyKnown          -32003  transaction already imported
replacement_underpriced   TransactionRejected   -32003  replacement transaction underpriced
no_signer                 UnknownAccount        -32602  No Signer available
call_gas_below_intrinsic  IntrinsicGasTooLow    -32000  intrinsic gas too high -- CallGasCostMoreThanGasLimit
blob_sidecar_missing      TransactionRejected   -32003  missing sidecar in blob transaction
blob_none                 TransactionRejected   -32003  blobless blob transaction
blob_create               TransactionRejected   -32602  Failed to decode transaction
"""
_CLASSES: dict[str, type[ChainError]] = {
    cls.__name__: cls
    for cls in (TransactionRejected, InvalidSignature, WrongChainId, NonceTooLow, InsufficientFunds,
                IntrinsicGasTooLow, GasLimitExceeded, FeeCapTooLow, OversizedTransaction,
                AlreadyKnown, UnknownAccount)
}  # fmt: skip
REJECTIONS: dict[str, tuple[type[ChainError], int, str]] = {
    kind: (_CLASSES[cls], int(code), message)
    for kind, cls, code, message in (line.split(None, 3) for line in _TABLE.strip().splitlines())
}


def reject(kind: str) -> ChainError:
    """The error anvil answers for ``kind`` (a key of :data:`REJECTIONS`)."""
    cls, code, message = REJECTIONS[kind]
    return cls(message, code=code)


def blob_error(message: str) -> ChainError:
    """A blob transaction or sidecar geth's pool refuses (geth's wording, anvil's code)."""
    return TransactionRejected(message, code=TRANSACTION_REJECTED)


def blob_fee_too_low(cap: int, blob_base_fee: int) -> ChainError:
    return FeeCapTooLow(
        "max fee per blob gas less than block blob gas fee: "
        f"maxFeePerBlobGas: {cap}, blobBaseFee: {blob_base_fee}",
        code=TRANSACTION_REJECTED,
    )


def unsupported_type(type_id: int) -> UnsupportedTransactionType:
    if type_id in (3, 4):  # known to anvil, not enabled on this chain
        return UnsupportedTransactionType("transaction type not supported", code=INVALID_PARAMS)
    return UnsupportedTransactionType("Failed to decode transaction", code=INVALID_PARAMS)


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
