"""Development accounts derived from a BIP-39 mnemonic (anvil's m/44'/60'/0'/0/i)."""

from __future__ import annotations

from functools import lru_cache

from eth_account import Account

from ..types import DevAccount

DERIVATION_PATH = "m/44'/60'/0'/0/{index}"

Account.enable_unaudited_hdwallet_features()


@lru_cache(maxsize=256)
def derive_account(mnemonic: str, index: int) -> DevAccount:
    """The dev account at ``index`` (HD derivation is slow, so results are cached)."""
    acct = Account.from_mnemonic(mnemonic, account_path=DERIVATION_PATH.format(index=index))
    return DevAccount(
        address=bytes.fromhex(acct.address[2:]), private_key=bytes(acct.key), index=index
    )


def dev_accounts(mnemonic: str, count: int) -> tuple[DevAccount, ...]:
    """The first ``count`` dev accounts of ``mnemonic``."""
    return tuple(derive_account(mnemonic, i) for i in range(count))
