"""The settled path on real in-process chains: messages in rollup 901's MessageOutbox, its
output root on the L1 oracle, the SettlementHub proving the outbox root once the output is
finalized, the global root delivered to rollup 902's SettledInbox, and verifyMessage there
with a proof built by crossroll.messaging.settled. Every way a proof must fail, fails."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import pytest
from eth_abi import decode
from eth_hash.auto import keccak

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.deposits import DepositTransaction
from crossroll.chain.rules import L2_TO_L1_MESSAGE_PASSER, L1Rules, L2Rules
from crossroll.clock import VirtualClock
from crossroll.contracts import load
from crossroll.errors import ExecutionReverted, MessageNotSettled
from crossroll.l1.view import LocalL1View
from crossroll.messaging.addresses import L2_TO_L2_MESSENGER, MESSAGE_OUTBOX, SETTLED_INBOX
from crossroll.messaging.merkle import MessageTree, message_leaf, node, rollup_leaf
from crossroll.messaging.settled import (
    GLOBAL_ROOT_UPDATED,
    SettledProof,
    hub_updates,
    known_global_root,
    outbox_proof,
    outbox_root_proof,
    outbox_tree,
    settled_proof,
)
from crossroll.rollup import L1Addresses, RollupConfig, transact
from crossroll.rollup.abi import calldata, selector
from crossroll.rollup.output import output_at
from crossroll.types import CallRequest, Receipt
from tests.unit.rollup.conftest import START, client_of, deploy

WINDOW = 7 * 24 * 3600
DEPOSITOR = bytes.fromhex("deaddeaddeaddeaddeaddeaddeaddeaddead0001")
PROPOSE = "proposeL2Output(bytes32,uint256,bytes32,uint256)"
VERIFY = f"verifyMessage(uint256,bytes32,{SettledProof.ABI_TYPE})"
FORWARD = "forward(address,bytes)"
TRIE_ERRORS = {
    "0x" + selector(s).hex()
    for s in ("BadNodeHash(uint256)", "ProofTooShort()", "ProofTooLong()", "MalformedNode()")
}


def err(signature: str, *args: Any) -> str:
    """The revert data of a custom error."""
    return "0x" + calldata(signature, *args).hex()


@dataclass
class World:
    clock: VirtualClock
    l1: Chain
    l2s: dict[int, Chain]
    configs: dict[int, RollupConfig]
    addrs: L1Addresses

    @property
    def hub(self) -> bytes:
        return self.addrs.settlement_hub

    def send(self, chain_id: int, *msgs: bytes) -> None:
        """Append message hashes to a rollup's outbox, as the messenger."""
        l2 = self.l2s[chain_id]
        for msg in msgs:
            data = calldata(FORWARD, MESSAGE_OUTBOX, keccak(b"append(bytes32)")[:4] + msg)
            sender = l2.dev_accounts[0].address
            request = CallRequest(sender=sender, to=L2_TO_L2_MESSENGER, data=data, gas=300_000)
            l2.send_transaction(request)

    def propose(self, chain_id: int) -> tuple[int, int]:
        """Propose the rollup's outputs up to one covering its head; the last one's (output
        index, L2 block)."""
        oracle = self.addrs.rollup(chain_id).l2_output_oracle
        l2 = self.l2s[chain_id]
        head = l2.head().number
        client = client_of(self.l1, self.clock)
        while True:
            block = self.view(oracle, "nextBlockNumber()")
            index = self.view(oracle, "nextOutputIndex()")
            while l2.head().number < block:
                l2.mine()
            data = calldata(PROPOSE, output_at(l2, block).root, block, bytes(32), 0)
            proposer = self.configs[chain_id].proposer
            tx = transact.send(client, proposer, oracle, data, gas=300_000)
            transact.wait(client, [tx])
            if block >= head:
                return index, block

    def finalize(self) -> None:
        """Let every output proposed so far pass its challenge window (automine puts L1
        block times ahead of the clock: count from the head)."""
        target = self.l1.head().header.timestamp + WINDOW + 1
        self.clock.advance(max(0, target - self.clock.now()))
        self.l1.mine()

    def view(self, to: bytes, signature: str, *args: Any, returns: str = "uint256") -> Any:
        out = self.l1.call(CallRequest(to=to, data=calldata(signature, *args))).output
        return decode([returns], out)[0]

    def prove_data(self, chain_id: int, index: int, block: int, **change: Any) -> bytes:
        args = replace(outbox_root_proof(self.l2s[chain_id], block), **change)
        return args.calldata(chain_id, index)

    def prove(self, chain_id: int, index: int, block: int) -> Receipt:
        data = self.prove_data(chain_id, index, block)
        sender = self.l1.dev_accounts[0].address
        request = CallRequest(sender=sender, to=self.hub, data=data, gas=2_000_000)
        tx = self.l1.send_transaction(request)
        receipt = self.l1.receipt(tx)
        assert receipt is not None and receipt.status == 1
        return receipt

    def hub_revert(self, data: bytes) -> str:
        sender = self.l1.dev_accounts[0].address
        with pytest.raises(ExecutionReverted) as info:
            self.l1.call(CallRequest(sender=sender, to=self.hub, data=data, gas=5_000_000))
        return str(info.value.data)

    def deliver(self, chain_id: int, root: bytes) -> int:
        """The rollup node's system deposit recording ``root``; the L2 block's timestamp."""
        deposit = DepositTransaction(
            source_hash=keccak(root + chain_id.to_bytes(32, "big")),
            sender=DEPOSITOR,
            to=SETTLED_INBOX,
            mint=0,
            value=0,
            gas=200_000,
            is_system_tx=False,
            data=keccak(b"setGlobalRoot(bytes32)")[:4] + root,
        )
        block = self.l2s[chain_id].mine_with_deposits([deposit])
        assert block.receipts[0].status == 1
        return block.header.timestamp


@contextmanager
def make_world(*, forwarder: bool = True) -> Iterator[World]:
    """L1 900 with the rollup contracts of 901 and 902 (outputs every 2 L2 blocks, 7-day
    window); ``forwarder``: the messenger's address holds a forwarder (SettlementProbe), so
    :meth:`World.send` appends raw hashes; otherwise the real messenger is there."""
    clock = VirtualClock(start=START)
    l1 = Chain(ChainConfig(chain_id=900, rules=L1Rules), clock)
    l2s = {i: Chain(ChainConfig(chain_id=i, rules=L2Rules), clock) for i in (901, 902)}
    if forwarder:
        for chain in l2s.values():
            chain.set_code(L2_TO_L2_MESSENGER, load("SettlementProbe").deployed_bytecode)
    configs = {
        i: RollupConfig.for_rollup(i, n, block_time=None, submission_interval=2)
        for n, i in enumerate(l2s)
    }
    addrs = deploy(l1, clock, list(configs.values()), list(l2s.values()))
    try:
        yield World(clock, l1, l2s, configs, addrs)
    finally:
        for chain in (l1, *l2s.values()):
            chain.close()


@pytest.fixture
def world() -> Iterator[World]:
    with make_world() as w:
        yield w


MSGS = [keccak(bytes([i])) for i in range(5)]


# ----------------------------------------------------------------- the hub
def test_prove_updates_the_global_root_and_logs_it(world: World) -> None:
    world.send(901, *MSGS[:3])
    index, block = world.propose(901)
    world.send(902, MSGS[3])
    index2, block2 = world.propose(902)
    world.finalize()

    receipt = world.prove(901, index, block)
    outbox = outbox_tree(world.l2s[901], block)
    assert outbox.leaves == tuple(message_leaf(m) for m in MSGS[:3])
    root1 = MessageTree([rollup_leaf(901, outbox.root())]).root()
    [log] = [lg for lg in receipt.logs if lg.address == world.hub]
    assert log.topics == (GLOBAL_ROOT_UPDATED, root1, (901).to_bytes(32, "big"))
    assert decode(["bytes32", "uint256", "uint256"], log.data) == (outbox.root(), index, block)
    assert world.view(world.hub, "latestGlobalRoot()", returns="bytes32") == root1
    l1_time = world.l1.block(receipt.block_number).header.timestamp
    assert world.view(world.hub, "knownGlobalRoots(bytes32)", root1) == l1_time
    settled = world.l1.call(CallRequest(to=world.hub, data=calldata("settledOutbox(uint256)", 901)))
    assert decode(["bool", "uint32", "uint256", "bytes32"], settled.output) == (
        True, 0, index, outbox.root()
    )  # fmt: skip

    world.prove(902, index2, block2)  # the second rollup gets leaf 1
    leaf902 = rollup_leaf(902, outbox_tree(world.l2s[902], block2).root())
    root2 = MessageTree([rollup_leaf(901, outbox.root()), leaf902]).root()
    assert world.view(world.hub, "latestGlobalRoot()", returns="bytes32") == root2
    assert world.view(world.hub, "rollupCount()") == 2

    world.send(901, MSGS[4])  # 901 settles again: its leaf 0 is replaced
    index3, block3 = world.propose(901)
    world.finalize()
    world.prove(901, index3, block3)
    outbox3 = outbox_tree(world.l2s[901], block3)
    root3 = MessageTree([rollup_leaf(901, outbox3.root()), leaf902]).root()
    assert world.view(world.hub, "latestGlobalRoot()", returns="bytes32") == root3

    updates = hub_updates(LocalL1View(world.l1), world.hub)
    assert [(u.global_root, u.chain_id, u.l2_output_index, u.l2_block_number) for u in updates] == [
        (root1, 901, index, block),
        (root2, 902, index2, block2),
        (root3, 901, index3, block3),
    ]


def test_hub_rejects_unfinalized_unknown_and_older_outputs(world: World) -> None:
    world.send(901, MSGS[0])
    index, block = world.propose(901)
    assert world.hub_revert(world.prove_data(901, index, block)) == err(
        "OutputNotFinalized(uint256)", index
    )
    assert world.hub_revert(world.prove_data(901, index + 1, block)) == err(
        "UnknownOutput(uint256)", index + 1
    )
    world.send(901, MSGS[1])
    later, later_block = world.propose(901)
    world.finalize()
    world.prove(901, later, later_block)
    data = world.prove_data(901, index, block)
    assert world.hub_revert(data) == err("OutputNotNewer(uint256,uint256)", index, later)
    data = world.prove_data(901, later, later_block)
    assert world.hub_revert(data) == err("OutputNotNewer(uint256,uint256)", later, later)
    data = outbox_root_proof(world.l2s[901], block).calldata(903, 0)  # not registered
    assert world.hub_revert(data) == err("NotRegistered(uint256)", 903)


def test_hub_rejects_bad_output_account_and_storage_proofs(world: World) -> None:
    world.send(901, *MSGS[:2])
    index, block = world.propose(901)
    world.finalize()
    good = outbox_root_proof(world.l2s[901], block)
    version, state_root, passer, block_hash = good.output_root_proof

    def reverts(**change: Any) -> str:
        return world.hub_revert(world.prove_data(901, index, block, **change))

    wrong_state = (version, keccak(state_root), passer, block_hash)
    assert reverts(output_root_proof=wrong_state) == err("InvalidOutputRootProof()")
    version1 = (1).to_bytes(32, "big")
    assert reverts(output_root_proof=(version1, state_root, passer, block_hash)) == err(
        "InvalidOutputRootProof()"
    )

    last = len(good.account_proof) - 1
    tampered = (*good.account_proof[:-1], _flip(good.account_proof[-1]))
    assert reverts(account_proof=tampered) == err("BadNodeHash(uint256)", last)
    other = world.l2s[901].proof(L2_TO_L1_MESSAGE_PASSER, [], block).account_proof
    assert reverts(account_proof=other)[:10] in TRIE_ERRORS | {err("InvalidAccountProof()")}

    tampered = (*good.storage_proof[:-1], _flip(good.storage_proof[-1]))
    assert reverts(storage_proof=tampered)[:10] in TRIE_ERRORS
    assert reverts(outbox_root=keccak(good.outbox_root)) == err("InvalidStorageProof()")
    slot1 = world.l2s[901].proof(MESSAGE_OUTBOX, [1], block).storage_proof[0].proof
    assert reverts(storage_proof=slot1)[:10] in TRIE_ERRORS | {err("InvalidStorageProof()")}

    world.prove(901, index, block)  # the untampered arguments pass


def test_hub_refuses_an_empty_outbox(world: World) -> None:
    index, block = world.propose(902)  # 902 sent nothing
    world.finalize()
    args = outbox_root_proof(world.l2s[902], block)
    assert args.outbox_root == bytes(32)
    assert world.hub_revert(args.calldata(902, index)) == err("ZeroOutboxRoot()")


@pytest.mark.parametrize("value", [0x05, 0x80, 0xAB << 200, (1 << 256) - 1])
def test_hub_reads_short_words_as_the_trie_stores_them(world: World, value: int) -> None:
    """The storage trie holds rlp(the word without leading zeros): a one-byte value below
    0x80 is its own encoding, anything else gets a length prefix."""
    world.l2s[901].set_storage_at(MESSAGE_OUTBOX, 0, value)
    index, block = world.propose(901)
    world.finalize()
    world.prove(901, index, block)
    settled = world.l1.call(CallRequest(to=world.hub, data=calldata("settledOutbox(uint256)", 901)))
    assert decode(["bool", "uint32", "uint256", "bytes32"], settled.output)[3] == value.to_bytes(
        32, "big"
    )


# ------------------------------------------------------------ the inbox
@pytest.fixture
def settled(world: World) -> tuple[World, bytes, SettledProof]:
    """901 sent MSGS[:3] and 902 MSGS[3]; both settled on the L1; the global root on 902."""
    world.send(901, *MSGS[:3])
    first = world.propose(901)
    world.send(902, MSGS[3])
    second = world.propose(902)
    world.finalize()
    world.prove(901, *first)
    world.prove(902, *second)
    root = world.view(world.hub, "latestGlobalRoot()", returns="bytes32")
    world.deliver(902, root)
    proof = settled_proof(
        world.l2s[901], MSGS[1], root, hub_updates(LocalL1View(world.l1), world.hub)
    )
    return world, root, proof


def verify(world: World, source: int, msg: bytes, proof: SettledProof) -> str | None:
    """verifyMessage on 902: None if it passes, else the revert data."""
    data = calldata(VERIFY, source, msg, proof.as_abi())
    try:
        world.l2s[902].call(CallRequest(to=SETTLED_INBOX, data=data))
    except ExecutionReverted as exc:
        return str(exc.data)
    return None


def test_global_root_reaches_the_inbox_and_a_message_verifies(
    settled: tuple[World, bytes, SettledProof],
) -> None:
    world, root, proof = settled
    l2 = world.l2s[902]
    assert known_global_root(l2) == root
    stamp = l2.head().header.timestamp
    got = l2.call(CallRequest(to=SETTLED_INBOX, data=calldata("knownRoots(bytes32)", root)))
    assert int.from_bytes(got.output, "big") == stamp
    [log] = l2.head().receipts[0].logs
    assert log.topics == (keccak(b"GlobalRootSet(bytes32,uint256)"), root)
    assert proof.rollup_index == 0 and proof.leaf_index == 1
    assert verify(world, 901, MSGS[1], proof) is None
    for i in (0, 2):  # every message of 901 verifies
        other = settled_proof(
            world.l2s[901], MSGS[i], root, hub_updates(LocalL1View(world.l1), world.hub)
        )
        assert verify(world, 901, MSGS[i], other) is None
    proof902 = settled_proof(
        world.l2s[902], MSGS[3], root, hub_updates(LocalL1View(world.l1), world.hub)
    )
    assert proof902.rollup_index == 1 and verify(world, 902, MSGS[3], proof902) is None

    world.deliver(902, bytes(32))  # a zero root is ignored; a known one keeps its time
    world.deliver(902, root)
    assert known_global_root(l2) == root
    got = l2.call(CallRequest(to=SETTLED_INBOX, data=calldata("knownRoots(bytes32)", root)))
    assert int.from_bytes(got.output, "big") == stamp


def test_inbox_rejects_every_bad_proof(settled: tuple[World, bytes, SettledProof]) -> None:
    world, root, proof = settled
    msg = MSGS[1]
    assert verify(world, 901, msg, replace(proof, global_root=bytes(32))) == err("ZeroRoot()")
    unknown = keccak(root)
    assert verify(world, 901, msg, replace(proof, global_root=unknown)) == err(
        "UnknownRoot(bytes32)", unknown
    )
    for bad in (
        replace(proof, outbox_proof=proof.outbox_proof[:31]),
        replace(proof, outbox_proof=(*proof.outbox_proof, bytes(32))),
        replace(proof, rollup_proof=proof.rollup_proof[:31]),
        replace(proof, rollup_proof=(*proof.rollup_proof, bytes(32))),
    ):
        assert verify(world, 901, msg, bad) == err("ProofLength()")
    # The same low 32 bits: without the range check these would verify.
    high = replace(proof, leaf_index=proof.leaf_index + 2**32)
    assert verify(world, 901, msg, high) == err("IndexOutOfRange()")
    high = replace(proof, rollup_index=proof.rollup_index + 2**32)
    assert verify(world, 901, msg, high) == err("IndexOutOfRange()")
    # Another source chain: its rollup leaf is another hash.
    assert verify(world, 902, msg, proof) == err("RootMismatch()")
    # A message never sent, and a message at the wrong index.
    assert verify(world, 901, keccak(b"never sent"), proof) == err("RootMismatch()")
    assert verify(world, 901, MSGS[0], proof) == err("RootMismatch()")
    # Second preimage: an inner node of the outbox passed as a message hash, one level up.
    inner = node(message_leaf(MSGS[0]), message_leaf(MSGS[1]))
    up = replace(proof, leaf_index=0, outbox_proof=proof.outbox_proof[1:])
    assert verify(world, 901, inner, up) == err("ProofLength()")
    padded = replace(up, outbox_proof=(*up.outbox_proof, bytes(32)))
    assert verify(world, 901, inner, padded) == err("RootMismatch()")


def test_inbox_rejects_a_proof_from_another_tree(world: World) -> None:
    """Two known global roots: a proof built for the newer one does not pass with the older
    root, and the other way around."""
    world.send(901, *MSGS[:2])
    first = world.propose(901)
    world.finalize()
    world.prove(901, *first)
    old_root = world.view(world.hub, "latestGlobalRoot()", returns="bytes32")
    world.send(901, MSGS[2])
    second = world.propose(901)
    world.finalize()
    world.prove(901, *second)
    new_root = world.view(world.hub, "latestGlobalRoot()", returns="bytes32")
    world.deliver(902, old_root)
    world.deliver(902, new_root)
    updates = hub_updates(LocalL1View(world.l1), world.hub)
    old = settled_proof(world.l2s[901], MSGS[0], old_root, updates)
    new = settled_proof(world.l2s[901], MSGS[0], new_root, updates)
    assert verify(world, 901, MSGS[0], old) is None and verify(world, 901, MSGS[0], new) is None
    assert verify(world, 901, MSGS[0], replace(new, global_root=old_root)) == err("RootMismatch()")
    assert verify(world, 901, MSGS[0], replace(old, global_root=new_root)) == err("RootMismatch()")
    with pytest.raises(MessageNotSettled):  # sent after the old root's outbox
        settled_proof(world.l2s[901], MSGS[2], old_root, updates)
    with pytest.raises(MessageNotSettled):
        settled_proof(world.l2s[901], MSGS[0], keccak(b"no such root"), updates)


def test_only_the_depositor_sets_global_roots(world: World) -> None:
    data = calldata("setGlobalRoot(bytes32)", keccak(b"root"))
    l2 = world.l2s[902]
    with pytest.raises(ExecutionReverted) as info:
        l2.call(CallRequest(sender=l2.dev_accounts[0].address, to=SETTLED_INBOX, data=data))
    assert str(info.value.data) == err("NotDepositor()")
    assert l2.call(CallRequest(sender=DEPOSITOR, to=SETTLED_INBOX, data=data)).success


def test_outbox_proof_rebuilds_the_tree_from_logs(world: World) -> None:
    world.send(901, *MSGS)
    l2 = world.l2s[901]
    got = outbox_proof(l2, MSGS[3], l2.head().number)
    tree = MessageTree([message_leaf(m) for m in MSGS])
    assert (got.leaf_index, got.siblings, got.root) == (3, tree.proof(3), tree.root())
    with pytest.raises(MessageNotSettled):  # not sent yet at block 2
        outbox_proof(l2, MSGS[3], 2)


def _flip(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])
