"""Reads, writes and Merkle proofs on the state trie stored in an AtomicDB."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from eth.db.account import AccountDB
from eth.db.atomic import AtomicDB
from eth.rlp.accounts import Account as RlpAccount
from eth_hash.auto import keccak
from trie import HexaryTrie

from ...types import Account, AccountProof, Address, Hash32, StorageProof

#: (address, balance, nonce, code, storage) - None leaves the field unchanged.
AccountWrite = tuple[Address, int | None, int | None, bytes | None, dict[int, int]]

_ACCOUNT_CACHE_SIZE = 4096

_EMPTY_ACCOUNT = Account(nonce=0, balance=0, code_hash=EMPTY_SHA3, storage_root=BLANK_ROOT_HASH)


def _slot_key(slot: int) -> bytes:
    return keccak(slot.to_bytes(32, "big"))


def _encode_nodes(nodes: Iterable[object]) -> tuple[bytes, ...]:
    return tuple(rlp.encode(node) for node in nodes)


class StateReader:
    """State access by root: every root ever persisted into ``db`` stays readable."""

    blank_root: Hash32 = BLANK_ROOT_HASH

    def __init__(self, db: AtomicDB) -> None:
        self.db = db
        # (state root, address) -> account: a state root fixes every account, and
        # roots are never rewritten, so entries never go stale.
        self._accounts: OrderedDict[tuple[Hash32, Address], Account] = OrderedDict()

    def account(self, state_root: Hash32, address: Address) -> Account:
        key = (state_root, address)
        found = self._accounts.get(key)
        if found is not None:
            return found
        encoded = HexaryTrie(self.db, state_root).get(keccak(address))
        if not encoded:
            found = _EMPTY_ACCOUNT
        else:
            acct = rlp.decode(encoded, sedes=RlpAccount)
            found = Account(
                nonce=acct.nonce,
                balance=acct.balance,
                code_hash=acct.code_hash,
                storage_root=acct.storage_root,
            )
        self._accounts[key] = found
        if len(self._accounts) > _ACCOUNT_CACHE_SIZE:
            self._accounts.popitem(last=False)
        return found

    def code(self, state_root: Hash32, address: Address) -> bytes:
        code_hash = self.account(state_root, address).code_hash
        if code_hash == EMPTY_SHA3:
            return b""
        return bytes(self.db[code_hash])

    def storage(self, state_root: Hash32, address: Address, slot: int) -> int:
        storage_root = self.account(state_root, address).storage_root
        if storage_root == BLANK_ROOT_HASH:
            return 0
        encoded = HexaryTrie(self.db, storage_root).get(_slot_key(slot))
        return rlp.decode(encoded, sedes=rlp.sedes.big_endian_int) if encoded else 0

    def write_many(self, state_root: Hash32, writes: Sequence[AccountWrite]) -> Hash32:
        """Apply the writes on top of ``state_root``, persist, return the new root."""
        adb = AccountDB(self.db, state_root)  # type: ignore[arg-type]
        for addr, balance, nonce, code, storage in writes:
            address: Any = addr
            if balance is not None:
                adb.set_balance(address, balance)
            if nonce is not None:
                adb.set_nonce(address, nonce)
            if code is not None:
                adb.set_code(address, code)
            for slot, value in storage.items():
                adb.set_storage(address, slot, value)
        adb.persist()
        return adb.state_root

    def proof(self, state_root: Hash32, address: Address, slots: Sequence[int]) -> AccountProof:
        """eth_getProof: account proof against ``state_root``, slot proofs against
        the account's storage root (absent slots: value 0, exclusion proof)."""
        acct = self.account(state_root, address)
        account_proof = _encode_nodes(HexaryTrie(self.db, state_root).get_proof(keccak(address)))
        storage_trie = HexaryTrie(self.db, acct.storage_root)
        storage_proofs = []
        for slot in slots:
            key = _slot_key(slot)
            nodes = () if acct.storage_root == BLANK_ROOT_HASH else storage_trie.get_proof(key)
            encoded = storage_trie.get(key) if nodes else b""
            value = rlp.decode(encoded, sedes=rlp.sedes.big_endian_int) if encoded else 0
            storage_proofs.append(StorageProof(key=slot, value=value, proof=_encode_nodes(nodes)))
        return AccountProof(
            address=address,
            balance=acct.balance,
            nonce=acct.nonce,
            code_hash=acct.code_hash,
            storage_hash=acct.storage_root,
            account_proof=account_proof,
            storage_proof=tuple(storage_proofs),
        )
