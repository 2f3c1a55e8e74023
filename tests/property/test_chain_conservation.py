"""Random ETH transfers among dev accounts conserve value (minus burnt base fees)."""

from __future__ import annotations

from eth_account import Account
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossroll.chain import Chain, ChainConfig
from crossroll.clock import VirtualClock

GWEI = 10**9
transfers = st.lists(
    st.tuples(
        st.integers(0, 4),  # sender
        st.integers(0, 4),  # recipient
        st.integers(0, 10**18),  # value
        st.integers(1, 3),  # tip in gwei
        st.booleans(),  # mine after this one
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transfers)
def test_transfers_conserve_value(ops: list[tuple[int, int, int, int, bool]]) -> None:
    chain = Chain(ChainConfig(automine=False), VirtualClock(start=1_700_000_000))
    accounts = chain.dev_accounts[:5]
    addresses = [a.address for a in accounts]
    coinbase = chain.config.coinbase

    def total() -> int:
        return sum(chain.account(a).balance for a in [*addresses, coinbase])

    start = total()
    nonces = [0] * 5
    for sender, recipient, value, tip, mine_now in ops:
        tx = {
            "to": addresses[recipient],
            "value": value,
            "gas": 21_000,
            "nonce": nonces[sender],
            "chainId": 31337,
            "maxFeePerGas": 4 * GWEI,
            "maxPriorityFeePerGas": tip * GWEI,
        }
        raw = bytes(Account.sign_transaction(tx, accounts[sender].private_key).raw_transaction)
        chain.send_raw_transaction(raw)
        nonces[sender] += 1
        if mine_now:
            chain.mine()
    chain.mine()
    assert len(chain.pool) == 0
    burnt = 0
    mined: dict[bytes, int] = {}
    for block in chain.store.blocks:
        burnt += (block.header.base_fee_per_gas or 0) * block.header.gas_used
        for tx in block.transactions:
            mined[tx.sender] = mined.get(tx.sender, 0) + 1
    assert total() + burnt == start
    for index, address in enumerate(addresses):
        assert chain.account(address).nonce == mined.get(address, 0) == nonces[index]
