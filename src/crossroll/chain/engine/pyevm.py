"""The py-evm engine: one AtomicDB per chain, py-evm's VM driven directly.

Blocks are built by one VM instance per block: transactions are applied one
after the other to the same state (linear cost, unlike ``Chain.apply_transaction``
which rebuilds the pending block per call), then the block is finalized, sealed
and validated by py-evm itself.  Every state root ever produced stays readable
because trie nodes are never pruned.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Sequence

import rlp
from eth.abc import BlockAPI, BlockHeaderAPI, ReceiptAPI, SignedTransactionAPI
from eth.chains.base import ChainContext
from eth.consensus.context import ConsensusContext
from eth.db.atomic import AtomicDB
from eth.db.chain import ChainDB
from eth.exceptions import OutOfGas as EvmOutOfGas
from eth.vm.base import VM
from eth_hash.auto import keccak
from eth_utils import ValidationError

from ... import types as t
from ...abc import EngineAPI
from ...errors import TransactionRejected
from ...types import Address, BlockHeader, Hash32, Transaction
from ..config import ChainConfig
from ..deposits import DEPOSIT_TX_TYPE
from .call import run_call
from .convert import ZERO_HASH, to_header, to_receipts
from .decode import TransactionDecoder
from .deposit_tx import apply_deposit
from .speedups import ordered_trie_root
from .state import StateReader
from .vm import make_vm_class
from .writelog import WriteLog

_TX_CACHE_SIZE = 16_384
_HEADER_CACHE_SIZE = 1024


def contract_address(sender: Address, nonce: int) -> Address:
    return keccak(rlp.encode([sender, nonce]))[12:]


class PyEvmEngine(EngineAPI):
    """:class:`EngineAPI` over py-evm.  Not thread-safe: drive it from one thread."""

    def __init__(self, config: ChainConfig, accounts: Sequence[t.DevAccount] = ()) -> None:
        self.config = config
        self.rules = config.rules
        self.chain_id = config.chain_id
        self.accounts = tuple(accounts)
        #: Every write of the engine; a chain's journal takes them (crossroll.chain.persist).
        self.write_log = WriteLog()
        self.db = AtomicDB(self.write_log)
        self.chaindb = ChainDB(self.db)
        self.vm_class = make_vm_class(self.rules.hardfork)
        self._chain_context = ChainContext(config.chain_id)
        self._consensus_context = ConsensusContext(self.db)
        self._decoder = TransactionDecoder(self.vm_class, config)
        self._reader = StateReader(self.db)
        # Decoded py-evm transactions by hash (sender already recovered).
        self._evm_txs: OrderedDict[Hash32, SignedTransactionAPI] = OrderedDict()
        # Recent py-evm headers by hash (older ones are read back from the ChainDB):
        # bounded, so a long chain does not keep every header object alive.
        self._evm_headers: OrderedDict[Hash32, BlockHeaderAPI] = OrderedDict()

    # ------------------------------------------------------------- genesis
    def genesis(self, timestamp: int) -> tuple[BlockHeader, Hash32]:
        root = self._reader.blank_root
        writes: list[tuple[Address, int | None, int | None, bytes | None, dict[int, int]]] = []
        for acct in self.accounts:
            writes.append((acct.address, self.config.account_balance, None, None, {}))
        for addr, code in self.rules.genesis_code.items():
            writes.append((addr, None, None, code, {}))
        for addr, wei in self.rules.genesis_balances.items():
            writes.append((addr, wei, None, None, {}))
        for addr, g in self.config.alloc:
            writes.append((addr, g.balance, g.nonce, g.code or None, dict(g.storage)))
        root = self._reader.write_many(root, writes)
        header = self.vm_class.create_genesis_header(
            difficulty=0,
            gas_limit=self.config.gas_limit or self.rules.gas_limit,
            timestamp=timestamp,
            state_root=root,
            base_fee_per_gas=(
                self.config.base_fee
                if self.config.base_fee is not None
                else self.rules.initial_base_fee
            ),
            parent_beacon_block_root=ZERO_HASH,
            extra_data=self.config.chain_id.to_bytes(8, "big")
            if self.rules.genesis_chain_id
            else b"",
            nonce=b"\x00" * 8,
            mix_hash=ZERO_HASH,
        )
        self.chaindb.persist_header(header)
        self._evm_headers[header.hash] = header
        empty_block = self.vm_class.get_block_class()(header, transactions=[], uncles=[])
        return to_header(header, len(rlp.encode(empty_block))), root

    # -------------------------------------------------------------- blocks
    def _evm_header(self, header: BlockHeader) -> BlockHeaderAPI:
        found = self._evm_headers.get(header.hash)
        if found is None:
            found = self.chaindb.get_block_header_by_hash(header.hash)  # type: ignore[arg-type]
            self._remember_header(found)
        return found

    def _remember_header(self, header: BlockHeaderAPI) -> None:
        self._evm_headers[header.hash] = header
        if len(self._evm_headers) > _HEADER_CACHE_SIZE:
            self._evm_headers.popitem(last=False)

    def _evm_tx(self, tx: Transaction) -> SignedTransactionAPI:
        found = self._evm_txs.get(tx.hash)
        if found is None:
            found = self._decoder.decode_evm(tx.raw)
        return found

    def build_block(
        self, parent: BlockHeader, state_root: Hash32, txs: Sequence[Transaction], env: t.BlockEnv
    ) -> t.BuildResult:
        timestamp, coinbase, transactions = env.timestamp, env.coinbase, txs
        parent_h = self._evm_header(parent)
        pending = self.vm_class.create_header_from_parent(
            parent_h,
            coinbase=coinbase,
            timestamp=timestamp,
            gas_limit=parent_h.gas_limit,
            state_root=state_root,
            parent_beacon_block_root=ZERO_HASH,
        )
        vm = self.vm_class(
            header=pending,
            chaindb=self.chaindb,
            chain_context=self._chain_context,
            consensus_context=self._consensus_context,
        )
        base_block = vm.get_block()
        vm.block_preprocessing(base_block)
        header = vm.get_header().copy(gas_used=0)
        applied: list[Transaction] = []
        evm_applied: list[SignedTransactionAPI] = []
        receipts = []
        created: list[bytes | None] = []
        rejected: list[tuple[Transaction, Exception]] = []
        deposit_nonces: dict[int, int] = {}
        for tx in transactions:
            if tx.type == DEPOSIT_TX_TYPE:
                # Deposits come only from the rollup node (Chain.mine_with_deposits).
                if not self.rules.allow_deposits:
                    rejected.append((tx, TransactionRejected("deposits are not allowed")))
                    continue
                try:
                    receipt, evm_tx, nonce = apply_deposit(vm, header, tx)
                except ValidationError as exc:
                    rejected.append((tx, TransactionRejected(str(exc))))
                    continue
                header = vm.add_receipt_to_header(header, receipt)
                tx = dataclasses.replace(tx, nonce=nonce)
                deposit_nonces[len(applied)] = nonce
                applied.append(tx)
                evm_applied.append(evm_tx)
                receipts.append(receipt)
                created.append(contract_address(tx.sender, nonce) if tx.to is None else None)
                continue
            evm_tx = self._evm_tx(tx)
            try:
                receipt, _ = vm.apply_transaction(header, evm_tx)
            except (ValidationError, EvmOutOfGas) as exc:
                # py-evm raises OutOfGas (not a ValidationError) for initcode over EIP-3860's
                # limit: the transaction is invalid, not the block
                rejected.append((tx, TransactionRejected(str(exc) or type(exc).__name__)))
                continue
            header = vm.add_receipt_to_header(header, receipt)
            if tx.type == 3:  # only blob transactions use blob gas (saves a header copy)
                header = vm.increment_blob_gas_used(header, evm_tx)
            applied.append(tx)
            evm_applied.append(evm_tx)
            receipts.append(receipt)
            created.append(contract_address(tx.sender, tx.nonce) if tx.to is None else None)
        sealed = self._seal(vm, parent_h, base_block, header, evm_applied, receipts)
        self._persist_header(sealed.header)
        ours = to_header(sealed.header, len(rlp.encode(sealed)))
        ours_receipts = to_receipts(ours, applied, receipts, created)
        if deposit_nonces:
            ours_receipts = tuple(
                dataclasses.replace(rc, deposit_nonce=deposit_nonces[i], deposit_receipt_version=1)
                if i in deposit_nonces
                else rc
                for i, rc in enumerate(ours_receipts)
            )
        block = t.Block(header=ours, transactions=tuple(applied), receipts=ours_receipts)
        return block, rejected

    @staticmethod
    def _seal(
        vm: VM,
        parent: BlockHeaderAPI,
        base_block: BlockAPI,
        header: BlockHeaderAPI,
        transactions: list[SignedTransactionAPI],
        receipts: list[ReceiptAPI],
    ) -> BlockAPI:
        """What ``set_block_transactions_and_withdrawals`` + ``mine_block`` do, minus
        the redundant work: the transactions and receipts roots are computed once,
        bottom-up (py-evm inserts into a HexaryTrie, and its ``validate_block``
        recomputes the transactions root), and their trie nodes are not written
        to the ChainDB (nothing reads them: crossroll serves blocks from its own
        store).  Header validation still runs."""
        tx_root = ordered_trie_root(tuple(tx.encode() for tx in transactions))
        receipt_root = ordered_trie_root(tuple(rc.encode() for rc in receipts))
        filled = base_block.copy(
            header=header.copy(transaction_root=tx_root, receipt_root=receipt_root),
            transactions=transactions,
        )
        filled = vm.block_postprocessing(filled)
        sealed = vm.finalize_block(filled).block
        vm.validate_header(sealed.header, parent)
        if getattr(sealed.header, "blob_gas_used", 0):
            vm.validate_block_blobs(sealed)  # type: ignore[attr-defined]
        return sealed

    def _persist_header(self, header: BlockHeaderAPI) -> None:
        """Make ``header`` readable by hash from the ChainDB (BLOCKHASH walks
        parents that way); the canonical-chain indexes py-evm keeps are unused."""
        self.db[header.hash] = rlp.encode(header)  # ChainDB keeps headers by bare hash
        self._remember_header(header)

    # --------------------------------------------------------------- state
    def account(self, state_root: Hash32, address: Address) -> t.Account:
        return self._reader.account(state_root, address)

    def code(self, state_root: Hash32, address: Address) -> bytes:
        return self._reader.code(state_root, address)

    def storage(self, state_root: Hash32, address: Address, slot: int) -> int:
        return self._reader.storage(state_root, address, slot)

    def set_account(self, state_root: Hash32, address: Address, patch: t.AccountPatch) -> Hash32:
        writes = [(address, patch.balance, patch.nonce, patch.code, dict(patch.storage))]
        return self._reader.write_many(state_root, writes)

    def proof(self, state_root: Hash32, address: Address, slots: Sequence[int]) -> t.AccountProof:
        return self._reader.proof(state_root, address, slots)

    # ---------------------------------------------------------------- call
    def call(self, header: BlockHeader, state_root: Hash32, request: t.CallRequest) -> t.CallResult:
        return run_call(self.vm_class, self.chaindb, self.chain_id, header, state_root, request)

    # -------------------------------------------------------------- decode
    def decode_transaction(self, raw: bytes) -> Transaction:
        evm_tx, tx = self._decoder.decode(raw)
        cache = self._evm_txs
        cache[tx.hash] = evm_tx
        if len(cache) > _TX_CACHE_SIZE:
            cache.popitem(last=False)
        return tx
