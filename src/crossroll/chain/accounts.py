"""Development accounts derived from a BIP-39 mnemonic (anvil's m/44'/60'/0'/0/i).

BIP-39 seed and BIP-32 derivation are done here with hashlib and coincurve rather than
eth_account's HD wallet: importing eth_account costs ~0.35 s (it pulls in py_ecc's
BLS pairing code), which was half of `crossroll up`'s start-up.  A mnemonic other than
the default one is still checked against the BIP-39 word list and checksum, lazily.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from functools import lru_cache

from coincurve import PrivateKey
from eth_hash.auto import keccak

from ..errors import ConfigError
from ..types import DevAccount
from .config import DEFAULT_MNEMONIC

DERIVATION_PATH = "m/44'/60'/0'/0/{index}"
_HARDENED = 1 << 31
_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141  # secp256k1 n


def _check_mnemonic(mnemonic: str) -> None:
    if mnemonic == DEFAULT_MNEMONIC:
        return
    from eth_account.hdaccount.mnemonic import Mnemonic

    if not Mnemonic().is_mnemonic_valid(mnemonic):
        raise ConfigError(f"invalid BIP-39 mnemonic: {mnemonic!r}")


@lru_cache(maxsize=16)
def _account_node(mnemonic: str) -> tuple[bytes, bytes]:
    """Key and chain code of m/44'/60'/0'/0, shared by every index."""
    _check_mnemonic(mnemonic)
    words = unicodedata.normalize("NFKD", " ".join(mnemonic.split()))
    seed = hashlib.pbkdf2_hmac("sha512", words.encode(), b"mnemonic", 2048)
    digest = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
    key, chain_code = digest[:32], digest[32:]
    for index in (44 | _HARDENED, 60 | _HARDENED, 0 | _HARDENED, 0):
        key, chain_code = _child(key, chain_code, index)
    return key, chain_code


def _child(key: bytes, chain_code: bytes, index: int) -> tuple[bytes, bytes]:
    """BIP-32 private child key derivation."""
    if index & _HARDENED:
        data = b"\x00" + key + index.to_bytes(4, "big")
    else:
        data = PrivateKey(key).public_key.format(compressed=True) + index.to_bytes(4, "big")
    digest = hmac.new(chain_code, data, hashlib.sha512).digest()
    child = (int.from_bytes(digest[:32], "big") + int.from_bytes(key, "big")) % _ORDER
    return child.to_bytes(32, "big"), digest[32:]


@lru_cache(maxsize=256)
def derive_account(mnemonic: str, index: int) -> DevAccount:
    """The dev account at ``index``."""
    key, _ = _child(*_account_node(mnemonic), index)
    public = PrivateKey(key).public_key.format(compressed=False)[1:]
    return DevAccount(address=keccak(public)[12:], private_key=key, index=index)


def dev_accounts(mnemonic: str, count: int) -> tuple[DevAccount, ...]:
    """The first ``count`` dev accounts of ``mnemonic``."""
    return tuple(derive_account(mnemonic, i) for i in range(count))
