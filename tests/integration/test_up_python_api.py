"""`Network.start` from Python: chains by id; in-process and HTTP clients agree."""

from __future__ import annotations

import pytest

from crossroll import Network, NetworkConfig

FREE = {"l1__port": 0, "rollups__port": 0, "admin_port": 0}


def test_chains_by_id_and_both_clients_agree() -> None:
    with Network.start(NetworkConfig(), **FREE) as net:
        assert net.ready
        assert [h.chain_id for h in net.chains] == [900, 901, 902]
        assert net.l1.chain_id == 900 and [h.chain_id for h in net.rollups] == [901, 902]
        for handle in net.chains:
            http, inproc = handle.client(), handle.inproc()
            assert int(http.eth_chainId(), 16) == handle.chain_id
            assert http.eth_chainId() == inproc.eth_chainId()
            assert http.eth_accounts() == inproc.eth_accounts()
            assert http.eth_blockNumber() == inproc.eth_blockNumber()
            account = http.eth_accounts()[0]
            assert http.eth_getBalance(account, "latest") == inproc.eth_getBalance(
                account, "latest"
            )
        assert net.accounts[0].address.hex() == "f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
    assert not net.ready


def test_virtual_time_mines_on_advance() -> None:
    with Network.start(virtual_time=True, rollups=1, **FREE) as net:
        l2 = net.chain(901).inproc()
        l1 = net.l1.inproc()
        assert int(l2.eth_blockNumber(), 16) == 0
        deployed = int(l1.eth_blockNumber(), 16)  # the rollup contracts, mined at start
        net.advance(12)
        assert int(l2.eth_blockNumber(), 16) == 6
        assert int(l1.eth_blockNumber(), 16) == deployed + 1


def test_transaction_through_http_is_seen_in_process() -> None:
    with Network.start(automine=True, rollups=1, **FREE) as net:
        http, inproc = net.chain(901).client(), net.chain(901).inproc()
        sender, receiver = http.eth_accounts()[:2]
        tx_hash = http.eth_sendTransaction({"from": sender, "to": receiver, "value": hex(10**18)})
        receipt = inproc.eth_getTransactionReceipt(tx_hash)
        assert receipt is not None and int(receipt["status"], 16) == 1
        assert int(inproc.eth_getBalance(receiver, "latest"), 16) == 10_001 * 10**18


def test_unknown_chain() -> None:
    from crossroll.errors import ConfigError

    with Network.start(rollups=1, **FREE) as net, pytest.raises(ConfigError):
        net.chain(999)
