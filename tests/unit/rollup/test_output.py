"""OP v0 output roots: the hash itself, what changes it, and (the key check) that the L1
portal accepts a withdrawal proven against an output computed by ``output_at``."""

from __future__ import annotations

import pytest
from Crypto.Hash import keccak as pycryptodome_keccak
from eth_abi import encode

from crossroll.chain import Chain
from crossroll.chain.rules import L2_TO_L1_MESSAGE_PASSER as PASSER
from crossroll.clock import VirtualClock
from crossroll.errors import ExecutionReverted
from crossroll.rollup import RollupConfig, output_at, output_root
from crossroll.rollup.abi import calldata, decode
from crossroll.rollup.output import OUTPUT_VERSION_V0
from crossroll.rollup.transact import call, send, wait
from crossroll.types import CallRequest
from tests.unit.rollup.conftest import ETHER, L1_ID, L2_ID, ChainFactory, client_of, deploy

WITHDRAWAL = "(uint256,address,address,uint256,uint256,bytes)"
PROVE = (
    f"proveWithdrawalTransaction({WITHDRAWAL},uint256,(bytes32,bytes32,bytes32,bytes32),bytes[])"
)
FINALIZE = f"finalizeWithdrawalTransaction({WITHDRAWAL})"
PROPOSE = "proposeL2Output(bytes32,uint256,bytes32,uint256)"


def reference_keccak(data: bytes) -> bytes:
    h = pycryptodome_keccak.new(digest_bits=256)
    h.update(data)
    return h.digest()


def test_output_root_is_the_v0_hash() -> None:
    state, passer, block = b"\x01" * 32, b"\x02" * 32, b"\x03" * 32
    assert output_root(state, passer, block) == reference_keccak(
        b"\x00" * 32 + state + passer + block
    )
    assert OUTPUT_VERSION_V0 == b"\x00" * 32


def initiate_withdrawal(l2: Chain, target: bytes, value: int, gas_limit: int) -> tuple:
    sender = l2.dev_accounts[3].address
    nonce_out = l2.call(CallRequest(to=PASSER, data=calldata("messageNonce()"))).output
    nonce = decode(["uint256"], nonce_out)[0]
    data = calldata("initiateWithdrawal(address,uint256,bytes)", target, gas_limit, b"")
    tx = l2.send_transaction(CallRequest(sender=sender, to=PASSER, data=data, value=value))
    receipt = l2.receipt(tx)
    assert receipt is not None and receipt.status == 1
    return (nonce, sender, target, value, gas_limit, b"")


def test_output_at_reads_the_block_and_the_passer(make_chain: ChainFactory) -> None:
    l2 = make_chain(L2_ID, l2=True)
    before = output_at(l2, 0)
    header = l2.block(0).header
    assert (before.block_hash, before.state_root, before.timestamp) == (
        header.hash,
        header.state_root,
        header.timestamp,
    )
    assert before.root == output_root(
        header.state_root, before.message_passer_storage_root, header.hash
    )
    initiate_withdrawal(l2, b"\x77" * 20, ETHER, 100_000)
    after = output_at(l2, 1)
    assert after.message_passer_storage_root != before.message_passer_storage_root
    assert after.message_passer_storage_root == l2.account(PASSER).storage_root
    assert output_at(l2, 0) == before  # history does not move


def test_withdrawal_proven_and_finalized_against_output_at(
    make_chain: ChainFactory, clock: VirtualClock
) -> None:
    l1 = make_chain(L1_ID)
    l2 = make_chain(L2_ID, l2=True)
    config = RollupConfig.for_rollup(L2_ID, 0, block_time=None, submission_interval=2)
    where = deploy(l1, clock, [config], [l2]).rollup(L2_ID)
    client = client_of(l1, clock)
    user = l1.dev_accounts[3]
    # Lock ETH in the portal, as deposits would have.
    wait(client, [send(client, user, where.optimism_portal, calldata("donateETH()"), value=ETHER)])

    target = b"\x77" * 20
    w = initiate_withdrawal(l2, target, ETHER // 2, 100_000)  # L2 block 1
    l2.mine()  # block 2: the oracle's first output
    output = output_at(l2, 2)
    propose = calldata(PROPOSE, output.root, 2, b"\x00" * 32, 0)
    wait(client, [send(client, config.proposer, where.l2_output_oracle, propose)])

    whash = reference_keccak(
        encode(["uint256", "address", "address", "uint256", "uint256", "bytes"], list(w))
    )
    slot = int.from_bytes(reference_keccak(whash + b"\x00" * 32), "big")
    proof = list(l2.proof(PASSER, [slot], 2).storage_proof[0].proof)
    prove = calldata(PROVE, w, 0, output.proof, proof)
    wait(client, [send(client, user, where.optimism_portal, prove)])

    finalize = calldata(FINALIZE, w)
    early = call(client, where.optimism_portal, calldata("isOutputFinalized(uint256)", 0))
    assert decode(["bool"], early)[0] is False
    # Automine gives each block at least parent + 1 s, so L1's head may be ahead of the clock.
    clock.advance_to(l1.head().header.timestamp + config.challenge_window + 1)
    assert l1.account(target).balance == 0
    wait(client, [send(client, user, where.optimism_portal, finalize)])
    assert l1.account(target).balance == ETHER // 2

    # The preimage of another block's output does not open output 0.
    bad = calldata(PROVE, w, 0, output_at(l2, 1).proof, proof)
    with pytest.raises(ExecutionReverted) as exc:
        call(client, where.optimism_portal, bad)
    assert "invalid output root proof" in bytes.fromhex(str(exc.value.data)[2:]).decode(
        errors="replace"
    )
