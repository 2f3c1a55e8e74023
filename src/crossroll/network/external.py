"""A devnet whose L1 is someone else's node (``crossroll up --l1-rpc URL --l1-key KEY``).

No L1 chain or server runs here: the chain id is read from the node, the contracts are
deployed by the given key (which also tops up the rollups' role accounts), the rollup
services read the L1 through a polling :class:`~crossroll.l1.remote.RemoteL1View` and write
to it through a JSON-RPC client (docs/external-l1.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from coincurve import PrivateKey
from eth_hash.auto import keccak

from ..abc import SchedulerAPI
from ..errors import ConfigError, CrossrollError, L1Unavailable
from ..l1.beacon import BeaconBlobs
from ..l1.jsonrpc import quantity
from ..l1.remote import L1Client, RemoteL1View
from ..rollup import deployer_account
from ..types import DevAccount
from .config import WEI_PER_ETH, ChainPlan, NetworkConfig

if TYPE_CHECKING:
    from ..abc import ClientAPI

#: Seconds an external L1 gets to answer one request (the services retry on the next tick).
TIMEOUT = 10.0


def l1_client(url: str) -> L1Client:
    from ..rpc.client import HttpClient

    return L1Client(HttpClient(url, timeout=TIMEOUT), url)


def key_account(key: str) -> DevAccount:
    """The account of a hex private key."""
    secret = bytes.fromhex(key.removeprefix("0x"))
    public = PrivateKey(secret).public_key.format(compressed=False)[1:]
    return DevAccount(address=keccak(public)[12:], private_key=secret, index=-1)


def external_plan(config: NetworkConfig, client: ClientAPI) -> ChainPlan:
    """The external L1 as the network lists it, with the chain id its node reports."""
    url = config.l1.rpc_url
    assert url is not None
    try:
        chain_id = quantity(client.request("eth_chainId"))
    except L1Unavailable as exc:
        raise L1Unavailable(f"cannot reach the L1: {exc.message}") from None
    except CrossrollError as exc:
        raise ConfigError(f"{url} is not an Ethereum JSON-RPC node: {exc.message}") from None
    if chain_id in config.rollup_ids:
        raise ConfigError(
            f"the L1 at {url} has chain id {chain_id}, which is also a rollup's; "
            "pick another rollups.chain_id"
        )
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return ChainPlan(chain_id=chain_id, name="l1", kind="l1", port=port, block_time=None)


def deploy_settings(config: NetworkConfig) -> tuple[DevAccount, int, bool]:
    """Who deploys the contracts, what each role account is topped up to (wei), and
    whether the deployment may mine blocks (``evm_mine``) to get its transactions in.

    The embedded L1 funds the reserved deployer and the roles in its genesis; an external
    one gets the given key, which pays for both, and mines by itself."""
    if config.l1.key is None:
        return deployer_account(config.accounts.mnemonic), 0, True
    return key_account(config.l1.key), int(config.l1.role_funding * WEI_PER_ETH), False


def remote_view(config: NetworkConfig, client: ClientAPI, scheduler: SchedulerAPI) -> RemoteL1View:
    beacon = config.l1.beacon_url
    return RemoteL1View(
        client,
        scheduler,
        poll_interval=config.l1.poll_interval,
        blobs=BeaconBlobs(beacon, timeout=TIMEOUT) if beacon else None,
    )
