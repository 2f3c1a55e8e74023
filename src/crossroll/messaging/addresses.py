"""Where the cross-rollup messaging contracts live: OP interop's predeploys (same addresses
as OP Stack chains and Supersim) and crossroll's settled-path contracts."""

from __future__ import annotations

from ..types import Address


def _addr(hex_: str) -> Address:
    return bytes.fromhex(hex_.removeprefix("0x"))


# OP interop predeploys (specs/interop/predeploys.md), on every rollup.
CROSS_L2_INBOX = _addr("0x4200000000000000000000000000000000000022")
L2_TO_L2_MESSENGER = _addr("0x4200000000000000000000000000000000000023")
SUPERCHAIN_ETH_BRIDGE = _addr("0x4200000000000000000000000000000000000024")
ETH_LIQUIDITY = _addr("0x4200000000000000000000000000000000000025")
SUPERCHAIN_TOKEN_BRIDGE = _addr("0x4200000000000000000000000000000000000028")
#: Supersim's ERC-7802 test token with a permissionless ``mint`` (L2NativeSuperchainERC20).
SUPERCHAIN_TEST_TOKEN = _addr("0x420beeF000000000000000000000000000000001")

# crossroll's settled path (not OP): the outbox tree of sent messages and the global roots
# synced from the L1, on every rollup.
MESSAGE_OUTBOX = _addr("0x42000000000000000000000000000000000007a0")
SETTLED_INBOX = _addr("0x42000000000000000000000000000000000007a1")

#: Supersim's relayer account: dev key #9 of the test mnemonic.
RELAYER_ACCOUNT_INDEX = 9

#: ETHLiquidity's genesis balance on every rollup, as Supersim deals it (type(uint248).max):
#: the pool SuperchainETHBridge mints relayed ETH from.  Not backed on L1 and not part of
#: circulating supply (see docs/messaging.md).
ETH_LIQUIDITY_BALANCE = 2**248 - 1
