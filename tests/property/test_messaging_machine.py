"""A hypothesis state machine over three in-process rollups (901, 902, 903) on one virtual
clock, each with the fast-path guard, the message indexer and the relayer running, and
cross-safety over all three.  Rules send ETH (SuperchainETHBridge), the test token
(SuperchainTokenBridge) and plain messages (to a counter) in random directions, let the
relayer run, relay by hand, relay a relayed message again, reorg the unbatched tail of a
chain (then cross-safety replaces dependent blocks), batch (blocks become safe for good) and
restart the relayer from scratch.

Every invariant is read off the canonical chains (never off the test's own bookkeeping, which
a reorg would make wrong):

* **at most once**: over all chains, each message hash has at most one ``RelayedMessage``
  log, on its own destination, and ``successfulMessages`` agrees; every executed message has
  its ``SentMessage`` log on a canonical block of its source.
* **cross-safety**: every CrossL2Inbox ``ExecutingMessage`` on a canonical block names, by
  identifier, a canonical ``SentMessage`` log with its payload hash.
* **token**: ``sum_c totalSupply_c + in_flight_token == sum_c minted_c``, where ``minted_c``
  sums the token's ``Mint`` events (the permissionless ``mint``) on chain ``c`` and
  ``in_flight_token`` the amounts of SuperchainTokenBridge messages sent on a canonical
  block and not executed on the destination (``crosschainBurn`` took them out of the source
  supply, ``crosschainMint`` puts them back on the destination, exactly once).  On each chain
  the holders' balances add up to ``totalSupply``.
* **ETH**: ``sum_c (ETHLiquidity.balance_c - ETH_LIQUIDITY_BALANCE) == in_flight_eth``, where
  ``in_flight_eth`` sums the ``relayETH`` amounts of SuperchainETHBridge messages sent on a
  canonical block and not executed (``sendETH`` locks ``msg.value`` into the source's
  ETHLiquidity, ``relayETH`` pays the amount out of the destination's); the bridge holds
  nothing; each (keyless, so fee-free) recipient holds exactly what was relayed to it.  Gas
  fees move the senders' balances, so those are not summed.
* **counter**: each chain's counter equals the plain messages executed on it.
* **store**: the relayer's store says ``relayed`` only for a message executed on the canonical
  destination, in the transaction and block it names, and knows every executed message.
* **safety**: batched blocks never change.

Two rules check as they go: a second relay of an executed message is refused by the relayer
(``MessageAlreadyRelayed``) and reverts on chain; after ``DRAIN`` quiet seconds every message
in flight has been relayed (unless the relayer gave up on it: never seen so far).  Only the
fast path is driven: the settled path needs the L1 (``tests/unit/messaging/test_relayer_*``).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

import pytest
from eth_hash.auto import keccak
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.accounts import derive_account
from crossroll.chain.config import DEFAULT_MNEMONIC
from crossroll.chain.rules import L2Rules
from crossroll.clock import VirtualClock
from crossroll.errors import ExecutionReverted, MessageAlreadyRelayed, RollupError
from crossroll.messaging.accesslist import access_list
from crossroll.messaging.addresses import (
    ETH_LIQUIDITY,
    ETH_LIQUIDITY_BALANCE,
    L2_TO_L2_MESSENGER,
    RELAYER_ACCOUNT_INDEX,
    SUPERCHAIN_ETH_BRIDGE,
    SUPERCHAIN_TEST_TOKEN,
    SUPERCHAIN_TOKEN_BRIDGE,
)
from crossroll.messaging.crosssafety import CrossSafety
from crossroll.messaging.fastpath import (
    ExecutingMessage,
    InteropGuard,
    InteropRules,
    executing_messages,
)
from crossroll.messaging.identifier import Identifier, msg_hash, payload
from crossroll.messaging.indexer import MessageIndexer
from crossroll.messaging.l2tol2 import (
    RELAYED_MESSAGE_TOPIC,
    SEND_MESSAGE,
    SENT_MESSAGE_TOPIC,
    L2ToL2Message,
)
from crossroll.messaging.relaycall import fast_calldata
from crossroll.messaging.relayer import Relayer
from crossroll.messaging.reorg import inject_reorg
from crossroll.messaging.store import MessageStore
from crossroll.rollup.abi import abi_decode, calldata, selector
from crossroll.types import Block, CallRequest, GenesisAccount, Hash32, Log

# ETHLiquidity and the bridge pay out by create-and-SELFDESTRUCT (OP's SafeSend).
pytestmark = pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode:DeprecationWarning")

START = 1_700_000_000
CHAINS = (901, 902, 903)
#: Unequal, so a relay sometimes waits in a pool while its source moves on.
BLOCK_TIMES = {901: 2.0, 902: 2.0, 903: 3.0}
ETHER = 10**18
GAS = 1_000_000  # explicit: a send that will revert still goes in (and changes nothing)
USERS = (0, 1, 2, 3)  # dev accounts that send
HAND = 5  # the dev account that relays by hand
RELAYER = derive_account(DEFAULT_MNEMONIC, RELAYER_ACCOUNT_INDEX)
#: Increments slot 0 on every call: PUSH0 SLOAD PUSH1 1 ADD PUSH0 SSTORE STOP.
COUNTER = bytes.fromhex("00000000000000000000000000000000000c0c01")
COUNTER_CODE = bytes.fromhex("5f546001015f5500")
#: Keyless recipients (they never pay gas, so their balances are exact).
RECIPIENTS = tuple(bytes.fromhex(f"00000000000000000000000000000000000e7{i:03x}") for i in range(3))

#: L2NativeSuperchainERC20's storage: totalSupply, then the balanceOf mapping.
TOTAL_SUPPLY, BALANCES = 0, 1
#: Seconds of quiet after which the relayer has made its last retry (2+4+8+16 s of backoff).
DRAIN = 40
MINT_TOPIC = keccak(b"Mint(address,uint256)")
RELAY_ETH = "relayETH(address,address,uint256)"
RELAY_ERC20 = "relayERC20(address,address,address,uint256)"


def mapping_slot(key: bytes, slot: int) -> int:
    return int.from_bytes(keccak(key + slot.to_bytes(32, "big")), "big")


@dataclass(frozen=True, slots=True)
class Sent:
    """A SentMessage log, and the value it carries."""

    message: L2ToL2Message
    identifier: Identifier
    payload: bytes
    kind: str  # "eth", "token", "plain" or "other"
    to: bytes = b""
    amount: int = 0

    @classmethod
    def of(cls, log: Log, timestamp: int, chain_id: int) -> Sent:
        message = L2ToL2Message.from_sent_log(log, chain_id)
        ident = Identifier.of_log(log, timestamp, chain_id)
        body, kind, to, amount = message.message, "other", b"", 0
        if message.sender == message.target == SUPERCHAIN_ETH_BRIDGE:
            assert body[:4] == selector(RELAY_ETH)
            _, to_hex, amount = abi_decode(("address", "address", "uint256"), body[4:])
            kind, to = "eth", bytes.fromhex(to_hex[2:])
        elif message.sender == message.target == SUPERCHAIN_TOKEN_BRIDGE:
            assert body[:4] == selector(RELAY_ERC20)
            types = ("address", "address", "address", "uint256")
            _, _, to_hex, amount = abi_decode(types, body[4:])
            kind, to = "token", bytes.fromhex(to_hex[2:])
        elif message.target == COUNTER:
            kind = "plain"
        return cls(message, ident, payload(log), kind, to, amount)


@dataclass(frozen=True, slots=True)
class BlockLogs:
    """What one block did to the ledger: messages sent, executing messages (CrossL2Inbox),
    messages relayed, tokens minted."""

    sent: tuple[Sent, ...]
    executing: tuple[ExecutingMessage, ...]
    relayed: tuple[Hash32, ...]
    minted: int

    @classmethod
    def of(cls, chain_id: int, block: Block) -> BlockLogs:
        sent, relayed, minted = [], [], 0
        ts = block.header.timestamp
        logs = [log for r in block.receipts for log in r.logs]
        for log in logs:
            topic = log.topics[0] if log.topics else b""
            if log.address == L2_TO_L2_MESSENGER and topic == SENT_MESSAGE_TOPIC:
                sent.append(Sent.of(log, ts, chain_id))
            elif log.address == L2_TO_L2_MESSENGER and topic == RELAYED_MESSAGE_TOPIC:
                relayed.append(log.topics[3])
            elif log.address == SUPERCHAIN_TEST_TOKEN and topic == MINT_TOPIC:
                minted += int.from_bytes(log.data[:32], "big")
        return cls(tuple(sent), tuple(executing_messages(logs)), tuple(relayed), minted)


@dataclass(frozen=True, slots=True)
class Ledger:
    """The canonical chains' messages: sent (by hash), RelayedMessage logs per chain, the
    token's permissionless mints, and the hashes ``successfulMessages`` holds."""

    sent: dict[Hash32, Sent]
    executing: dict[int, list[ExecutingMessage]]
    executed: dict[int, Counter[Hash32]]
    minted: int
    done: set[Hash32]


class MessagingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = VirtualClock(start=START, tail=10_000)
        alloc = ((COUNTER, GenesisAccount(code=COUNTER_CODE)),)
        self.chains = {
            cid: Chain(
                ChainConfig(
                    chain_id=cid,
                    rules=L2Rules,
                    block_time=BLOCK_TIMES[cid],
                    automine=False,
                    genesis_timestamp=START,
                    alloc=alloc,
                ),
                self.clock,
            )
            for cid in CHAINS
        }
        guards = {cid: InteropGuard(cid, self.chains, InteropRules()) for cid in CHAINS}
        for cid, guard in guards.items():
            self.chains[cid].set_tx_guard(guard)
        #: Each chain's batched (= locally safe) head, moved by the ``batch`` rule.
        self.safe = dict.fromkeys(CHAINS, 0)
        heads = {cid: (lambda c=cid: self.safe[c]) for cid in CHAINS}
        self.safety = CrossSafety(guards, heads, heads)
        self.batched_hashes: dict[tuple[int, int], bytes] = {}
        self.holders = [self.chains[901].dev_accounts[i].address for i in (*USERS, HAND)]
        self.holders += [*RECIPIENTS, RELAYER.address]
        self._parsed: dict[Hash32, BlockLogs] = {}  # by block hash
        self._ledger: Ledger | None = None
        self._ledger_key: tuple[Hash32, ...] = ()
        self.delay = 0.0

    @initialize(delay=st.sampled_from([0.0, 3.0]))
    def start(self, delay: float) -> None:
        """The relayer relays at once, or (as ``--relay-delay``) a while after the send."""
        self.delay = delay
        self.store, self.indexer, self.relayer = self._services()

    def _services(self) -> tuple[MessageStore, MessageIndexer, Relayer]:
        store = MessageStore()
        indexer = MessageIndexer(store, self.chains, self.clock)
        relayer = Relayer(store, self.chains, self.clock, RELAYER, delay=self.delay)
        asyncio.run(indexer.start())
        asyncio.run(relayer.start())
        return store, indexer, relayer

    def teardown(self) -> None:
        if hasattr(self, "relayer"):
            asyncio.run(self.relayer.stop())
            asyncio.run(self.indexer.stop())
        for chain in self.chains.values():
            chain.close()

    # ------------------------------------------------------------ reading the chains
    def _logs(self, chain_id: int, block: Block) -> BlockLogs:
        found = self._parsed.get(block.hash)
        if found is None:
            found = BlockLogs.of(chain_id, block)
            self._parsed[block.hash] = found
        return found

    def read(self) -> Ledger:
        """What the canonical chains say now (cached until a head changes)."""
        key = tuple(chain.head().hash for chain in self.chains.values())
        if self._ledger is not None and self._ledger_key == key:
            return self._ledger
        sent: dict[Hash32, Sent] = {}
        executing: dict[int, list[ExecutingMessage]] = {}
        executed: dict[int, Counter[Hash32]] = {}
        minted = 0
        for cid, chain in self.chains.items():
            executing[cid], executed[cid] = [], Counter()
            for block in chain.store.blocks:
                logs = self._logs(cid, block)
                for s in logs.sent:
                    assert s.message.hash not in sent, "two SentMessage logs with one hash"
                    sent[s.message.hash] = s
                executing[cid] += logs.executing
                executed[cid].update(logs.relayed)
                minted += logs.minted
        done = {
            h
            for h, s in sent.items()
            if s.message.destination in self.chains and self.successful(s.message.destination, h)
        }
        self._ledger, self._ledger_key = Ledger(sent, executing, executed, minted, done), key
        return self._ledger

    def successful(self, chain_id: int, h: Hash32) -> bool:
        return self.chains[chain_id].storage(L2_TO_L2_MESSENGER, mapping_slot(h, 0)) != 0

    def in_flight(self) -> list[Sent]:
        ledger = self.read()
        return [
            s
            for h, s in ledger.sent.items()
            if s.message.destination in self.chains and h not in ledger.done
        ]

    def token(self, chain_id: int, slot: int) -> int:
        return self.chains[chain_id].storage(SUPERCHAIN_TEST_TOKEN, slot)

    # ------------------------------------------------------------ sends
    def _send(self, chain_id: int, user: int, to: bytes, data: bytes, value: int = 0) -> None:
        chain = self.chains[chain_id]
        sender = chain.dev_accounts[user].address
        chain.send_transaction(CallRequest(sender=sender, to=to, data=data, value=value, gas=GAS))

    directions = st.sampled_from([(s, d) for s in CHAINS for d in CHAINS if s != d])

    @rule(
        direction=directions,
        user=st.sampled_from(USERS),
        to=st.sampled_from(RECIPIENTS),
        amount=st.integers(1, 5 * ETHER),
    )
    def send_eth(self, direction: tuple[int, int], user: int, to: bytes, amount: int) -> None:
        source, destination = direction
        data = calldata("sendETH(address,uint256)", to, destination)
        self._send(source, user, SUPERCHAIN_ETH_BRIDGE, data, value=amount)

    @rule(chain=st.sampled_from(CHAINS), user=st.sampled_from(USERS), amount=st.integers(1, 10**21))
    def mint_token(self, chain: int, user: int, amount: int) -> None:
        me = self.chains[chain].dev_accounts[user].address
        self._send(
            chain, user, SUPERCHAIN_TEST_TOKEN, calldata("mint(address,uint256)", me, amount)
        )

    @rule(
        direction=directions,
        user=st.sampled_from(USERS),
        to=st.sampled_from([*USERS, -1, -2]),
        share=st.sampled_from([0, 0.1, 0.5, 1]),
    )
    def send_token(self, direction: tuple[int, int], user: int, to: int, share: float) -> None:
        source, destination = direction
        chain = self.chains[source]
        me = chain.dev_accounts[user].address
        recipient = RECIPIENTS[-to - 1] if to < 0 else chain.dev_accounts[to].address
        # Of the balance mined so far: a pending send may spend it first (then this reverts).
        amount = int(self.token(source, mapping_slot(me.rjust(32, b"\0"), BALANCES)) * share)
        data = calldata(
            "sendERC20(address,address,uint256,uint256)",
            SUPERCHAIN_TEST_TOKEN,
            recipient,
            amount,
            destination,
        )
        self._send(source, user, SUPERCHAIN_TOKEN_BRIDGE, data)

    @rule(direction=directions, user=st.sampled_from(USERS), note=st.binary(max_size=40))
    def send_plain(self, direction: tuple[int, int], user: int, note: bytes) -> None:
        source, destination = direction
        data = calldata(SEND_MESSAGE, destination, COUNTER, note)
        self._send(source, user, L2_TO_L2_MESSENGER, data)

    # ------------------------------------------------------------ relays
    @rule(seconds=st.sampled_from([1, 2, 2, 4, 6, 10]))
    def advance(self, seconds: int) -> None:
        """Blocks are mined (every 2 s on each chain) and the relayer does its work."""
        self.clock.advance(seconds)

    @rule()
    def drain(self) -> None:
        """Quiet for a while (past the relayer's last retry): every message in flight to a
        chain here is relayed, unless the relayer gave up on it."""
        self.clock.advance(DRAIN)
        left = self.in_flight()
        gave_up = [s for s in left if (r := self.store.get(s.message.hash)) and r.gave_up]
        event(f"drain: {'some' if gave_up else 'none'} given up")
        stuck = [self.store.get(s.message.hash) for s in left if s not in gave_up]
        assert not stuck, stuck

    def _hand_relay(self, sent: Sent) -> CallRequest:
        chain = self.chains[sent.message.destination]
        return CallRequest(
            sender=chain.dev_accounts[HAND].address,
            to=L2_TO_L2_MESSENGER,
            data=fast_calldata(sent.identifier, sent.payload),
            access_list=access_list(sent.identifier, msg_hash(sent.payload)),
            gas=GAS,
        )

    @rule(data=st.data())
    def relay_by_hand(self, data: st.DataObject) -> None:
        """Anyone may relay (the relayer's own attempt then reverts, harmlessly)."""
        waiting = self.in_flight()
        if waiting:
            sent = data.draw(st.sampled_from(waiting))
            self.chains[sent.message.destination].send_transaction(self._hand_relay(sent))

    @rule(data=st.data(), also_send=st.booleans())
    def relay_again(self, data: st.DataObject, also_send: bool) -> None:
        """A message executed on its destination is refused by the relayer and reverts
        ``MessageAlreadyRelayed`` as a call (as a transaction it changes nothing)."""
        ledger = self.read()
        if not ledger.done:
            return
        sent = ledger.sent[data.draw(st.sampled_from(sorted(ledger.done)))]
        with pytest.raises(MessageAlreadyRelayed):
            self.relayer.relay(sent.message.hash)
        request = self._hand_relay(sent)
        chain = self.chains[sent.message.destination]
        with pytest.raises(ExecutionReverted) as info:
            chain.call(request)
        assert info.value.data == "0x" + selector("MessageAlreadyRelayed()").hex()
        if also_send:
            chain.send_transaction(request)

    # ------------------------------------------------------------ reorgs, batches, restarts
    @rule(chain=st.sampled_from(CHAINS), depth=st.integers(1, 4))
    def reorg(self, chain: int, depth: int) -> None:
        """Reorg the unbatched tail of a chain; cross-safety replaces blocks that relied on
        what left."""
        target = self.chains[chain]
        lowest = self.safety.lowest_reorgable(chain)
        depth = min(depth, target.head().number - lowest + 1)
        if depth < 1:
            with pytest.raises(RollupError):
                inject_reorg(target, 1, lowest=lowest)
            return
        before = self.read().done
        inject_reorg(target, depth, lowest=lowest)
        replaced = self.safety.revalidate()
        event(f"reorg: {min(len(replaced), 2)} dependent block(s) replaced")
        event(f"reorg: {min(len(before - self.read().done), 2)} relay(s) undone")

    @rule(data=st.data())
    def reorg_a_source(self, data: st.DataObject) -> None:
        """Reorg the source block of a message, relayed or not (a random reorg rarely hits
        one): a block that executed it is replaced, a relay still pooled is refused."""
        ledger = self.read()
        targets = sorted(
            h
            for h, s in ledger.sent.items()
            if s.identifier.block_number >= self.safety.lowest_reorgable(s.message.source)
        )
        if not targets:
            return
        sent = ledger.sent[data.draw(st.sampled_from(targets))]
        source = self.chains[sent.message.source]
        depth = source.head().number - sent.identifier.block_number + 1
        inject_reorg(source, depth, lowest=self.safety.lowest_reorgable(sent.message.source))
        replaced = self.safety.revalidate()
        executed = sent.message.hash in ledger.done
        event(f"reorg of a source: message {'executed' if executed else 'in flight'}")
        if executed:
            assert replaced, "the block that executed the message was not replaced"
        assert sent.message.hash not in self.read().done  # until sent and relayed again

    @rule(chain=st.sampled_from(CHAINS))
    def batch(self, chain: int) -> None:
        """The batcher posts what it may: blocks whose dependencies are all safe."""
        limit = self.safety.batch_limit(chain)
        assert limit >= self.safe[chain]
        self.safe[chain] = limit
        self.safety.cross_safe()  # moves the floors: revalidation starts above them
        for number in range(1, limit + 1):
            self.batched_hashes.setdefault((chain, number), self.chains[chain].block(number).hash)

    @rule(down=st.sampled_from([0, 2, 6]))
    def restart(self, down: int) -> None:
        """Stop the relayer (and its indexer) while the chains run on for ``down`` seconds,
        then start new ones with a store rebuilt from the chains alone (the pools keep what
        the old relayer sent)."""
        asyncio.run(self.relayer.stop())
        asyncio.run(self.indexer.stop())
        self.clock.advance(down)
        event(f"restart: {min(len(self.in_flight()), 2)} message(s) in flight")
        self.store, self.indexer, self.relayer = self._services()

    # ------------------------------------------------------------ invariants
    @invariant()
    def at_most_once(self) -> None:
        ledger = self.read()
        seen: Counter[Hash32] = Counter()
        for cid, counts in ledger.executed.items():
            for h, n in counts.items():
                assert n == 1, f"message 0x{h.hex()} executed {n} times on {cid}"
                assert h in ledger.sent, f"0x{h.hex()} executed on {cid}, sent on no block"
                assert ledger.sent[h].message.destination == cid
                seen[h] += 1
        assert all(n == 1 for n in seen.values())
        assert ledger.done == set(seen)  # successfulMessages agrees

    @invariant()
    def executing_messages_point_at_canonical_logs(self) -> None:
        """Cross-safety, exactly: every ExecutingMessage on a canonical block names a
        SentMessage log on a canonical source block, by its identifier, with its payload
        hash (a re-sent message with the same hash in another block does not count)."""
        ledger = self.read()
        by_id = {s.identifier: msg_hash(s.payload) for s in ledger.sent.values()}
        for cid, found in ledger.executing.items():
            for msg in found:
                assert by_id.get(msg.id) == msg.msg_hash, f"chain {cid} executed {msg}"

    @invariant()
    def token_supply_is_conserved(self) -> None:
        ledger = self.read()
        supply = 0
        for cid in self.chains:
            total = self.token(cid, TOTAL_SUPPLY)
            held = sum(
                self.token(cid, mapping_slot(a.rjust(32, b"\0"), BALANCES)) for a in self.holders
            )
            assert held == total, f"chain {cid}: holders have {held}, totalSupply {total}"
            supply += total
        flying = sum(s.amount for s in self.in_flight() if s.kind == "token")
        assert supply + flying == ledger.minted

    @invariant()
    def eth_is_conserved(self) -> None:
        ledger = self.read()
        locked = 0
        for chain in self.chains.values():
            locked += chain.account(ETH_LIQUIDITY).balance - ETH_LIQUIDITY_BALANCE
            assert chain.account(SUPERCHAIN_ETH_BRIDGE).balance == 0
        assert locked == sum(s.amount for s in self.in_flight() if s.kind == "eth")
        for cid, counts in ledger.executed.items():
            got: Counter[bytes] = Counter()
            for h in counts:
                if ledger.sent[h].kind == "eth":
                    got[ledger.sent[h].to] += ledger.sent[h].amount
            for to in RECIPIENTS:
                assert self.chains[cid].account(to).balance == got[to]

    @invariant()
    def counters_count_plain_messages(self) -> None:
        ledger = self.read()
        for cid, counts in ledger.executed.items():
            plain = sum(1 for h in counts if ledger.sent[h].kind == "plain")
            assert self.chains[cid].storage(COUNTER, 0) == plain

    @invariant()
    def store_agrees_with_the_chains(self) -> None:
        ledger = self.read()
        for record in self.store:
            if record.relayed is None:
                continue
            assert ledger.executed[record.destination][record.msg_hash] == 1, record
            receipt = self.chains[record.destination].receipt(record.relay_tx_hash or b"")
            assert receipt is not None and receipt.status == 1, record
            assert receipt.block_number == record.relayed.block_number, record
        for h in ledger.done:
            found = self.store.get(h)
            assert found is not None and found.relayed is not None, (h.hex(), found)

    @invariant()
    def batched_blocks_never_change(self) -> None:
        for (cid, number), block_hash in self.batched_hashes.items():
            assert self.chains[cid].block(number).hash == block_hash


MessagingMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=40,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays reproducible
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestMessagingMachine = pytest.mark.slow(MessagingMachine.TestCase)
