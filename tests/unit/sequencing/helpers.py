"""What the shared-sequencer tests share: a shared-mode devnet and a wallet that signs legs."""

from __future__ import annotations

from typing import Any

from crossroll.messaging.addresses import SUPERCHAIN_TEST_TOKEN, SUPERCHAIN_TOKEN_BRIDGE
from crossroll.network import Network
from crossroll.rollup.abi import calldata
from crossroll.rollup.transact import sign_1559
from crossroll.types import Address, CallRequest, DevAccount

FREE = {"l1__port": 0, "rollups__port": 0, "admin_port": 0}
GWEI = 10**9
TOKEN = SUPERCHAIN_TEST_TOKEN
BRIDGE = SUPERCHAIN_TOKEN_BRIDGE


def shared_net(**options: Any) -> Network:
    """A devnet on virtual time whose rollups (901, 902 unless told) are all shared."""
    return Network.start(virtual_time=True, sequencing__mode="shared", **FREE, **options)


class Wallet:
    """Signs EIP-1559 transactions for one dev account; nonces tracked per chain."""

    def __init__(self, net: Network, account: DevAccount) -> None:
        self.net, self.account = net, account
        self.nonces: dict[int, int] = {}

    @property
    def address(self) -> Address:
        return self.account.address

    def nonce(self, chain_id: int) -> int:
        """The next nonce this wallet will use on ``chain_id``."""
        if chain_id not in self.nonces:
            with self.net.lock:
                chain = self.net.chain(chain_id).chain
                self.nonces[chain_id] = chain.account(self.address).nonce
        return self.nonces[chain_id]

    def tx(
        self,
        chain_id: int,
        to: Address,
        data: bytes = b"",
        *,
        value: int = 0,
        gas: int = 200_000,
        tip: int = GWEI,
        max_fee: int = 20 * GWEI,
        nonce: int | None = None,
    ) -> bytes:
        """A signed transaction; without ``nonce``, the next one (which it then uses up)."""
        if nonce is None:
            nonce = self.nonce(chain_id)
            self.nonces[chain_id] = nonce + 1
        return sign_1559(
            self.account.private_key,
            chain_id=chain_id,
            nonce=nonce,
            tip=tip,
            max_fee=max_fee,
            gas=gas,
            to=to,
            value=value,
            data=data,
        )

    def forget(self) -> None:
        """Read nonces from the chains again (after transactions that did not land)."""
        self.nonces.clear()


def token_balance(net: Network, chain_id: int, owner: Address) -> int:
    with net.lock:
        out = (
            net.chain(chain_id)
            .chain.call(CallRequest(to=TOKEN, data=calldata("balanceOf(address)", owner)))
            .output
        )
    return int.from_bytes(out, "big")


def nonce_of(net: Network, chain_id: int, owner: Address) -> int:
    with net.lock:
        return net.chain(chain_id).chain.account(owner).nonce


def mint(to: Address, amount: int) -> bytes:
    """Calldata of the test token's permissionless ``mint``."""
    return calldata("mint(address,uint256)", to, amount)


def send_erc20(to: Address, amount: int, destination: int) -> bytes:
    """Calldata of ``SuperchainTokenBridge.sendERC20`` for the test token (burns it here)."""
    return calldata("sendERC20(address,address,uint256,uint256)", TOKEN, to, amount, destination)


def transfer(to: Address, amount: int) -> bytes:
    return calldata("transfer(address,uint256)", to, amount)
