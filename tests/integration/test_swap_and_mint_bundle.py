"""Issue 5's bundle as written: swap on 901, mint on 902, fully or not at all.

``ToySwap`` (compiled here with the pinned solc-js shim) is a constant-product pool of ETH
and the Supersim test token on 901; ``swapAndBridge`` swaps the ETH sent for tokens and sends
them with the SuperchainTokenBridge to the caller on 902 (burn on 901, mint on 902 by the
shared sequencer's in-slot relay). The bundle's second leg spends those tokens on 902, so it
succeeds only if the mint came first, in the same slot.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eth_utils import keccak

from crossroll.messaging.addresses import L2_TO_L2_MESSENGER, RELAYER_ACCOUNT_INDEX
from crossroll.messaging.l2tol2 import RELAYED_MESSAGE_TOPIC
from crossroll.messaging.store import Status
from crossroll.network import Network
from crossroll.rollup.abi import calldata
from crossroll.sequencing.addresses import shared_sequencer_account
from crossroll.sequencing.bundle import BundleStatus
from crossroll.testing.tools import require_tool
from crossroll.types import Address, CallRequest, LogFilter
from tests.unit.sequencing.helpers import (
    TOKEN,
    Wallet,
    mint,
    nonce_of,
    shared_net,
    token_balance,
    transfer,
)

pytestmark = pytest.mark.slow

ETHER = 10**18
SEED_ETH, SEED_TOKENS = 10 * ETHER, 20_000 * ETHER  # the pool's reserves before any swap
TOYSWAP = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

interface IERC20 {
    function balanceOf(address owner) external view returns (uint256);
}

interface ISuperchainTokenBridge {
    function sendERC20(address token, address to, uint256 amount, uint256 chainId)
        external returns (bytes32);
}

/// A constant-product (x*y=k, no fee) pool of ETH and the Supersim test token.
contract ToySwap {
    address constant TOKEN = 0x420beeF000000000000000000000000000000001;
    ISuperchainTokenBridge constant BRIDGE =
        ISuperchainTokenBridge(0x4200000000000000000000000000000000000028);

    error Slippage(uint256 out, uint256 minOut);

    receive() external payable {}

    /// Swap msg.value ETH for tokens and bridge them to the caller on `destination`.
    function swapAndBridge(uint256 minOut, uint256 destination)
        external payable returns (uint256 out)
    {
        uint256 eth = address(this).balance - msg.value; // the reserves before this swap
        uint256 tokens = IERC20(TOKEN).balanceOf(address(this));
        out = msg.value * tokens / (eth + msg.value);
        if (out < minOut) revert Slippage(out, minOut);
        BRIDGE.sendERC20(TOKEN, msg.sender, out, destination); // burns the pool's tokens
    }
}
"""
SLIPPAGE = keccak(b"Slippage(uint256,uint256)")[:4]  # the custom error's selector


def compile_toyswap() -> dict[str, Any]:
    solc = require_tool("solc")  # the solc-js shim
    request = {
        "language": "Solidity",
        "sources": {"ToySwap.sol": {"content": TOYSWAP}},
        "settings": {"outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}},
    }
    out = subprocess.run(
        [str(solc), "--standard-json"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout)
    assert not [e for e in result.get("errors", []) if e["severity"] == "error"], result
    compiled = result["contracts"]["ToySwap.sol"]["ToySwap"]
    return {
        "abi": compiled["abi"],
        "bytecode": bytes.fromhex(compiled["evm"]["bytecode"]["object"]),
    }


@dataclass(frozen=True)
class Pool:
    net: Network
    address: Address
    abi: list[dict[str, Any]]

    def reserves(self) -> tuple[int, int]:
        """(ETH, tokens) the pool holds on 901."""
        with self.net.lock:
            eth = self.net.chain(901).chain.account(self.address).balance
        return eth, token_balance(self.net, 901, self.address)

    def quote(self, eth_in: int) -> int:
        """What a swap of ``eth_in`` pays now, computed here from the reserves."""
        eth, tokens = self.reserves()
        return eth_in * tokens // (eth + eth_in)

    def swap(self, user: Wallet, min_out: int, *, value: int = ETHER) -> bytes:
        data = calldata("swapAndBridge(uint256,uint256)", min_out, 902)
        return user.tx(901, self.address, data, value=value, gas=300_000)


@pytest.fixture(scope="module")
def pool() -> Iterator[Pool]:
    artifact = compile_toyswap()
    with shared_net() as net:
        owner = Wallet(net, net.accounts[8])
        deploy = owner.tx(901, None, artifact["bytecode"], gas=1_000_000)  # type: ignore[arg-type]
        tx_hash = net.chain(901).inproc().eth_sendRawTransaction("0x" + deploy.hex())
        net.advance(2)  # a plain transaction, in the next slot
        receipt = net.chain(901).chain.receipt(bytes.fromhex(tx_hash[2:]))
        assert receipt is not None and receipt.status == 1 and receipt.contract_address
        address = receipt.contract_address
        for raw in (
            owner.tx(901, TOKEN, mint(address, SEED_TOKENS)),
            owner.tx(901, address, value=SEED_ETH, gas=50_000),
        ):
            net.chain(901).inproc().eth_sendRawTransaction("0x" + raw.hex())
        net.advance(2)
        p = Pool(net, address, artifact["abi"])
        assert p.reserves() == (SEED_ETH, SEED_TOKENS)
        yield p


def eth_of(net: Network, chain_id: int, owner: Address) -> int:
    with net.lock:
        return net.chain(chain_id).chain.account(owner).balance


def snapshot(pool: Pool, user: Address, bob: Address) -> dict[str, Any]:
    """Everything a bundle of ``user`` could change, on both rollups."""
    net = pool.net
    return {
        "reserves": pool.reserves(),
        **{
            f"{cid}": (
                nonce_of(net, cid, user),
                eth_of(net, cid, user),
                token_balance(net, cid, user),
                token_balance(net, cid, bob),
            )
            for cid in (901, 902)
        },
    }


def user_txs(net: Network, chain_id: int, number: int) -> list[bytes]:
    return [
        tx.hash for tx in net.chain(chain_id).chain.block(number).transactions if not tx.is_deposit
    ]


def relayed_in(
    net: Network, msg_hash: bytes | None = None, *, block: int | None = None
) -> list[int]:
    """The 902 blocks holding a RelayedMessage (of ``msg_hash``; in ``block`` only if given)."""
    with net.lock:
        chain = net.chain(902).chain
        lo, hi = (0, chain.head().number) if block is None else (block, block)
        wanted = None if msg_hash is None else (msg_hash,)
        flt = LogFilter(
            lo, hi, (L2_TO_L2_MESSENGER,), ((RELAYED_MESSAGE_TOPIC,), None, None, wanted)
        )
        return [log.block_number for log in chain.logs(flt)]


def gas_cost(net: Network, chain_id: int, h: bytes) -> int:
    receipt = net.chain(chain_id).chain.receipt(h)
    assert receipt is not None
    return receipt.gas_used * receipt.effective_gas_price


def bob_of(index: int) -> Address:
    return bytes.fromhex(f"b0b{index:037x}")


def test_the_swap_and_the_mint_land_in_one_slot(pool: Pool) -> None:
    net = pool.net
    user, bob = Wallet(net, net.accounts[0]), bob_of(1)
    out = pool.quote(ETHER)
    assert out == ETHER * SEED_TOKENS // (SEED_ETH + ETHER) == 1818181818181818181818
    before = snapshot(pool, user.address, bob)
    legs = [(901, pool.swap(user, out)), (902, user.tx(902, TOKEN, transfer(bob, out)))]
    h = net.send_bundle(legs)
    net.advance(2)
    record = net.bundle(h)
    assert record.status is BundleStatus.INCLUDED, record.reason
    slot = record.slot
    assert slot is not None and [p.block_number for p in record.legs] == [slot, slot]
    b901, b902 = (net.chain(c).chain.block(slot) for c in (901, 902))
    assert b901.header.number == b902.header.number == slot
    assert b901.header.timestamp == b902.header.timestamp == net.slot(slot).timestamp
    swap_hash, spend_hash = (keccak(raw) for _, raw in legs)  # typed: keccak of the envelope
    # 901: the swap alone; 902: the sequencer's relay (the mint) first, then the transfer.
    (relay,) = record.relays
    assert relay.chain_id == 902 and relay.block_number == slot
    assert user_txs(net, 901, slot) == [swap_hash]
    assert user_txs(net, 902, slot) == [relay.tx_hash, spend_hash]
    assert all(r.status == 1 for r in b901.receipts + b902.receipts)
    relay_receipt = net.chain(902).chain.receipt(relay.tx_hash)
    assert relay_receipt is not None and relay_receipt.sender == shared_sequencer_account().address
    # Balances, nonces and reserves moved by exactly the swap.
    after = snapshot(pool, user.address, bob)
    assert after["reserves"] == (SEED_ETH + ETHER, SEED_TOKENS - out)
    n901, eth901, tok901, bob901 = before["901"]
    n902, eth902, tok902, bob902 = before["902"]
    assert after["901"] == (n901 + 1, eth901 - ETHER - gas_cost(net, 901, swap_hash), 0, 0)
    assert after["902"] == (n902 + 1, eth902 - gas_cost(net, 902, spend_hash), 0, out)
    assert (tok901, bob901, tok902, bob902) == (0, 0, 0, 0)
    # The message store saw the in-slot relay, once; the relayer never sends one of its own.
    (message,) = [m for m in net.messages(chain_id=901) if m.msg_hash == relay.msg_hash]
    assert message.status is Status.RELAYED and message.relay_tx_hash == relay.tx_hash
    assert (message.source, message.destination, message.attempts) == (901, 902, 0)
    assert relayed_in(net, relay.msg_hash) == [slot]
    # Verifiers reading only the L1 derive the very same blocks.
    net.advance(60)
    verifiers = {cid: net.start_verifier(cid, serve=False) for cid in (901, 902)}
    net.advance(24)
    for cid, verifier in verifiers.items():
        assert verifier.chain.head().number >= slot
        for n in range(1, slot + 1):
            assert verifier.chain.block(n).hash == net.chain(cid).chain.block(n).hash, (cid, n)
    firm = net.sequencing.slot_json(slot)["firm"]
    assert firm is not None and firm["matches"]
    relayer = net.accounts[RELAYER_ACCOUNT_INDEX].address
    assert nonce_of(net, 902, relayer) == 0
    assert relayed_in(net, relay.msg_hash) == [slot]


def test_slippage_drops_the_bundle_on_both_rollups(pool: Pool) -> None:
    net = pool.net
    user, bob = Wallet(net, net.accounts[2]), bob_of(2)
    out = pool.quote(ETHER)
    before = snapshot(pool, user.address, bob)
    legs = [(901, pool.swap(user, out + 1)), (902, user.tx(902, TOKEN, transfer(bob, out)))]
    h = net.send_bundle(legs)
    net.advance(2)
    record = net.bundle(h)
    assert record.status is BundleStatus.DROPPED and record.slot is not None
    error = SLIPPAGE + out.to_bytes(32, "big") + (out + 1).to_bytes(32, "big")
    swap = keccak(legs[0][1])
    assert record.reason == (
        f"leg 0 (chain 901, tx 0x{swap.hex()}) reverted: execution reverted: "
        f"custom error 0x{error.hex()}"
    )
    # The error's selector is ToySwap's Slippage(out, minOut), with the swap's real numbers.
    (err,) = [e for e in pool.abi if e["type"] == "error"]
    signature = f"{err['name']}({','.join(i['type'] for i in err['inputs'])})"
    assert signature == "Slippage(uint256,uint256)" and keccak(signature.encode())[:4] == error[:4]
    assert record.legs == () and record.relays == ()
    after = snapshot(pool, user.address, bob)
    assert after == before and after["902"][3] == 0
    assert user_txs(net, 901, record.slot) == user_txs(net, 902, record.slot) == []
    assert net.slot(record.slot).bundles == ()
    assert not [m for m in net.messages(chain_id=901) if m.sent.block_number == record.slot]
    assert relayed_in(net, block=record.slot) == []  # no relay on 902


def test_a_failing_mint_side_leg_undoes_the_swap(pool: Pool) -> None:
    net = pool.net
    user, bob = Wallet(net, net.accounts[3]), bob_of(3)
    out = pool.quote(ETHER)
    before = snapshot(pool, user.address, bob)
    swap = pool.swap(user, out)
    spend = user.tx(902, TOKEN, transfer(bob, out + 1))  # one more than the relay mints
    h = net.send_bundle([(901, swap), (902, spend)])
    net.advance(2)
    record = net.bundle(h)
    assert record.status is BundleStatus.DROPPED and record.slot is not None
    assert (record.reason or "").startswith(
        f"leg 1 (chain 902, tx 0x{keccak(spend).hex()}) reverted: execution reverted"
    )
    assert snapshot(pool, user.address, bob) == before
    assert user_txs(net, 901, record.slot) == user_txs(net, 902, record.slot) == []
    # The swap leg alone would have succeeded: as a call it pays `out`, and the very same
    # signed transaction, sent as a bundle of its own, lands.
    with net.lock:
        called = net.chain(901).chain.call(
            CallRequest(
                sender=user.address,
                to=pool.address,
                value=ETHER,
                data=calldata("swapAndBridge(uint256,uint256)", out, 902),
            )
        )
    assert int.from_bytes(called.output, "big") == out
    alone = net.send_bundle([(901, swap)])
    net.advance(2)
    again = net.bundle(alone)
    assert again.status is BundleStatus.INCLUDED, again.reason
    assert pool.reserves() == (before["reserves"][0] + ETHER, before["reserves"][1] - out)
    assert token_balance(net, 902, user.address) == out  # minted by the in-slot relay
    assert token_balance(net, 902, bob) == 0


def test_without_a_bundle_the_spend_runs_before_the_mint(pool: Pool) -> None:
    """The same two transactions sent plainly: the swap lands, the 902 transfer is mined in
    the same slot before any mint and reverts, and the ordinary relayer mints later."""
    net = pool.net
    user, bob = Wallet(net, net.accounts[4]), bob_of(4)
    out = pool.quote(ETHER)
    reserves = pool.reserves()
    swap, spend = pool.swap(user, out), user.tx(902, TOKEN, transfer(bob, out))
    for cid, raw in ((901, swap), (902, spend)):
        net.chain(cid).inproc().eth_sendRawTransaction("0x" + raw.hex())
    net.advance(2)
    swapped = net.chain(901).chain.receipt(keccak(swap))
    spent = net.chain(902).chain.receipt(keccak(spend))
    assert swapped is not None and spent is not None
    assert swapped.block_number == spent.block_number  # the same slot ...
    assert (swapped.status, spent.status) == (1, 0)  # ... but the transfer found no tokens
    slot = spent.block_number
    assert user_txs(net, 902, slot) == [spent.transaction_hash]  # no relay before it
    assert relayed_in(net, block=slot) == []
    assert pool.reserves() == (reserves[0] + ETHER, reserves[1] - out)
    (message,) = [
        m for m in net.messages(chain_id=901) if m.sent.block_number == slot and m.source == 901
    ]
    net.advance(10)
    message = net.message(message.msg_hash)
    assert message.status is Status.RELAYED and message.relay_tx_hash is not None
    relay = net.chain(902).chain.receipt(message.relay_tx_hash)
    assert relay is not None and relay.block_number > slot
    assert relay.sender == net.accounts[RELAYER_ACCOUNT_INDEX].address
    # Half done: the user paid 1 ETH and holds the tokens on 902; bob got nothing.
    assert token_balance(net, 902, user.address) == out
    assert token_balance(net, 902, bob) == 0
