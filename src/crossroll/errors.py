"""One exception tree for the whole project.

Every error carries a JSON-RPC ``code``, a one-line ``message`` and optional
``data``; the RPC edge turns any :class:`CrossrollError` into
``{"code", "message", "data"}`` and the CLI into a one-line abort.  Codes follow
what geth and anvil answer, so clients that classify errors by code or by
message (ethers, web3.py, cast) behave as they do against anvil.
"""

from __future__ import annotations

from typing import Any

# JSON-RPC 2.0 / EIP-1474 codes used by geth and anvil.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_ERROR = -32000  # geth's generic "invalid input" / server error
TRANSACTION_REJECTED = -32003  # anvil's code for pool validation errors
EXECUTION_REVERTED = 3  # geth/anvil: eth_call / eth_estimateGas revert


class CrossrollError(Exception):
    """Base of every error crossroll raises on purpose."""

    code: int = SERVER_ERROR

    def __init__(self, message: str, *, data: Any = None, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data
        if code is not None:
            self.code = code

    def to_rpc(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            err["data"] = self.data
        return err


class ConfigError(CrossrollError):
    """A configuration value is missing, malformed or contradicts another."""


class ClockError(CrossrollError):
    """A timer was scheduled in the past of a virtual clock, or similar misuse."""


# ---------------------------------------------------------------- chain errors
class ChainError(CrossrollError):
    """Something a chain refused to do."""


class UnknownBlock(ChainError):
    """A block number, hash or tag that the chain does not have."""


class UnknownSnapshot(ChainError):
    """``evm_revert`` to a snapshot id that does not exist (anymore)."""


class ExecutionReverted(ChainError):
    """A call or gas estimate reverted; ``data`` is the hex revert data."""

    code = EXECUTION_REVERTED


class OutOfGas(ChainError):
    """A call ran out of gas (or gas estimation found no gas limit that works)."""


class TransactionRejected(ChainError):
    """A transaction failed pool validation and changed nothing."""

    code = TRANSACTION_REJECTED


class InvalidSignature(TransactionRejected):
    pass


class WrongChainId(TransactionRejected):
    pass


class NonceTooLow(TransactionRejected):
    pass


class NonceTooHigh(TransactionRejected):
    pass


class InsufficientFunds(TransactionRejected):
    pass


class IntrinsicGasTooLow(TransactionRejected):
    pass


class GasLimitExceeded(TransactionRejected):
    """The transaction's gas exceeds the block gas limit."""


class FeeCapTooLow(TransactionRejected):
    """maxFeePerGas (or gasPrice) below the block base fee, or tip above the cap."""


class OversizedTransaction(TransactionRejected):
    pass


class AlreadyKnown(TransactionRejected):
    pass


class UnsupportedTransactionType(TransactionRejected):
    pass


class InteropRejected(TransactionRejected):
    """An executing message (CrossL2Inbox ``ExecutingMessage``) whose initiating message
    breaks a fast-path rule; coded -32602 as Supersim answers it."""

    code = INVALID_PARAMS


class UnknownAccount(ChainError):
    """eth_sendTransaction from an address the node holds no key for."""


class MiningLocked(ChainError):
    """A mining control (``evm_mine``, automine, interval mining) on a chain whose blocks
    another builder makes, a shared or based rollup (``Chain.lock_mining``)."""

    code = INVALID_PARAMS


class JournalError(ChainError):
    """A chain's journal in the data dir cannot be written, or does not belong to the chain."""


class JournalCorrupt(JournalError):
    """A journal record in the middle of the file fails its checksum or does not decode."""


# ------------------------------------------------------------------ rpc errors
class RpcError(CrossrollError):
    """Errors of the JSON-RPC envelope itself."""


class ParseError(RpcError):
    code = PARSE_ERROR


class InvalidRequest(RpcError):
    code = INVALID_REQUEST


class MethodNotFound(RpcError):
    code = METHOD_NOT_FOUND


class InvalidParams(RpcError):
    code = INVALID_PARAMS


class FilterNotFound(RpcError):
    code = SERVER_ERROR


# ------------------------------------------------------------------- da errors
class DataError(CrossrollError):
    """Batch, channel, blob or KZG data that cannot be encoded or decoded."""


class EncodingError(DataError):
    """A value that a codec, compressor or blob cannot represent (too large, non-canonical)."""


class DecodingError(DataError):
    """Bytes that do not decode: truncated, corrupt, unknown version or over a size limit."""


class TrustedSetupError(DataError):
    """The committed KZG trusted setup is missing or does not match its pinned sha256."""


# --------------------------------------------------------------- rollup errors
class RollupError(CrossrollError):
    """Something a rollup service (deployment, proposer, ...) could not do."""


class DeploymentError(RollupError):
    """A settlement contract could not be deployed or registered on the L1."""


class L1Unavailable(RollupError):
    """An external L1 node (or its beacon API) did not answer: refused, reset, timed out,
    or not HTTP/JSON; retried at the next poll or tick."""


class L1TransactionFailed(RollupError):
    """An L1 transaction sent for a rollup was mined with status 0, or never mined;
    ``data`` holds the transaction hash."""


class DerivationError(RollupError):
    """Derivation cannot go on: the L1 reorganised below what was read, or the derived
    chain and the chain it is applied to disagree."""


class WithdrawalError(RollupError):
    """A withdrawal that cannot be found, proven or finalized (checked before anything is
    sent), or that the L1 portal rejected."""


class WithdrawalNotFound(WithdrawalError):
    """No such L2 transaction, or it initiated no withdrawal (anvil's code for a missing
    resource)."""

    code = -32001


class OutputNotProposed(WithdrawalError):
    """No output root on the L1 oracle covers the withdrawal's L2 block yet."""


class AlreadyProven(WithdrawalError):
    """The withdrawal is already proven against an output that still stands."""


class WithdrawalNotProven(WithdrawalError):
    """Finalizing a withdrawal that was never proven."""


class ChallengeWindowNotPassed(WithdrawalError):
    """Finalizing before the challenge window ends; ``data["finalizableAt"]`` says when."""


class AlreadyFinalized(WithdrawalError):
    """The withdrawal was finalized already (each is finalized at most once)."""


class WithdrawalRejected(WithdrawalError):
    """The L1 portal reverted a proof or a finalization; ``message`` holds its reason."""


# ------------------------------------------------------------ messaging errors
class MessagingError(CrossrollError):
    """A cross-rollup message that cannot be found or relayed."""


class MessageNotFound(MessagingError):
    """No message with that hash was sent on any rollup of the network (anvil's code for a
    missing resource, as for withdrawals)."""

    code = -32001


class MessageAlreadyRelayed(MessagingError):
    """The message was relayed already: a message executes at most once over both paths."""


class RelayPending(MessagingError):
    """A relay transaction of the message is in the destination's pool, not mined yet."""


class MessageNotSettled(MessagingError):
    """A settled-path relay of a message whose source block is not settled yet."""


class RelayFailed(MessagingError):
    """A relay the destination refused or reverted; ``message`` holds its reason."""


class MerkleError(MessagingError):
    """A settled-path Merkle tree or proof that is malformed (wrong sibling count, index out
    of range, full tree) or that disagrees with the root the chain holds."""


# ----------------------------------------------------------- sequencing errors
class SequencingError(CrossrollError):
    """A bundle, slot or forced transaction the sequencing layer cannot take or find."""


class BundleNotFound(SequencingError):
    """No bundle with that hash was sent to the shared sequencer (anvil's code for a missing
    resource, as for messages and withdrawals)."""

    code = -32001


class SlotNotFound(SequencingError):
    """The shared sequencer has not built that slot (yet)."""

    code = -32001
