"""Chain rules: what kind of chain this is, as fork-style subclasses.

Variants override class attributes instead of passing flags (py-evm's fork
pattern).  The settlement layer and the rollups of later issues extend these.
"""

from __future__ import annotations

from typing import ClassVar

from ..contracts import load
from ..messaging import addresses as interop

# OP-Stack predeploy recording L2 -> L1 withdrawals (bridges.md section 5.2).
L2_TO_L1_MESSAGE_PASSER = bytes.fromhex("4200000000000000000000000000000000000016")
# OP-Stack predeploy holding the L1 origin of the current L2 block (the L1-attributes deposit).
L1_BLOCK = bytes.fromhex("4200000000000000000000000000000000000015")

# The deterministic CREATE2 deployer (Arachnid's), which anvil, Supersim and
# every OP chain have at genesis; forge scripts rely on it for CREATE2.
CREATE2_DEPLOYER = bytes.fromhex("4e59b44847b379578588920ca78fbf26c0b4956c")
CREATE2_DEPLOYER_CODE = bytes.fromhex(
    "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035"
    "828234f58015156039578182fd5b8082525050506014600cf3"
)

#: Slots (blocks) per beacon-chain epoch.
SLOTS_PER_EPOCH = 32


class ChainRules:
    """Rules of a plain development chain (``crossroll node``)."""

    name: ClassVar[str] = "dev"
    #: py-evm fork.  Cancun, not Prague: under Prague the EIP-2935 history
    #: contract stores block hashes, so state roots would depend on timestamps.
    hardfork: ClassVar[str] = "cancun"
    gas_limit: ClassVar[int] = 30_000_000
    #: Base fee of the genesis block *and* of block 1, as anvil does.
    initial_base_fee: ClassVar[int] = 1_000_000_000
    #: Default tip suggested by eth_maxPriorityFeePerGas (anvil: 1 gwei).
    default_priority_fee: ClassVar[int] = 1_000_000_000
    #: geth's txMaxSize: 4 slots of 32 KiB.
    max_tx_size: ClassVar[int] = 128 * 1024
    #: Legacy transactions without EIP-155 replay protection (anvil accepts them).
    allow_unprotected: ClassVar[bool] = True
    tx_types: ClassVar[frozenset[int]] = frozenset({0, 1, 2})
    #: Seconds between blocks when interval mining; None means automine.
    default_block_time: ClassVar[float | None] = None
    genesis_code: ClassVar[dict[bytes, bytes]] = {CREATE2_DEPLOYER: CREATE2_DEPLOYER_CODE}
    #: Wei given to system accounts at genesis (besides the dev accounts' balances).
    genesis_balances: ClassVar[dict[bytes, int]] = {}
    #: Put the chain id (8 bytes) in the genesis header's extra data, so chains built from
    #: the same state (a devnet's rollups) never share a block hash.  Off: anvil's genesis.
    genesis_chain_id: ClassVar[bool] = False
    #: OP-Stack deposit transactions (type 0x7E) may be included by the rollup
    #: node (never through eth_sendRawTransaction).
    allow_deposits: ClassVar[bool] = False
    #: How many blocks behind the head the ``safe`` / ``finalized`` tags resolve to
    #: (genesis while the chain is shorter).  0/0 is anvil's behaviour: both are latest.
    safe_depth: ClassVar[int] = 0
    finalized_depth: ClassVar[int] = 0
    #: Seconds blob sidecars stay retrievable: MIN_EPOCHS_FOR_BLOB_SIDECARS_REQUESTS
    #: (4096 epochs of 32 twelve-second slots, about 18.2 days).
    blob_retention_seconds: ClassVar[float] = 4096 * SLOTS_PER_EPOCH * 12.0


class L1Rules(ChainRules):
    """The settlement layer (chain 900 in the devnet)."""

    name = "l1"
    default_block_time = 12.0
    #: EIP-4844 blob transactions (type 3) are accepted on the settlement layer only.
    tx_types = frozenset({0, 1, 2, 3})
    #: Beacon-chain finality with 32-slot epochs: a block is justified (safe) one
    #: epoch behind the head and finalized two epochs behind.
    safe_depth = SLOTS_PER_EPOCH
    finalized_depth = 2 * SLOTS_PER_EPOCH


class L2Rules(ChainRules):
    """A rollup chain (901, 902, ... in the devnet)."""

    name = "l2"
    default_block_time = 2.0
    allow_deposits = True
    genesis_code = {
        **ChainRules.genesis_code,
        L2_TO_L1_MESSAGE_PASSER: load("L2ToL1MessagePasser").deployed_bytecode,
        L1_BLOCK: load("L1Block").deployed_bytecode,
        # OP interop predeploys (docs/messaging.md).
        interop.CROSS_L2_INBOX: load("CrossL2Inbox").deployed_bytecode,
        interop.L2_TO_L2_MESSENGER: load("L2ToL2CrossDomainMessenger").deployed_bytecode,
        interop.SUPERCHAIN_ETH_BRIDGE: load("SuperchainETHBridge").deployed_bytecode,
        interop.ETH_LIQUIDITY: load("ETHLiquidity").deployed_bytecode,
        interop.SUPERCHAIN_TOKEN_BRIDGE: load("SuperchainTokenBridge").deployed_bytecode,
        interop.SUPERCHAIN_TEST_TOKEN: load("L2NativeSuperchainERC20").deployed_bytecode,
        # crossroll's settled path (docs/messaging.md).
        interop.MESSAGE_OUTBOX: load("MessageOutbox").deployed_bytecode,
        interop.SETTLED_INBOX: load("SettledInbox").deployed_bytecode,
    }
    #: The pool SuperchainETHBridge pays relayed ETH from (not backed on L1).
    genesis_balances = {interop.ETH_LIQUIDITY: interop.ETH_LIQUIDITY_BALANCE}
    #: Shared rollups' empty slots would otherwise have equal hashes on every member.
    genesis_chain_id = True
    #: The rollup node will drive L2 safety (its batches on L1, L1 finality); until
    #: then safe and finalized are latest.
    safe_depth = 0
    finalized_depth = 0


RULES: dict[str, type[ChainRules]] = {r.name: r for r in (ChainRules, L1Rules, L2Rules)}
