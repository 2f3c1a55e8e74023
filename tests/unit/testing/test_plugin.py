"""The shipped pytest plugin's fixtures, used as a crossroll user would use them."""

from __future__ import annotations

from eth_account import Account

KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
BOB = "0x000000000000000000000000000000000000b0b0"


def _transfer(chain_id: int, nonce: int) -> bytes:
    tx = {
        "type": 2,
        "chainId": chain_id,
        "nonce": nonce,
        "to": BOB,
        "value": 5,
        "gas": 21_000,
        "maxFeePerGas": 10**10,
        "maxPriorityFeePerGas": 1,
    }
    return bytes(Account.sign_transaction(tx, KEY0).raw_transaction)


def test_chain_fixture_is_a_fresh_automining_chain(crossroll_chain):
    assert crossroll_chain.chain_id == 31337 and crossroll_chain.head().number == 0
    crossroll_chain.send_raw_transaction(_transfer(31337, 0))
    assert crossroll_chain.head().number == 1
    assert crossroll_chain.account(bytes.fromhex(BOB[2:])).balance == 5


def _bob_balance(net) -> int:
    return int(net.chain(901).inproc().eth_getBalance(BOB, "latest"), 16)


def test_isolated_network_sees_no_earlier_test_a(crossroll_isolated):
    assert _bob_balance(crossroll_isolated) == 0
    crossroll_isolated.chain(901).inproc().eth_sendRawTransaction("0x" + _transfer(901, 0).hex())
    crossroll_isolated.advance(2)
    assert _bob_balance(crossroll_isolated) == 5


def test_isolated_network_sees_no_earlier_test_b(crossroll_isolated):
    # whichever of a/b runs second starts from the same state as the first
    assert _bob_balance(crossroll_isolated) == 0
    crossroll_isolated.chain(901).inproc().eth_sendRawTransaction("0x" + _transfer(901, 0).hex())
    crossroll_isolated.advance(2)
    assert _bob_balance(crossroll_isolated) == 5


def test_session_network_is_shared_and_virtual(crossroll_network):
    assert [h.chain_id for h in crossroll_network.chains] == [900, 901, 902]
    before = crossroll_network.chain(901).chain.head().number
    crossroll_network.advance(4)
    assert crossroll_network.chain(901).chain.head().number == before + 2
