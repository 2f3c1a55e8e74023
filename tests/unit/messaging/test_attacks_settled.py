"""bridges.md §9 attacks on the settled path and the L1 hub, each a real attempt that must be
refused with its exact error while nothing moves.

One in-process world for the module: L1 900 with the rollup contracts and the SettlementHub
of rollups 901, 902 and 903 (real messengers, the fast-path guard on 902 and 903, a 1-hour
challenge window so fast relays stay unexpired). 901 sends ETH and test tokens to 902 through
the bridges, plus the messages the attacks need; both 901's and 902's outboxes are settled
twice over, and 902 and 903 know both global roots. Each test runs on a snapshot of every
chain. An attack is tried as an ``eth_call`` (its revert data) and as a mined transaction
(it must revert); then the destination's ledger (ETH and token balances, supply, nullifiers,
roots, outbox) must be unchanged, and the genuine message must still relay.

Negatives that exist elsewhere and are not repeated here: ``test_settled_contracts.py``
(``test_inbox_rejects_every_bad_proof``, ``test_hub_rejects_*`` as eth_calls),
``test_op_interop.py`` (``test_refused_targets`` on send, ``test_a_message_relays_once_over_both_paths``),
``test_relayer*.py`` (the relayer refusing a double relay).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from eth_abi import decode
from eth_hash.auto import keccak

from crossroll.chain import Chain, ChainConfig
from crossroll.chain.deposits import deposit_from_log
from crossroll.chain.rules import L1Rules, L2Rules
from crossroll.clock import VirtualClock
from crossroll.contracts import load
from crossroll.errors import EXECUTION_REVERTED, ExecutionReverted
from crossroll.l1.view import LocalL1View
from crossroll.messaging.accesslist import access_list
from crossroll.messaging.addresses import (
    CROSS_L2_INBOX,
    ETH_LIQUIDITY,
    ETH_LIQUIDITY_BALANCE,
    L2_TO_L2_MESSENGER,
    MESSAGE_OUTBOX,
    SETTLED_INBOX,
    SUPERCHAIN_ETH_BRIDGE,
    SUPERCHAIN_TEST_TOKEN,
    SUPERCHAIN_TOKEN_BRIDGE,
)
from crossroll.messaging.fastpath import InteropGuard, InteropRules
from crossroll.messaging.identifier import Identifier, msg_hash, payload
from crossroll.messaging.l2tol2 import (
    RELAYED_MESSAGE_TOPIC,
    SEND_MESSAGE,
    SENT_MESSAGE_TOPIC,
    L2ToL2Message,
    relay_calldata,
)
from crossroll.messaging.merkle import ZERO_HASHES, MessageTree, message_leaf, node, verify
from crossroll.messaging.settled import (
    SettledProof,
    hub_updates,
    outbox_root_proof,
    outbox_tree,
    settled_proof,
)
from crossroll.rollup import RollupConfig
from crossroll.rollup.abi import calldata
from crossroll.rpc.context import make_dispatcher
from crossroll.rpc.inproc import InProcessClient
from crossroll.types import AccessListEntry, CallRequest, Receipt
from tests.unit.messaging.test_settled_contracts import TRIE_ERRORS, World, err
from tests.unit.rollup.conftest import START, deploy

# The bridges pay out by create-and-SELFDESTRUCT (OP's SafeSend).
pytestmark = pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode:DeprecationWarning")

WINDOW = 3600
ETHER = 10**18
AMOUNT = 3 * ETHER
TOKENS = 400
TOKEN = SUPERCHAIN_TEST_TOKEN
RECIPIENT = bytes.fromhex("00000000000000000000000000000000000b0b01")
ATTACKER = 5  # dev account that sends the attacks
GAS = 2_000_000
VERIFY = f"verifyMessage(uint256,bytes32,{SettledProof.ABI_TYPE})"
RELAY_ETH = "relayETH(address,address,uint256)"
RELAY_ERC20 = "relayERC20(address,address,address,uint256)"
FORWARD = "forward(address,bytes)"
#: OP's L1-to-L2 address alias of a contract sender.
ALIAS_OFFSET = 0x1111000000000000000000000000000000001111


class AttackWorld(World):
    """The settled-path world with a short challenge window."""

    def finalize(self) -> None:
        target = self.l1.head().header.timestamp + WINDOW + 1
        self.clock.advance(max(0, target - self.clock.now()))
        self.l1.mine()


@dataclass(frozen=True)
class Sent:
    """A message sent through the messenger, with where its SentMessage log is."""

    msg: L2ToL2Message
    ident: Identifier
    payload: bytes

    @property
    def hash(self) -> bytes:
        return self.msg.hash

    def fast(self) -> tuple[bytes, tuple[AccessListEntry, ...]]:
        """relayMessage calldata and its access list."""
        return relay_calldata(self.ident, self.payload), access_list(
            self.ident, msg_hash(self.payload)
        )

    def settled(self, proof: SettledProof, **change: Any) -> bytes:
        """relaySettledMessage calldata (``change``: forged message fields)."""
        return replace(self.msg, **change).relay_settled_calldata(proof.as_abi())


@dataclass
class Scene:
    w: AttackWorld
    eth: Sent  # sendETH(RECIPIENT, 902) of AMOUNT from dev 0 on 901
    token: Sent  # sendERC20(TOKEN, RECIPIENT, TOKENS, 902) from dev 1 on 901
    spoof_eth: Sent  # relayETH(...) to 902's ETH bridge, sent by a contract on 901
    spoof_token: Sent  # relayERC20(...) to 902's token bridge, sent by a contract on 901
    mint: Sent  # ETHLiquidity.mint(AMOUNT) on 902
    token_mint: Sent  # TOKEN.crosschainMint(RECIPIENT, 10**24) on 902
    stray: Sent  # a message for chain 999
    late: Sent  # sent on 901 after the first settlement
    other: Sent  # sent on 902, for 903
    old_root: bytes  # the hub's root after the first settlement of 901 and 902
    root: bytes  # after 901 settled again

    @property
    def hashes(self) -> list[bytes]:
        sent = (self.eth, self.token, self.spoof_eth, self.spoof_token, self.mint)
        return [s.hash for s in (*sent, self.token_mint, self.late)]

    def proof(self, sent: Sent, root: bytes | None = None) -> SettledProof:
        updates = hub_updates(LocalL1View(self.w.l1), self.w.hub)
        source = self.w.l2s[sent.msg.source]
        return settled_proof(source, sent.hash, root or self.root, updates)


# ------------------------------------------------------------------ building the scene
def make_world() -> AttackWorld:
    clock = VirtualClock(start=START)
    l1 = Chain(ChainConfig(chain_id=900, rules=L1Rules), clock)
    l2s = {i: Chain(ChainConfig(chain_id=i, rules=L2Rules), clock) for i in (901, 902, 903)}
    configs = {
        i: RollupConfig.for_rollup(
            i, n, block_time=None, submission_interval=2, challenge_window=WINDOW
        )
        for n, i in enumerate(l2s)
    }
    addrs = deploy(l1, clock, list(configs.values()), list(l2s.values()))
    for chain_id in (902, 903):
        l2s[chain_id].set_tx_guard(InteropGuard(chain_id, l2s, InteropRules()))
    return AttackWorld(clock, l1, l2s, configs, addrs)


def transact(
    chain: Chain, to: bytes | None, data: bytes, *, sender: int = 0, value: int = 0
) -> Receipt:
    address = chain.dev_accounts[sender].address
    request = CallRequest(sender=address, to=to, data=data, value=value, gas=GAS)
    receipt = chain.receipt(chain.send_transaction(request))
    assert receipt is not None and receipt.status == 1
    return receipt


def sent_of(chain: Chain, receipt: Receipt) -> Sent:
    [log] = [
        lg
        for lg in receipt.logs
        if lg.address == L2_TO_L2_MESSENGER and lg.topics[:1] == (SENT_MESSAGE_TOPIC,)
    ]
    stamp = chain.block(log.block_number).header.timestamp
    ident = Identifier.of_log(log, stamp, chain.chain_id)
    return Sent(L2ToL2Message.from_sent_log(log, chain.chain_id), ident, payload(log))


def send(chain: Chain, dest: int, target: bytes, message: bytes) -> Sent:
    data = calldata(SEND_MESSAGE, dest, target, message)
    return sent_of(chain, transact(chain, L2_TO_L2_MESSENGER, data))


def settle(w: AttackWorld, *chain_ids: int) -> bytes:
    """Propose, finalize and prove the outboxes of ``chain_ids``; the new global root."""
    outputs = [(cid, *w.propose(cid)) for cid in chain_ids]
    w.finalize()
    for cid, index, block in outputs:
        w.prove(cid, index, block)
    return bytes(w.view(w.hub, "latestGlobalRoot()", returns="bytes32"))


@pytest.fixture(scope="module")
def module_scene() -> Iterator[Scene]:
    w = make_world()
    l901, l902 = w.l2s[901], w.l2s[902]
    me, alice = (l901.dev_accounts[i].address for i in (0, 1))
    eth = sent_of(
        l901,
        transact(
            l901, SUPERCHAIN_ETH_BRIDGE, calldata("sendETH(address,uint256)", RECIPIENT, 902),
            value=AMOUNT,
        ),
    )  # fmt: skip
    transact(l901, TOKEN, calldata("mint(address,uint256)", alice, 1000))
    send_erc20 = calldata(
        "sendERC20(address,address,uint256,uint256)", TOKEN, RECIPIENT, TOKENS, 902
    )
    token = sent_of(l901, transact(l901, SUPERCHAIN_TOKEN_BRIDGE, send_erc20, sender=1))

    # A contract on 901 that sends to the bridges on 902 as if it were the bridge there.
    probe = transact(l901, None, load("SettlementProbe").bytecode).contract_address
    assert probe is not None

    def from_contract(target: bytes, message: bytes) -> Sent:
        inner = calldata(SEND_MESSAGE, 902, target, message)
        return sent_of(l901, transact(l901, probe, calldata(FORWARD, L2_TO_L2_MESSENGER, inner)))

    spoof_eth = from_contract(SUPERCHAIN_ETH_BRIDGE, calldata(RELAY_ETH, me, RECIPIENT, AMOUNT))
    spoof_token = from_contract(
        SUPERCHAIN_TOKEN_BRIDGE, calldata(RELAY_ERC20, TOKEN, me, RECIPIENT, 10**24)
    )
    assert spoof_eth.msg.sender == probe
    mint = send(l901, 902, ETH_LIQUIDITY, calldata("mint(uint256)", AMOUNT))
    token_mint = send(
        l901, 902, TOKEN, calldata("crosschainMint(address,uint256)", RECIPIENT, 10**24)
    )
    stray = send(l901, 999, RECIPIENT, b"for a chain that is not here")
    other = send(l902, 903, RECIPIENT, b"from 902")

    old_root = settle(w, 901, 902)
    late = send(l901, 902, RECIPIENT, b"after the first settlement")
    root = settle(w, 901)
    for chain_id in (902, 903):
        w.deliver(chain_id, old_root)
        w.deliver(chain_id, root)
    try:
        yield Scene(
            w=w, eth=eth, token=token, spoof_eth=spoof_eth, spoof_token=spoof_token, mint=mint,
            token_mint=token_mint, stray=stray, late=late, other=other, old_root=old_root,
            root=root,
        )  # fmt: skip
    finally:
        for chain in (w.l1, *w.l2s.values()):
            chain.close()


@pytest.fixture
def scene(module_scene: Scene) -> Iterator[Scene]:
    """The module's scene, restored after the test."""
    w = module_scene.w
    chains = [w.l1, *w.l2s.values()]
    snaps = [chain.snapshot() for chain in chains]
    yield module_scene
    for chain, snap in zip(chains, snaps, strict=True):
        assert chain.revert(snap)


# ------------------------------------------------------------------ attempts and ledgers
def view(chain: Chain, to: bytes, signature: str, *args: Any, returns: str = "uint256") -> Any:
    out = chain.call(CallRequest(to=to, data=calldata(signature, *args))).output
    return decode([returns], out)[0]


def attempt(chain: Chain, data: bytes, alist: tuple[AccessListEntry, ...] = ()) -> str:
    """An attacker's relay: as an eth_call (return its revert data) and as a transaction,
    which is mined and must revert."""
    sender = chain.dev_accounts[ATTACKER].address
    request = CallRequest(
        sender=sender, to=L2_TO_L2_MESSENGER, data=data, gas=GAS, access_list=alist
    )
    with pytest.raises(ExecutionReverted) as info:
        chain.call(request)
    receipt = chain.receipt(chain.send_transaction(request))
    assert receipt is not None and receipt.status == 0 and receipt.logs == ()
    return str(info.value.data)


def ledger(chain: Chain, hashes: list[bytes]) -> tuple[Any, ...]:
    """What an attack on ``chain`` could steal or corrupt."""
    return (
        chain.account(RECIPIENT).balance,
        chain.account(ETH_LIQUIDITY).balance,
        view(chain, TOKEN, "totalSupply()"),
        view(chain, TOKEN, "balanceOf(address)", RECIPIENT),
        [view(chain, L2_TO_L2_MESSENGER, "successfulMessages(bytes32)", h) for h in hashes],
        chain.storage(SETTLED_INBOX, 1),  # latestGlobalRoot
        chain.storage(MESSAGE_OUTBOX, 0),  # outbox root
        chain.storage(MESSAGE_OUTBOX, 1),  # outbox count
    )


#: The ledger of 902 and 903 before any relay.
UNTOUCHED = (0, ETH_LIQUIDITY_BALANCE, 0, 0)


def relays(chain: Chain, data: bytes, alist: tuple[AccessListEntry, ...] = ()) -> bool:
    """Whether a relay would succeed now (nothing was lost to the attacks)."""
    request = CallRequest(to=L2_TO_L2_MESSENGER, data=data, gas=GAS, access_list=alist)
    return chain.call(request).success


Attack = Callable[[Scene], tuple[int, bytes]]


def refused(s: Scene, chain_id: int, data: bytes, error: str) -> None:
    """``data`` sent to chain ``chain_id``'s messenger reverts with ``error``; nothing moved
    there and the genuine ETH message still relays on 902."""
    chain = s.w.l2s[chain_id]
    before = ledger(chain, s.hashes)
    assert attempt(chain, data) == error
    assert ledger(chain, s.hashes) == before
    assert before[:4] == UNTOUCHED
    assert relays(s.w.l2s[902], s.eth.settled(s.proof(s.eth)))


# ------------------------------------------------------------------ roots
def test_zero_or_default_root_never_verifies(scene: Scene) -> None:
    s, l902 = scene, scene.w.l2s[902]
    good = s.proof(s.eth)
    refused(s, 902, s.eth.settled(replace(good, global_root=bytes(32))), err("ZeroRoot()"))
    # The root of an empty tree and a root never learned read as unknown, not as trusted.
    for root in (ZERO_HASHES[32], keccak(s.root)):
        data = s.eth.settled(replace(good, global_root=root))
        refused(s, 902, data, err("UnknownRoot(bytes32)", root))
    # A zero root from the L1 is ignored: it neither becomes known nor replaces the latest.
    s.w.deliver(902, bytes(32))
    assert view(l902, SETTLED_INBOX, "latestGlobalRoot()", returns="bytes32") == s.root
    assert view(l902, SETTLED_INBOX, "knownRoots(bytes32)", bytes(32)) == 0
    assert s.w.view(s.w.hub, "knownGlobalRoots(bytes32)", bytes(32)) == 0
    refused(s, 902, s.eth.settled(replace(good, global_root=bytes(32))), err("ZeroRoot()"))


def test_json_rpc_answer(scene: Scene) -> None:
    """What a wallet sees for a refused settled relay: geth's code 3 and the custom error."""
    s, l902 = scene, scene.w.l2s[902]
    client = InProcessClient(make_dispatcher(l902, s.w.clock))
    data = s.eth.settled(replace(s.proof(s.eth), global_root=bytes(32)))
    call = {"to": "0x" + L2_TO_L2_MESSENGER.hex(), "data": "0x" + data.hex()}
    zero_root = err("ZeroRoot()")
    for method, params in (("eth_call", [call, "latest"]), ("eth_estimateGas", [call])):
        with pytest.raises(ExecutionReverted) as info:
            client.request(method, params)
        assert info.value.code == EXECUTION_REVERTED == 3
        assert info.value.message == f"execution reverted: custom error {zero_root}"
        assert info.value.data == zero_root


# ------------------------------------------------------------------ forged and malformed proofs
def _empty_leaf(s: Scene, p: SettledProof) -> SettledProof:
    """The first empty position of 901's settled outbox with its true siblings: a proof
    that the (zero) leaf there is in the tree, offered for the message."""
    [update] = [
        u
        for u in hub_updates(LocalL1View(s.w.l1), s.w.hub)
        if u.chain_id == 901 and u.global_root == s.root
    ]
    tree = outbox_tree(s.w.l2s[901], update.l2_block_number)
    n = len(tree)
    padded = MessageTree([*tree.leaves, ZERO_HASHES[0]])  # siblings exclude the leaf itself
    assert padded.root() == tree.root() == update.outbox_root
    return replace(p, leaf_index=n, outbox_proof=padded.proof(n))


def _flip(h: bytes) -> bytes:
    return h[:-1] + bytes([h[-1] ^ 1])


def _flip_sibling(_s: Scene, p: SettledProof) -> SettledProof:
    siblings = list(p.outbox_proof)
    siblings[5] = _flip(siblings[5])
    return replace(p, outbox_proof=tuple(siblings))


Forge = Callable[[Scene, SettledProof], SettledProof]
MALFORMED: dict[str, tuple[Forge, str]] = {
    "outbox-depth-31": (lambda _, p: replace(p, outbox_proof=p.outbox_proof[:31]), "ProofLength()"),
    "outbox-depth-33": (
        lambda _, p: replace(p, outbox_proof=(*p.outbox_proof, ZERO_HASHES[32])),
        "ProofLength()",
    ),
    "rollup-depth-31": (lambda _, p: replace(p, rollup_proof=p.rollup_proof[:31]), "ProofLength()"),
    "rollup-depth-33": (
        lambda _, p: replace(p, rollup_proof=(*p.rollup_proof, ZERO_HASHES[32])),
        "ProofLength()",
    ),
    "no-siblings": (lambda _, p: replace(p, outbox_proof=(), rollup_proof=()), "ProofLength()"),
    # The same low 32 bits: without the range check these would verify.
    "leaf-index-2^32": (
        lambda _, p: replace(p, leaf_index=p.leaf_index + 2**32),
        "IndexOutOfRange()",
    ),
    "leaf-index-max": (lambda _, p: replace(p, leaf_index=2**256 - 1), "IndexOutOfRange()"),
    "rollup-index-2^32": (
        lambda _, p: replace(p, rollup_index=p.rollup_index + 2**32),
        "IndexOutOfRange()",
    ),
    "empty-leaf": (_empty_leaf, "RootMismatch()"),
    "wrong-leaf-index": (lambda _, p: replace(p, leaf_index=p.leaf_index ^ 1), "RootMismatch()"),
    "wrong-rollup-index": (lambda _, p: replace(p, rollup_index=1), "RootMismatch()"),
    "flipped-sibling": (_flip_sibling, "RootMismatch()"),
    "another-leafs-siblings": (
        lambda s, p: replace(p, outbox_proof=s.proof(s.token).outbox_proof),
        "RootMismatch()",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_proofs_are_refused(scene: Scene, case: str) -> None:
    forge, error = MALFORMED[case]
    s = scene
    good = s.proof(s.eth)
    assert good.leaf_index == 0 and good.rollup_index == 0
    bad = forge(s, good)
    refused(s, 902, s.eth.settled(bad), err(error))


def test_inner_node_passed_as_leaf(scene: Scene) -> None:
    """Second preimage: node(leaf0, leaf1) of 901's outbox offered as a message hash one
    level up. A fixed depth refuses the short proof; domain separation the padded one."""
    s, l902 = scene, scene.w.l2s[902]
    good, second = s.proof(s.eth), s.proof(s.token)
    assert second.leaf_index == 1
    inner = node(message_leaf(s.eth.hash), message_leaf(s.token.hash))
    up = replace(good, outbox_proof=good.outbox_proof[1:])

    def verifies(proof: SettledProof, msg: bytes) -> str | None:
        data = calldata(VERIFY, 901, msg, proof.as_abi())
        try:
            l902.call(CallRequest(to=SETTLED_INBOX, data=data))
        except ExecutionReverted as exc:
            return str(exc.data)
        return None

    assert verifies(good, s.eth.hash) is None  # the genuine leaf verifies
    assert verifies(up, inner) == err("ProofLength()")
    padded = replace(up, outbox_proof=(*up.outbox_proof, ZERO_HASHES[0]))
    assert verifies(padded, inner) == err("RootMismatch()")
    # The Python side (what the relayer checks its proofs with) agrees.
    outbox_root = outbox_tree(s.w.l2s[901], s.w.l2s[901].head().number).root()
    assert verify(message_leaf(s.eth.hash), good.outbox_proof, 0, outbox_root)
    assert not verify(inner, up.outbox_proof, 0, outbox_root)
    assert not verify(message_leaf(inner), padded.outbox_proof, 0, outbox_root)


def test_proof_from_another_tree(scene: Scene) -> None:
    s = scene
    good = s.proof(s.eth)
    # Another rollup's outbox: 902's message proof under 901's rollup leaf, and 902's own
    # message relayed on 903 as if 901 had sent it.
    other = s.proof(s.other)
    assert other.rollup_index == 1
    mixed = replace(good, leaf_index=other.leaf_index, outbox_proof=other.outbox_proof)
    refused(s, 902, s.eth.settled(mixed), err("RootMismatch()"))
    refused(s, 903, s.other.settled(other, source=901), err("RootMismatch()"))
    # An old root: a proof against 901's first settled outbox with the newer global root,
    # and a newer message's proof with the old root.
    old = s.proof(s.eth, s.old_root)
    assert old.outbox_proof != good.outbox_proof
    refused(s, 902, s.eth.settled(replace(old, global_root=s.root)), err("RootMismatch()"))
    late = s.proof(s.late)
    refused(s, 902, s.late.settled(replace(late, global_root=s.old_root)), err("RootMismatch()"))
    # An old root is still a root this rollup learned: a message it holds verifies with it.
    assert relays(s.w.l2s[902], s.eth.settled(old))


# ------------------------------------------------------------------ replay
def _relay_data(s: Scene, sent: Sent, path: str) -> tuple[bytes, tuple[AccessListEntry, ...]]:
    return sent.fast() if path == "fast" else (sent.settled(s.proof(sent)), ())


def _relay(s: Scene, sent: Sent, path: str) -> Receipt:
    l902 = s.w.l2s[902]
    data, alist = _relay_data(s, sent, path)
    request = CallRequest(
        sender=l902.dev_accounts[9].address, to=L2_TO_L2_MESSENGER, data=data, gas=GAS,
        access_list=alist,
    )  # fmt: skip
    receipt = l902.receipt(l902.send_transaction(request))
    assert receipt is not None
    return receipt


#: 902's (recipient ETH, ETHLiquidity, token supply, recipient tokens) once a message paid.
PAID = {
    "eth": (AMOUNT, ETH_LIQUIDITY_BALANCE - AMOUNT, 0, 0),
    "token": (0, ETH_LIQUIDITY_BALANCE, TOKENS, TOKENS),
}


@pytest.mark.parametrize("asset", ["eth", "token"])
@pytest.mark.parametrize(
    ("first", "second"),
    [("fast", "fast"), ("settled", "settled"), ("fast", "settled"), ("settled", "fast")],
)
def test_replay_on_the_same_chain(scene: Scene, first: str, second: str, asset: str) -> None:
    s, l902 = scene, scene.w.l2s[902]
    sent = s.eth if asset == "eth" else s.token
    assert _relay(s, sent, first).status == 1
    paid = ledger(l902, s.hashes)
    assert paid[:4] == PAID[asset]
    assert paid[4][s.hashes.index(sent.hash)] == 1  # nullified

    assert attempt(l902, *_relay_data(s, sent, second)) == err("MessageAlreadyRelayed()")
    assert ledger(l902, s.hashes) == paid  # paid once
    relayed = [
        lg
        for n in range(1, l902.head().number + 1)
        for r in l902.block(n).receipts
        for lg in r.logs
        if lg.topics[:1] == (RELAYED_MESSAGE_TOPIC,)
    ]
    assert [lg.topics[3] for lg in relayed] == [sent.hash]


def test_replay_on_another_chain(scene: Scene) -> None:
    """The ETH message for 902, relayed on 903 (before and after its relay on 902): the
    fast path reads the destination from the payload, the settled hash commits to it."""
    s, l903 = scene, scene.w.l2s[903]
    fast, alist = s.eth.fast()
    settled = s.eth.settled(s.proof(s.eth))
    for when in ("before", "after"):
        before = ledger(l903, s.hashes)
        assert attempt(l903, fast, alist) == err("MessageDestinationNotRelayChain()")
        assert attempt(l903, settled) == err("RootMismatch()")
        assert ledger(l903, s.hashes) == before and before[:4] == UNTOUCHED
        if when == "before":
            assert _relay(s, s.eth, "settled").status == 1
    assert s.w.l2s[902].account(RECIPIENT).balance == AMOUNT


def test_wrong_destination(scene: Scene) -> None:
    """A message for chain 999 relayed on 902."""
    s, l902 = scene, scene.w.l2s[902]
    assert s.stray.msg.destination == 999
    data, alist = s.stray.fast()
    before = ledger(l902, s.hashes)
    assert attempt(l902, data, alist) == err("MessageDestinationNotRelayChain()")
    assert ledger(l902, s.hashes) == before
    refused(s, 902, s.stray.settled(s.proof(s.stray)), err("RootMismatch()"))


# ------------------------------------------------------------------ spoofing and targets
@pytest.mark.parametrize("bridge", ["eth", "token"])
@pytest.mark.parametrize("path", ["fast", "settled"])
def test_sender_spoofing(scene: Scene, bridge: str, path: str) -> None:
    """A contract on 901 sends relayETH / relayERC20 to the bridge on 902: a genuine
    message (it verifies on both paths) that the bridge refuses, since its sender is not the
    bridge."""
    s, l902 = scene, scene.w.l2s[902]
    spoof = s.spoof_eth if bridge == "eth" else s.spoof_token
    if path == "fast":
        data, alist = spoof.fast()
    else:
        data, alist = spoof.settled(s.proof(spoof)), ()
    before = ledger(l902, s.hashes)
    assert attempt(l902, data, alist) == err("InvalidCrossDomainSender()")
    assert ledger(l902, s.hashes) == before and before[:4] == UNTOUCHED


def test_source_chain_spoofing_on_the_settled_path(scene: Scene) -> None:
    """The genuine ETH message claimed as sent by 902's bridge (or by an unknown chain)."""
    s = scene
    proof = s.proof(s.eth)
    for source in (902, 903, 999):
        refused(s, 902, s.eth.settled(proof, source=source), err("RootMismatch()"))
    for rollup_index in (1, 2):  # 902's leaf, and the empty one after it
        forged = replace(proof, rollup_index=rollup_index)
        refused(s, 902, s.eth.settled(forged, source=902), err("RootMismatch()"))


@pytest.mark.parametrize("target", ["eth-liquidity", "token"])
@pytest.mark.parametrize("path", ["fast", "settled"])
def test_message_to_a_bridge_only_function(scene: Scene, path: str, target: str) -> None:
    """ETHLiquidity.mint and the token's crosschainMint are not refused targets, but they
    serve their bridge only: a genuine message to them (it verifies) mints nothing."""
    s, l902 = scene, scene.w.l2s[902]
    sent = s.mint if target == "eth-liquidity" else s.token_mint
    if path == "fast":
        data, alist = sent.fast()
    else:
        data, alist = sent.settled(s.proof(sent)), ()
    before = ledger(l902, s.hashes)
    assert attempt(l902, data, alist) == err("Unauthorized()")
    assert ledger(l902, s.hashes) == before and before[:4] == UNTOUCHED


def test_privileged_targets_from_a_compromised_source_messenger(scene: Scene) -> None:
    """901's messenger is replaced by a forwarder that appends whatever it is told to the
    outbox: messages to the system contracts, settled on the L1 with genuine proofs. 902's
    messenger still refuses them, so no forged hash reaches its outbox and no root its inbox."""
    s, w = scene, scene.w
    l901, l902 = w.l2s[901], w.l2s[902]
    messenger = l901.code(L2_TO_L2_MESSENGER)
    l901.set_code(L2_TO_L2_MESSENGER, load("SettlementProbe").deployed_bytecode)
    attacker = l901.dev_accounts[ATTACKER].address
    forged_root = keccak(b"forged global root")
    targets = [
        (
            CROSS_L2_INBOX,
            calldata(
                "validateMessage((address,uint256,uint256,uint256,uint256),bytes32)",
                (attacker, 1, 0, 0, 901),
                bytes(32),
            ),
            "MessageTargetCrossL2Inbox()",
        ),
        (
            L2_TO_L2_MESSENGER,
            calldata(SEND_MESSAGE, 901, RECIPIENT, b""),
            "MessageTargetL2ToL2CrossDomainMessenger()",
        ),
        (
            MESSAGE_OUTBOX,
            calldata("append(bytes32)", keccak(b"forged")),
            "L2ToL2CrossDomainMessenger_MessageTargetUnsafe()",
        ),
        (
            SETTLED_INBOX,
            calldata("setGlobalRoot(bytes32)", forged_root),
            "L2ToL2CrossDomainMessenger_MessageTargetUnsafe()",
        ),
    ]
    nonce = view(l901, MESSAGE_OUTBOX, "count()")  # any nonce: nothing checks it
    forged = [
        L2ToL2Message(902, 901, nonce + i, attacker, target, message)
        for i, (target, message, _) in enumerate(targets)
    ]
    for msg in forged:
        append = calldata("append(bytes32)", msg.hash)
        transact(l901, L2_TO_L2_MESSENGER, calldata(FORWARD, MESSAGE_OUTBOX, append))
    l901.set_code(L2_TO_L2_MESSENGER, messenger)
    root = settle(w, 901)
    w.deliver(902, root)
    updates = hub_updates(LocalL1View(w.l1), w.hub)
    before = ledger(l902, s.hashes)
    for msg, (_, _, error) in zip(forged, targets, strict=True):
        proof = settled_proof(l901, msg.hash, root, updates)
        data = calldata(
            "verifyMessage(uint256,bytes32,(bytes32,uint256,bytes32[],uint256,bytes32[]))",
            901, msg.hash, proof.as_abi(),
        )  # fmt: skip
        assert l902.call(CallRequest(to=SETTLED_INBOX, data=data)).success  # a genuine proof
        assert attempt(l902, msg.relay_settled_calldata(proof.as_abi())) == err(error)
    assert ledger(l902, s.hashes) == before
    assert view(l902, SETTLED_INBOX, "knownRoots(bytes32)", forged_root) == 0
    assert view(l902, MESSAGE_OUTBOX, "count()") == 1  # 902's one message, to 903


def test_forged_global_root_through_an_l1_deposit(scene: Scene) -> None:
    """setGlobalRoot is the depositor's alone: a user's deposit through 902's portal, from an
    EOA and from an L1 contract (aliased), carries the user as sender and reverts."""
    w, l902 = scene.w, scene.w.l2s[902]
    forged = keccak(b"forged global root")
    portal = w.addrs.rollup(902).optimism_portal
    set_root = calldata("setGlobalRoot(bytes32)", forged)
    deposit = calldata(
        "depositTransaction(address,uint256,uint64,bool,bytes)",
        SETTLED_INBOX,
        0,
        200_000,
        False,
        set_root,
    )
    relay_contract = transact(w.l1, None, load("SettlementProbe").bytecode).contract_address
    assert relay_contract is not None
    receipts = [
        transact(w.l1, portal, deposit, sender=ATTACKER),
        transact(w.l1, relay_contract, calldata(FORWARD, portal, deposit), sender=ATTACKER),
    ]
    deposits = [deposit_from_log(lg) for r in receipts for lg in r.logs if lg.address == portal]
    alias = (int.from_bytes(relay_contract, "big") + ALIAS_OFFSET) % 2**160
    assert [d.sender for d in deposits] == [
        w.l1.dev_accounts[ATTACKER].address,
        alias.to_bytes(20, "big"),
    ]
    before = ledger(l902, scene.hashes)
    block = l902.mine_with_deposits(deposits)
    assert [r.status for r in block.receipts] == [0, 0]
    for d in deposits:
        with pytest.raises(ExecutionReverted) as info:
            l902.call(CallRequest(sender=d.sender, to=SETTLED_INBOX, data=set_root))
        assert info.value.data == err("NotDepositor()")
    assert ledger(l902, scene.hashes) == before
    assert view(l902, SETTLED_INBOX, "knownRoots(bytes32)", forged) == 0


# ------------------------------------------------------------------ the L1 hub
def hub_state(w: AttackWorld) -> tuple[Any, ...]:
    settled = "settledOutbox(uint256)"
    shape = "(bool,uint32,uint256,bytes32)"
    return (
        w.view(w.hub, "latestGlobalRoot()", returns="bytes32"),
        w.view(w.hub, "rollupCount()"),
        *(w.view(w.hub, settled, cid, returns=shape) for cid in (901, 902, 903)),
    )


def hub_attempt(w: AttackWorld, data: bytes) -> str:
    """A proveOutboxRoot as an eth_call (its revert data) and as a mined transaction."""
    reason = w.hub_revert(data)
    sender = w.l1.dev_accounts[ATTACKER].address
    request = CallRequest(sender=sender, to=w.hub, data=data, gas=5_000_000)
    receipt = w.l1.receipt(w.l1.send_transaction(request))
    assert receipt is not None and receipt.status == 0
    return reason


def test_hub_attacks_change_nothing(scene: Scene) -> None:
    """Each proof the hub must refuse, sent as a transaction: the hub's roots and leaves stay
    as they were, and the genuine proof still lands afterwards. (Every variant's error is
    also pinned by test_settled_contracts.py's test_hub_rejects_*, as eth_calls.)"""
    w = scene.w
    l901, l902 = w.l2s[901], w.l2s[902]
    before = hub_state(w)
    _, proven, _ = before[2][1:]  # 901's rollup index, proven output index, outbox root
    _, proven902, _ = before[3][1:]

    send(l901, 902, RECIPIENT, b"one more")
    send(l902, 903, RECIPIENT, b"one more")
    index, block = w.propose(901)
    index902, _ = w.propose(902)
    assert index902 > proven902
    good = outbox_root_proof(l901, block)
    assert hub_attempt(w, good.calldata(901, index)) == err("OutputNotFinalized(uint256)", index)
    w.finalize()

    def forged(**change: Any) -> bytes:
        return replace(good, **change).calldata(901, index)

    version, state_root, passer, block_hash = good.output_root_proof
    last_account, last_storage = good.account_proof[-1], good.storage_proof[-1]
    attacks = {
        "older output": (
            good.calldata(901, proven - 1),
            {err("OutputNotNewer(uint256,uint256)", proven - 1, proven)},
        ),
        "forged output root proof": (
            forged(output_root_proof=(version, keccak(state_root), passer, block_hash)),
            {err("InvalidOutputRootProof()")},
        ),
        "901's output proven as 902's": (
            good.calldata(902, index902),
            {err("InvalidOutputRootProof()")},
        ),
        "tampered account proof": (
            forged(account_proof=(*good.account_proof[:-1], _flip(last_account))),
            {err("BadNodeHash(uint256)", len(good.account_proof) - 1)},
        ),
        "tampered storage proof": (
            forged(storage_proof=(*good.storage_proof[:-1], _flip(last_storage))),
            TRIE_ERRORS,
        ),
        "another outbox root": (
            forged(outbox_root=keccak(good.outbox_root)),
            {err("InvalidStorageProof()")},
        ),
        "unregistered chain": (good.calldata(999, index), {err("NotRegistered(uint256)", 999)}),
    }
    for name, (data, errors) in attacks.items():
        reason = hub_attempt(w, data)
        assert reason in errors or reason[:10] in errors, (name, reason)
        assert hub_state(w) == before, name
    w.prove(901, index, block)  # the genuine proof still lands
    after = hub_state(w)
    assert after[0] != before[0] and after[2][2] == index
