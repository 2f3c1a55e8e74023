"""Cross-rollup messaging in a devnet: what :class:`~crossroll.network.Network` builds from
its ``messaging`` config, and the admin RPC methods over it.

Built after the rollups (it needs their chains, safety heads and the L1 hub): the fast-path
guard on every rollup, the message store and its indexer, the relayer (dev key #9) and the
settler, which proves outbox roots to the L1 hub with the deployer's key.

RPC errors: a malformed hash or parameter answers -32602; an unknown message -32001
(:class:`~crossroll.errors.MessageNotFound`, as for an unknown withdrawal); a relay that cannot
be made -32000 with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..abc import ChainAPI, ClientAPI, L1ViewAPI, SchedulerAPI, ServiceAPI
from ..chain.accounts import derive_account
from ..errors import ConfigError, InvalidParams, MessageNotFound
from ..messaging.accesslist import access_list
from ..messaging.addresses import RELAYER_ACCOUNT_INDEX
from ..messaging.crosssafety import CrossSafety
from ..messaging.fastpath import InteropGuard, InteropRules
from ..messaging.identifier import Identifier
from ..messaging.identifier import msg_hash as payload_hash
from ..messaging.indexer import MessageIndexer
from ..messaging.relayer import Relayer
from ..messaging.reorg import Replacement, inject_reorg
from ..messaging.settled import SettledProof, hub_updates, known_global_root, settled_proof
from ..messaging.settler import Settler
from ..messaging.store import MessageRecord, MessageStore, Status
from ..rollup.batcher import Batcher
from ..rollup.safety import SafetyHeads
from ..rpc.codec import decode_address, decode_bool, decode_data, decode_hash
from ..rpc.dispatch import MethodTable, opt
from ..types import AccessListEntry, Hash32
from .config import NetworkConfig

if TYPE_CHECKING:
    from ..rollup import L1Addresses
    from ..types import DevAccount


class MessagingWiring:
    """The messaging services of one network and the queries over them."""

    def __init__(self, config: NetworkConfig) -> None:
        self.config = config.messaging
        self.mnemonic = config.accounts.mnemonic
        self.store = MessageStore()
        self.indexer: MessageIndexer | None = None
        self.relayer: Relayer | None = None
        self.settler: Settler | None = None
        self.cross: CrossSafety | None = None
        self.guards: dict[int, InteropGuard] = {}

    def build(
        self,
        chains: Mapping[int, ChainAPI],
        scheduler: SchedulerAPI,
        *,
        l1_view: L1ViewAPI,
        l1_client: ClientAPI,
        safety: Mapping[int, SafetyHeads],
        batchers: Mapping[int, Batcher],
        addresses: L1Addresses,
        settler_account: DevAccount,
    ) -> None:
        """Build everything for the rollups ``chains`` (call with the network's lock held,
        before the services start)."""
        cfg = self.config
        deps = None if cfg.dependency_set is None else frozenset(cfg.dependency_set)
        rules = InteropRules(dependency_set=deps, delay=cfg.interop_delay)
        for chain_id, chain in chains.items():
            self.guards[chain_id] = InteropGuard(chain_id, chains, rules)
            chain.set_tx_guard(self.guards[chain_id])  # type: ignore[attr-defined]
        self._cross_safety(safety, batchers, scheduler)
        hub = addresses.settlement_hub
        self.indexer = MessageIndexer(
            self.store, chains, scheduler, l1=l1_view, safety=safety, hub=hub
        )

        def proof(record: MessageRecord) -> SettledProof:
            root = known_global_root(chains[record.destination])
            updates = hub_updates(l1_view, hub)
            return settled_proof(chains[record.source], record.msg_hash, root, updates)

        self.relayer = Relayer(
            self.store,
            chains,
            scheduler,
            derive_account(self.mnemonic, RELAYER_ACCOUNT_INDEX),
            autorelay=cfg.autorelay,
            delay=cfg.relay_delay,
            path=cfg.relay_path,
            interop_delay=cfg.interop_delay,
            proofs=proof,
        )
        self.settler = Settler(l1_client, l1_view, addresses, chains, scheduler, settler_account)

    def _cross_safety(
        self,
        safety: Mapping[int, SafetyHeads],
        batchers: Mapping[int, Batcher],
        scheduler: SchedulerAPI,
    ) -> None:
        """A rollup's safe head and what its batcher posts wait for the source blocks of
        its executing messages; reorgs replace invalid dependents (messaging/crosssafety)."""
        cross = self.cross = CrossSafety(
            self.guards,
            {cid: heads.local_safe for cid, heads in safety.items()},
            {cid: batcher.posted_number for cid, batcher in batchers.items()},
            scheduler,
        )
        for cid, heads in safety.items():
            heads.cross = lambda c=cid: cross.safe(c)
        for cid, batcher in batchers.items():
            batcher.limit = lambda c=cid, b=batcher: cross.batch_limit(c, b.posted_with)

    @property
    def stages(self) -> list[list[ServiceAPI]]:
        """Start order: the indexer first, so the relayer sees what it found at start."""
        if self.indexer is None or self.relayer is None or self.settler is None:
            return []
        assert self.cross is not None
        return [[self.indexer, self.cross], [self.relayer, self.settler]]

    def inject_reorg(self, chain_id: int, depth: int) -> Replacement:
        """Reorg the last ``depth`` blocks of rollup ``chain_id`` (not yet batched) and
        replace, on every rollup, the blocks whose executing messages it invalidates."""
        if self.cross is None:
            raise ConfigError("the network has not started")
        chain = self.cross.chains.get(chain_id)
        if chain is None:
            raise InvalidParams(f"no rollup {chain_id} in this network")
        replacement = inject_reorg(chain, depth, lowest=self.cross.lowest_reorgable(chain_id))
        self.cross.revalidate()
        return replacement

    # ------------------------------------------------------------ queries
    def message(self, msg_hash: Hash32) -> MessageRecord:
        record = self.store.get(msg_hash)
        if record is None:
            raise MessageNotFound(f"message 0x{msg_hash.hex()} not found")
        return record

    def messages(
        self, chain_id: int | None = None, status: Status | str | None = None
    ) -> list[MessageRecord]:
        return self.store.filter(chain=chain_id, status=None if status is None else Status(status))

    def relay(self, msg_hash: Hash32, settled: bool = False) -> MessageRecord:
        if self.relayer is None:
            raise ConfigError("the network has not started")
        return self.relayer.relay(msg_hash, settled)


# ---------------------------------------------------------------- admin RPC
def _wiring(ctx: Any) -> MessagingWiring:
    wiring: MessagingWiring = ctx.messaging
    return wiring


def decode_msg_hash(value: Any) -> Hash32:
    msg_hash = decode_hash(value)
    if msg_hash == bytes(32):
        raise InvalidParams("valid msg hash not provided")
    return msg_hash


def decode_message_filter(value: Any) -> dict[str, Any]:
    """``{chainId?, status?}`` of crossroll_getMessages."""
    if not isinstance(value, dict):
        raise InvalidParams("want an object {chainId?, status?}")
    unknown = sorted(set(value) - {"chainId", "status"})
    if unknown:
        raise InvalidParams(f"unknown field {unknown[0]!r}; want {{chainId?, status?}}")
    out: dict[str, Any] = {}
    if value.get("chainId") is not None:
        out["chain_id"] = _count(value["chainId"], "chainId")
    if value.get("status") is not None:
        statuses = [s.value for s in Status]
        if value["status"] not in statuses:
            raise InvalidParams(f"unknown status {value['status']!r:.40}; one of {statuses}")
        out["status"] = value["status"]
    return out


def decode_relay_options(value: Any) -> bool:
    """``{settled?}`` of crossroll_relayMessage: whether to take the settled path."""
    if not isinstance(value, dict) or set(value) - {"settled"}:
        raise InvalidParams("want an object {settled?: bool}")
    return False if value.get("settled") is None else decode_bool(value["settled"])


def decode_identifier_request(value: Any) -> tuple[Identifier, bytes]:
    """Supersim's ``{origin, blockNumber, logIndex, timestamp, chainId, payload}``; numbers
    as JSON numbers, decimal strings or 0x-hex strings."""
    if not isinstance(value, dict):
        raise InvalidParams("want an identifier object with a payload")
    fields = ("origin", "blockNumber", "logIndex", "timestamp", "chainId", "payload")
    missing = [f for f in fields if value.get(f) is None]
    if missing:
        raise InvalidParams(f"missing field {missing[0]!r}")
    numbers = [_count(value[f], f) for f in fields[1:5]]
    if numbers[0] >= 2**64 or numbers[2] >= 2**64 or numbers[1] >= 2**32:
        raise InvalidParams("blockNumber and timestamp must fit in 64 bits, logIndex in 32")
    identifier = Identifier(decode_address(value["origin"]), *numbers)
    return identifier, decode_data(value["payload"])


def _count(value: Any, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            number = int(text, 16) if text[:2] in ("0x", "0X") else int(text, 10)
        except ValueError:
            number = -1
        if number >= 0:
            return number
    raise InvalidParams(f"{name}: want a non-negative integer, got {value!r:.40}")


def access_list_json(entries: Sequence[AccessListEntry]) -> dict[str, Any]:
    return {
        "accessList": [
            {
                "address": "0x" + e.address.hex(),
                "storageKeys": ["0x" + k.hex() for k in e.storage_keys],
            }
            for e in entries
        ]
    }


def l2tol2_json(record: MessageRecord) -> dict[str, Any]:
    """Supersim's ``admin_getL2ToL2MessageByMsgHash`` shape (Go field names)."""
    m = record.message
    return {
        "Destination": m.destination,
        "Source": m.source,
        "Nonce": m.nonce,
        "Sender": "0x" + m.sender.hex(),
        "Target": "0x" + m.target.hex(),
        "Message": "0x" + m.message.hex(),
    }


def _record_access_list(ctx: Any, msg_hash: Hash32) -> dict[str, Any]:
    record = _wiring(ctx).message(msg_hash)
    return access_list_json(access_list(record.identifier, payload_hash(record.payload)))


def add_methods(table: MethodTable) -> None:
    """The messaging methods of the admin server (docs/messaging.md)."""
    table.add(
        "crossroll_getMessage",
        lambda ctx, h: _wiring(ctx).message(h).to_json(),
        [decode_msg_hash],
    )
    table.add(
        "crossroll_getMessages",
        lambda ctx, query: [r.to_json() for r in _wiring(ctx).messages(**query)],
        [opt(decode_message_filter, {})],
    )
    table.add(
        "crossroll_injectReorg",
        lambda ctx, chain_id, depth: _wiring(ctx).inject_reorg(chain_id, depth).to_json(),
        [lambda v: _count(v, "chainId"), opt(lambda v: _count(v, "depth"), 1)],
    )
    table.add(
        "crossroll_relayMessage",
        lambda ctx, h, settled: _wiring(ctx).relay(h, settled).to_json(),
        [decode_msg_hash, opt(decode_relay_options, False)],
    )
    # Supersim's helpers for relaying by hand, same params and result shapes.
    table.add(
        "admin_getL2ToL2MessageByMsgHash",
        lambda ctx, h: l2tol2_json(_wiring(ctx).message(h)),
        [decode_msg_hash],
    )
    table.add("admin_getAccessListByMsgHash", _record_access_list, [decode_msg_hash])
    table.add(
        "admin_getAccessListForIdentifier",
        lambda ctx, req: access_list_json(access_list(req[0], payload_hash(req[1]))),
        [decode_identifier_request],
    )
