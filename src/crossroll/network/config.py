"""What a devnet (``crossroll up``) and a single node (``crossroll node``) are made of.

The models only hold and check values; :mod:`crossroll.network.sources` reads
them from ``crossroll.toml``, ``CROSSROLL_*`` variables and CLI flags.  Both
produce the frozen :class:`~crossroll.chain.config.ChainConfig` each chain is
built from.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..chain.config import DEFAULT_MNEMONIC, ChainConfig
from ..chain.rules import ChainRules, L1Rules, L2Rules
from ..errors import ConfigError
from ..rollup.config import DEFAULT_CHALLENGE_WINDOW, DEFAULT_SUBMISSION_INTERVAL

MAX_ROLLUPS = 16
DERIVATION_PATH = "m/44'/60'/0'/0/"
WEI_PER_ETH = 10**18

Port = Annotated[int, Field(ge=0, le=65535)]  # 0: any free port
ChainId = Annotated[int, Field(gt=0, lt=2**63)]
Seconds = Annotated[float, Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccountsConfig(_Model):
    mnemonic: str = DEFAULT_MNEMONIC
    count: Annotated[int, Field(ge=0, le=1000)] = 10
    #: Starting balance of each account, in ETH.
    balance: Annotated[Decimal, Field(ge=0)] = Decimal(10_000)

    @field_validator("mnemonic")
    @classmethod
    def _words(cls, value: str) -> str:
        words = value.split()
        if len(words) not in (12, 15, 18, 21, 24):
            raise ValueError(f"a mnemonic has 12, 15, 18, 21 or 24 words, got {len(words)}")
        return " ".join(words)

    @property
    def balance_wei(self) -> int:
        return int(self.balance * WEI_PER_ETH)


class L1Config(_Model):
    chain_id: ChainId = 900
    port: Port = 8545
    block_time: Seconds = 12.0
    #: JSON-RPC URL of an external L1 (anvil, a testnet): no embedded L1 is started, and the
    #: chain id is the node's (docs/external-l1.md).
    rpc_url: str | None = None
    #: Private key (hex) that deploys the settlement contracts on the external L1 and tops
    #: up the role accounts.
    key: str | None = Field(default=None, repr=False)
    #: Beacon API of the external L1, for blobs (default: the node's own, as anvil has).
    beacon_url: str | None = None
    #: Seconds between two polls of the external L1 for new blocks.
    poll_interval: Annotated[float, Field(gt=0)] = 1.0
    #: ETH each rollup's batcher, proposer and challenger is topped up to on an external L1.
    role_funding: Annotated[Decimal, Field(ge=0)] = Decimal("0.1")

    @field_validator("rpc_url", "beacon_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.strip().startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return None if value is None else value.strip()

    @field_validator("key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        if value is None:
            return None
        raw = value.strip().removeprefix("0x")
        if len(raw) != 64 or any(c not in "0123456789abcdefABCDEF" for c in raw):
            raise ValueError("must be a 32-byte private key in hex")  # never echo the key
        return "0x" + raw.lower()

    @property
    def external(self) -> bool:
        return self.rpc_url is not None


class RollupsConfig(_Model):
    count: Annotated[int, Field(ge=1, le=MAX_ROLLUPS)] = 2
    #: Chain id of the first rollup; the next ones count up from it.
    chain_id: ChainId = 901
    #: Port of the first rollup; the next ones count up from it (0: any free port each).
    port: Port = 9545
    block_time: Seconds = 2.0
    #: Seconds an output must age on the L1 before withdrawals proven against it finalize
    #: (the L2OutputOracle's ``finalizationPeriodSeconds``); OP's standard is 7 days.
    challenge_window: Annotated[int, Field(ge=0)] = DEFAULT_CHALLENGE_WINDOW
    #: L2 blocks between two proposed outputs.
    submission_interval: Annotated[int, Field(gt=0)] = DEFAULT_SUBMISSION_INTERVAL
    #: Where batchers post: "auto" is blobs on the embedded L1, calldata on an external one.
    da: Literal["calldata", "blobs", "auto"] = "auto"


class MessagingConfig(_Model):
    """Cross-rollup messaging (docs/messaging.md)."""

    #: Relay every sent message without being asked (``--no-autorelay`` turns it off).
    autorelay: bool = True
    #: Seconds the relayer waits after a message is sent before relaying it.
    relay_delay: Seconds = 0
    #: How the relayer relays: "fast" (relayMessage with an access list, as soon as sent) or
    #: "settled" (relaySettledMessage with a Merkle proof, once the message is settled).
    relay_path: Literal["fast", "settled"] = "fast"
    #: Rollups that accept each other's messages (None: all of them); a chain not listed
    #: accepts messages only from itself.
    dependency_set: list[ChainId] | None = None
    #: Seconds a destination waits after an initiating message before executing it
    #: (Supersim's ``--interop.delay``).
    interop_delay: Annotated[int, Field(ge=0)] = 0

    @field_validator("dependency_set", mode="before")
    @classmethod
    def _chain_list(cls, value: object) -> object:
        # From a flag or an environment variable: "[901,902]" or "901,902".
        if isinstance(value, str):
            parts = value.strip().removeprefix("[").removesuffix("]").split(",")
            return [p.strip() for p in parts if p.strip()]
        return value


SequencingMode = Literal["own", "shared", "based"]


class SequencingConfig(_Model):
    """Who orders each rollup's transactions (docs/sequencing.md)."""

    #: Every rollup's mode unless ``chains`` says otherwise: "own" (its own sequencer),
    #: "shared" (the shared sequencer's slots, with atomic bundles) or "based" (L1 blocks).
    mode: SequencingMode = "own"
    #: Per-rollup modes, e.g. ``{902 = "based"}`` in crossroll.toml.
    chains: dict[ChainId, SequencingMode] = Field(default_factory=dict)
    #: Seconds per shared-sequencer slot: one block on every shared rollup per slot.
    slot_time: Annotated[float, Field(gt=0)] = 2.0
    #: Order of bundles in a slot: first come first served, or highest priority fee first.
    ordering: Literal["fcfs", "priority"] = "fcfs"
    #: L1 blocks a forced transaction (queued on the L1) may wait; from then on every L2
    #: block must include it, so derivation includes it whatever the sequencer does.
    forced_inclusion_window: Annotated[int, Field(ge=1)] = 10
    #: Accounts each rollup's sequencer refuses to include (fault injection), e.g.
    #: ``{901 = ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]}``.
    censor: dict[ChainId, list[str]] = Field(default_factory=dict)

    @field_validator("censor")
    @classmethod
    def _addresses(cls, value: dict[int, list[str]]) -> dict[int, list[str]]:
        for chain_id, addresses in value.items():
            for address in addresses:
                raw = address.strip().removeprefix("0x")
                try:
                    ok = len(bytes.fromhex(raw)) == 20
                except ValueError:
                    ok = False
                if not ok:
                    raise ValueError(f"chain {chain_id}: {address!r} is not a 20-byte address")
        return value

    def mode_of(self, chain_id: int) -> SequencingMode:
        return self.chains.get(chain_id, self.mode)

    def censored(self, chain_id: int) -> list[bytes]:
        return [bytes.fromhex(a.strip().removeprefix("0x")) for a in self.censor.get(chain_id, [])]


class ChainPlan(_Model):
    """One chain of a devnet, as the network starts it and the admin RPC reports it."""

    chain_id: int
    name: str
    kind: str  # "l1" or "l2"
    port: int
    block_time: float | None  # None: automine
    #: Who builds its blocks: "own" (the chain's interval timer or automine), "shared" (the
    #: shared sequencer's slots, block_time = the slot time) or "based" (one block per L1
    #: block, block_time = the L1's).
    sequencing: SequencingMode = "own"


class NetworkConfig(_Model):
    host: str = "127.0.0.1"
    l1: L1Config = L1Config()
    rollups: RollupsConfig = RollupsConfig()
    admin_port: Port = 8420
    #: Mine a block per transaction on every chain instead of on an interval.
    automine: bool = False
    #: Per-chain block time overrides; 0 means automine for that chain.
    block_time: dict[ChainId, Seconds] = Field(default_factory=dict)
    accounts: AccountsConfig = AccountsConfig()
    messaging: MessagingConfig = MessagingConfig()
    sequencing: SequencingConfig = SequencingConfig()
    #: Time only moves through ``Network.advance`` (tests and simulations).
    virtual_time: bool = False
    #: Keep the chains in this directory and resume them at the next start (docs/data-dir.md).
    data_dir: str | None = None
    #: With ``data_dir``: fsync every record (survives a power cut, not only a crash).
    fsync: bool = False

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("host must not be empty")
        return value.strip()

    @field_validator("data_dir")
    @classmethod
    def _data_dir(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("data_dir must not be empty")
        return value

    @property
    def da_mode(self) -> Literal["calldata", "blobs"]:
        """``rollups.da`` with "auto" resolved."""
        if self.rollups.da == "auto":
            return "calldata" if self.l1.external else "blobs"
        return self.rollups.da

    @property
    def rollup_ids(self) -> list[int]:
        return [self.rollups.chain_id + i for i in range(self.rollups.count)]

    def plan(self) -> list[ChainPlan]:
        """Every chain of the network, L1 first."""

        def block_time(chain_id: int, default: float) -> float | None:
            seconds = self.block_time.get(chain_id, default)
            return None if self.automine or seconds == 0 else seconds

        chains = [
            ChainPlan(
                chain_id=self.l1.chain_id,
                name="l1",
                kind="l1",
                port=self.l1.port,
                block_time=block_time(self.l1.chain_id, self.l1.block_time),
            )
        ]
        for i, chain_id in enumerate(self.rollup_ids):
            port = self.rollups.port + i if self.rollups.port else 0
            mode = self.sequencing.mode_of(chain_id)
            seconds = {
                "own": block_time(chain_id, self.rollups.block_time),
                "shared": self.sequencing.slot_time,
                "based": chains[0].block_time,
            }[mode]
            chains.append(
                ChainPlan(
                    chain_id=chain_id,
                    name=f"rollup-{chain_id}",
                    kind="l2",
                    port=port,
                    block_time=seconds,
                    sequencing=mode,
                )
            )
        return chains

    def check(self) -> NetworkConfig:
        """Reject combinations no single field can see; return self."""
        plan = self.plan()
        ids = [c.chain_id for c in plan]
        if self.l1.external or self.l1.key is not None:
            self._check_external()
        elif len(set(ids)) != len(ids):
            raise ConfigError(
                f"l1.chain_id {self.l1.chain_id} is also a rollup chain id "
                f"({ids[1]}..{ids[-1]}); pick another l1.chain_id or rollups.chain_id"
            )
        outside = sorted(set(self.messaging.dependency_set or ()) - set(self.rollup_ids))
        if outside:
            raise ConfigError(
                f"messaging.dependency_set: chain {outside[0]} is not a rollup of this network "
                f"(rollups: {', '.join(map(str, self.rollup_ids))})"
            )
        for key, chains in (("chains", self.sequencing.chains), ("censor", self.sequencing.censor)):
            stray = sorted(set(chains) - set(self.rollup_ids))
            if stray:
                raise ConfigError(
                    f"sequencing.{key}: chain {stray[0]} is not a rollup of this network "
                    f"(rollups: {', '.join(map(str, self.rollup_ids))})"
                )
        steered = sorted(
            c
            for c in set(self.block_time) & set(self.rollup_ids)
            if self.sequencing.mode_of(c) != "own"
        )
        if steered:
            raise ConfigError(
                f"block_time: rollup {steered[0]} is {self.sequencing.mode_of(steered[0])}-"
                "sequenced; its blocks follow the "
                + (
                    "shared slots (sequencing.slot_time)"
                    if self.sequencing.mode_of(steered[0]) == "shared"
                    else "L1 blocks"
                )
            )
        unknown = sorted(set(self.block_time) - set(ids))
        if unknown:
            raise ConfigError(
                f"block_time: chain {unknown[0]} is not in this network (chains: "
                f"{', '.join(map(str, ids))})"
            )
        named = {"admin_port": self.admin_port}
        if not self.l1.external:  # an external L1 listens elsewhere
            named["l1.port"] = self.l1.port
        named.update({f"rollup {c.chain_id} port": c.port for c in plan[1:]})
        if self.rollups.port and self.rollups.port + self.rollups.count - 1 > 65535:
            raise ConfigError(
                f"rollups.port: {self.rollups.count} rollups from port "
                f"{self.rollups.port} run past 65535"
            )
        taken = Counter(p for p in named.values() if p)
        for port, n in taken.items():
            if n > 1:
                who = " and ".join(k for k, p in named.items() if p == port)
                raise ConfigError(f"port {port} is used twice: {who}")
        return self

    def _check_external(self) -> None:
        if self.l1.rpc_url is None or self.l1.key is None:
            raise ConfigError(
                "an external L1 needs both l1.rpc_url (--l1-rpc) and l1.key (--l1-key)"
            )
        if self.virtual_time:
            raise ConfigError("virtual_time needs the embedded L1: an external L1 keeps its time")
        if self.data_dir is not None:
            raise ConfigError("data_dir with an external L1 is not supported yet")

    def chain_configs(self) -> list[tuple[ChainPlan, ChainConfig]]:
        """The plan of every chain with the ChainConfig it is built from, L1 first."""
        result = []
        for plan in self.plan():
            rules: type[ChainRules] = L1Rules if plan.kind == "l1" else L2Rules
            result.append(
                (
                    plan,
                    ChainConfig(
                        chain_id=plan.chain_id,
                        rules=rules,
                        # a shared or based rollup's blocks are built by its sequencing
                        block_time=plan.block_time if plan.sequencing == "own" else None,
                        automine=plan.block_time is None and plan.sequencing == "own",
                        mnemonic=self.accounts.mnemonic,
                        account_count=self.accounts.count,
                        account_balance=self.accounts.balance_wei,
                    ),
                )
            )
        return result


class NodeConfig(_Model):
    """``crossroll node``: one anvil-like chain."""

    host: str = "127.0.0.1"
    port: Port = 8545
    chain_id: ChainId = 31337
    #: None: automine; seconds: interval mining.
    block_time: Annotated[float, Field(gt=0)] | None = None
    #: Neither automine nor interval mining (blocks only through evm_mine).
    no_mining: bool = False
    accounts: AccountsConfig = AccountsConfig()
    base_fee: Annotated[int, Field(ge=0)] | None = None
    gas_limit: Annotated[int, Field(ge=21_000)] | None = None
    coinbase: str | None = None

    @field_validator("coinbase")
    @classmethod
    def _coinbase(cls, value: str | None) -> str | None:
        if value is None:
            return None
        raw = value.removeprefix("0x")
        try:
            ok = len(bytes.fromhex(raw)) == 20
        except ValueError:
            ok = False
        if not ok:
            raise ValueError("coinbase must be a 20-byte hex address")
        return "0x" + raw.lower()

    def check(self) -> NodeConfig:
        if self.no_mining and self.block_time is not None:
            raise ConfigError("--no-mining and --block-time contradict each other")
        return self

    def chain_config(self) -> ChainConfig:
        return ChainConfig(
            chain_id=self.chain_id,
            rules=ChainRules,
            block_time=self.block_time,
            automine=self.block_time is None and not self.no_mining,
            mnemonic=self.accounts.mnemonic,
            account_count=self.accounts.count,
            account_balance=self.accounts.balance_wei,
            coinbase=bytes.fromhex(self.coinbase[2:]) if self.coinbase else b"\x00" * 20,
            gas_limit=self.gas_limit,
            base_fee=self.base_fee,
        )

    @property
    def effective_base_fee(self) -> int:
        return ChainRules.initial_base_fee if self.base_fee is None else self.base_fee

    @property
    def effective_gas_limit(self) -> int:
        return ChainRules.gas_limit if self.gas_limit is None else self.gas_limit
