"""OP-Stack deposit transactions (type 0x7E) inside py-evm.

A deposit has no signature, pays no fee and gets no refund; its sender is the
``from`` field.  Execution follows op-geth's state transition (Regolith and later,
Canyon receipts):

1. ``mint`` is credited to ``from`` first and kept whatever happens next;
2. a deposit that cannot run at all (``isSystemTx`` set, which Regolith forbids;
   gas below the intrinsic gas; value above the balance after the mint) is a
   *failed deposit*: the nonce of ``from`` is still incremented, it reports all its
   gas as used, status 0, no logs;
3. otherwise it runs as a message with gas price 0: the nonce is incremented, the
   EVM outcome decides the status (a revert keeps mint and nonce), the reported gas
   is the actual gas used after the EIP-3529 refund (Regolith), nothing goes to the
   coinbase and no ETH is refunded.

The receipt's consensus encoding is
``0x7E ‖ rlp([status, cumulativeGas, bloom, logs, depositNonce, depositReceiptVersion])``.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import rlp
from eth.abc import ComputationAPI, ReceiptAPI, SignedTransactionAPI
from eth.constants import CREATE_CONTRACT_ADDRESS
from eth.rlp.logs import Log as EvmLog
from eth.rlp.sedes import uint256
from eth.vm.base import VM
from eth.vm.forks.berlin.receipts import TypedReceipt
from eth.vm.forks.berlin.transactions import TypedTransaction
from eth.vm.forks.spurious_dragon._utils import collect_touched_accounts
from eth_bloom import BloomFilter
from eth_typing import Address as EvmAddress
from eth_utils import ValidationError
from rlp.sedes import CountableList, big_endian_int, binary

from ...types import Transaction
from ..deposits import DEPOSIT_RECEIPT_VERSION, DEPOSIT_TX_TYPE, deposit_of
from ..validation import intrinsic_gas

_MAX_NONCE = 2**64 - 1


class DepositReceiptPayload(rlp.Serializable):
    """The RLP body of a deposit receipt (after the 0x7E type byte)."""

    fields = [
        ("state_root", binary),  # the status byte, as py-evm names it
        ("gas_used", big_endian_int),  # cumulative, as in every receipt
        ("bloom", uint256),
        ("logs", CountableList(EvmLog)),
        ("deposit_nonce", big_endian_int),
        ("deposit_receipt_version", big_endian_int),
    ]

    def encode(self) -> bytes:
        return rlp.encode(self)

    @classmethod
    def decode(cls, encoded: bytes) -> DepositReceiptPayload:
        return rlp.decode(encoded, sedes=cls)

    @property
    def bloom_filter(self) -> BloomFilter:
        return BloomFilter(self.bloom)


class DepositReceipt(TypedReceipt):
    """A typed receipt whose body carries the deposit nonce and receipt version."""

    codecs = {DEPOSIT_TX_TYPE: DepositReceiptPayload}

    @property
    def deposit_nonce(self) -> int:
        return int(self._inner.deposit_nonce)  # type: ignore[attr-defined]

    @property
    def deposit_receipt_version(self) -> int:
        return int(self._inner.deposit_receipt_version)  # type: ignore[attr-defined]


def make_deposit_receipt(
    success: bool,
    cumulative_gas: int,
    log_entries: Any,
    deposit_nonce: int,
) -> DepositReceipt:
    logs = [EvmLog(address, topics, data) for address, topics, data in log_entries]
    bloomables = [item for log in logs for item in log.bloomables]
    payload = DepositReceiptPayload(
        state_root=b"\x01" if success else b"",
        gas_used=cumulative_gas,
        bloom=int(BloomFilter.from_iterable(bloomables)),
        logs=logs,
        deposit_nonce=deposit_nonce,
        deposit_receipt_version=DEPOSIT_RECEIPT_VERSION,
    )
    return DepositReceipt(DEPOSIT_TX_TYPE, payload)


class _DepositFields:
    """What py-evm's executor reads from a transaction, for a deposit."""

    chain_id = None
    gas_price = 0
    max_fee_per_gas = 0
    max_priority_fee_per_gas = 0
    y_parity = r = s = 0
    access_list: tuple[Any, ...] = ()
    blob_versioned_hashes: tuple[Any, ...] = ()
    authorization_list: tuple[Any, ...] = ()

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx
        self.nonce = tx.nonce
        self.gas = tx.gas
        self.to = tx.to if tx.to is not None else CREATE_CONTRACT_ADDRESS
        self.value = tx.value
        self.data = tx.data
        self.raw = deposit_of(tx).encode()

    def encode(self) -> bytes:
        return self.raw[1:]

    def get_sender(self) -> bytes:
        return self.tx.sender

    def get_intrinsic_gas(self) -> int:
        return intrinsic_gas(self.tx.data, self.tx.to is None, 0, 0)

    def validate(self) -> None:
        pass

    def check_signature_validity(self) -> None:
        pass

    def get_message_for_signing(self) -> bytes:
        raise ValidationError("deposit transactions are not signed")

    def copy(self, **overrides: Any) -> _DepositFields:
        raise NotImplementedError("deposit transactions are immutable")


class DepositEvmTransaction(TypedTransaction):
    """A deposit as py-evm sees it: a typed transaction whose sender is ``from``.

    Being a :class:`TypedTransaction` (of the fork's own typed class, see
    :func:`deposit_tx_class`) makes py-evm's block RLP serialize it as its typed
    encoding (an RLP string of ``0x7E ‖ payload``)."""

    def __init__(self, tx: Transaction) -> None:
        self.type_id = DEPOSIT_TX_TYPE
        self._fields = _DepositFields(tx)
        self._inner = self._fields  # type: ignore[assignment]

    @property
    def value_tx(self) -> Transaction:
        return self._fields.tx

    def encode(self) -> bytes:
        return self._fields.raw

    @cached_property
    def hash(self) -> bytes:  # type: ignore[override]
        return self.value_tx.hash

    @cached_property
    def sender(self) -> bytes:  # type: ignore[override]
        return self.value_tx.sender

    @property
    def is_system_tx(self) -> bool:
        return self.value_tx.is_system_tx

    @property
    def mint(self) -> int:
        return self.value_tx.mint or 0

    def make_receipt(self, status: bytes, gas_used: int, log_entries: Any) -> ReceiptAPI:
        return make_deposit_receipt(status == b"\x01", gas_used, log_entries, self.nonce)


_TX_CLASSES: dict[type[Any], type[DepositEvmTransaction]] = {}


def deposit_tx_class(vm: VM) -> type[DepositEvmTransaction]:
    """:class:`DepositEvmTransaction` made a subclass of ``vm``'s typed transaction
    class too (its block serializer checks ``isinstance`` against that class)."""
    typed: type[Any] = vm.get_transaction_builder().typed_transaction  # type: ignore[attr-defined]
    found = _TX_CLASSES.get(typed)
    if found is None:
        found = _TX_CLASSES[typed] = type(
            f"Deposit{typed.__name__}", (DepositEvmTransaction, typed), {}
        )
    return found


def _executor_class(vm: VM) -> type[Any]:
    """The fork's transaction executor, minus fees, refunds and coinbase payment."""
    base: type[Any] = vm.get_state_class().transaction_executor_class

    class DepositExecutor(base):
        def validate_transaction(self, transaction: SignedTransactionAPI) -> None:
            pass  # checked by apply_deposit before execution

        def finalize_computation(
            self, transaction: SignedTransactionAPI, computation: ComputationAPI
        ) -> ComputationAPI:
            state = self.vm_state
            for account in computation.get_accounts_for_deletion():
                state.delete_account(account)
            for account in collect_touched_accounts(computation):
                if state.account_exists(account) and state.account_is_empty(account):
                    state.delete_account(account)
            return computation

    return DepositExecutor


_EXECUTORS: dict[type[VM], type[Any]] = {}


def apply_deposit(vm: VM, header: Any, tx: Transaction) -> tuple[ReceiptAPI, Any, int]:
    """Run deposit ``tx`` on ``vm``'s state after ``header`` (the header so far).

    Return (receipt, py-evm transaction, deposit nonce).  Raise ``ValidationError``
    when the block has no room for the deposit's gas (the block cannot be built)."""
    if header.gas_used + tx.gas > header.gas_limit:
        raise ValidationError(
            f"deposit gas {tx.gas} exceeds the gas left in the block"
            f" ({header.gas_limit - header.gas_used})"
        )
    state = vm.state
    state.lock_changes()
    sender = EvmAddress(tx.sender)
    nonce = state.get_nonce(sender)
    evm_tx = deposit_tx_class(vm)(tx)
    evm_tx._fields.nonce = nonce
    if tx.mint:
        state.delta_balance(sender, tx.mint)
    state.lock_changes()  # the mint stays whatever happens next
    failed = (
        tx.is_system_tx  # Regolith: system transactions are no longer supported
        or tx.gas < evm_tx.intrinsic_gas
        or state.get_balance(sender) < tx.value
        or nonce >= _MAX_NONCE
    )
    if failed:
        state.increment_nonce(sender)
        receipt = make_deposit_receipt(False, header.gas_used + tx.gas, (), nonce)
        return receipt, evm_tx, nonce
    executor_class = _EXECUTORS.get(type(vm))
    if executor_class is None:
        executor_class = _EXECUTORS[type(vm)] = _executor_class(vm)
    executor = executor_class(state)
    computation = executor(evm_tx)
    consumed = tx.gas - computation.get_gas_remaining()
    refund = executor.calculate_gas_refund(computation, consumed)
    gas_used = consumed - refund
    receipt = make_deposit_receipt(
        not computation.is_error,
        header.gas_used + gas_used,
        computation.get_log_entries(),
        nonce,
    )
    return receipt, evm_tx, nonce
