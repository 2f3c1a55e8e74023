"""The settled path's global root reaches a rollup only through its deposits, derived from
the L1 (crossroll.rollup.globalroot)."""

from __future__ import annotations

import pytest

from crossroll.messaging.addresses import SETTLED_INBOX
from crossroll.network import Network
from crossroll.rollup.globalroot import global_root_of
from tests.unit.messaging.test_relayer_network import FREE, send


@pytest.mark.slow
def test_global_root_deposit_reaches_the_destination_and_verifiers_agree() -> None:
    """The settled path's global root enters 902 as a system deposit derived from the L1: a
    verifier rebuilding 902 from the L1 alone gets the same blocks, deposit included."""
    options = {"rollups__challenge_window": 60, "messaging__relay_path": "settled"}
    with Network.start(virtual_time=True, **FREE, **options) as net:  # type: ignore[arg-type]
        verifier = net.start_verifier(902)
        record = send(net)
        for _ in range(60):
            net.advance(12)
            if net.message(record.msg_hash).relayed is not None:
                break
        assert net.message(record.msg_hash).relayed is not None
        net.advance(60)  # the relay's block becomes safe
        chain = net.chain(902).chain
        with net.lock:
            roots = [
                root
                for n in range(chain.head().number + 1)
                for tx in chain.block(n).transactions
                if (root := global_root_of(tx)) is not None
            ]
            latest = chain.storage(SETTLED_INBOX, 1)
            derived = verifier.derivation.head.number
            assert roots and roots[-1] == latest.to_bytes(32, "big")
            assert derived >= chain.receipt(net.message(record.msg_hash).relay_tx_hash).block_number  # type: ignore[arg-type, union-attr]
            for n in range(derived + 1):
                assert verifier.chain.block(n).hash == chain.block(n).hash
