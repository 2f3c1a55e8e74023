"""Operator views of a running devnet's rollups: what ``crossroll_getRollup`` answers and
``crossroll status`` prints.

A rollup's view gathers, without changing anything: its safety heads (unsafe, safe,
finalized), its settlement addresses and role accounts, the last batch the batcher landed
(L2 range, DA kind, bytes, compression, L1 gas), the last output on the oracle, derivation's
counters (batcher transactions read, ignored senders, dropped frames and blocks), deposits
waiting on L1 and withdrawals initiated on the L2 and not finalized on the L1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import CrossrollError
from ..rollup.transact import hexstr

if TYPE_CHECKING:
    from .network import Network

FINALIZED = "finalizedWithdrawals(bytes32)"


def rollup_view(net: Network, chain_id: int) -> dict[str, Any]:
    """The operator's view of rollup ``chain_id`` (call under the network's lock)."""
    handle = net.chain(chain_id)
    index = net.config.rollup_ids.index(handle.chain_id)
    wiring = net._rollups
    config = wiring.configs[index]
    batcher, proposer = wiring.batchers[index], wiring.proposers[index]
    tracker, sequencer = wiring.trackers[index], wiring.sequencers[index]
    heads = wiring.safety[index]
    proposals = proposer.proposals
    mode = wiring.modes[chain_id]
    inbox, poster = wiring.poster(config)
    records = [r.to_json() for r in batcher.records]
    if mode == "based":  # its posts, made by its gateway (anyone may post)
        gateway = next(g for g in wiring.gateways if g.inbox == inbox)
        records = [r.to_json() for r in gateway.records]
        poster = gateway.account.address
    return {
        "chainId": chain_id,
        "rpcUrl": handle.url,
        "sequencing": mode,
        "heads": heads.to_json(),
        "da": "calldata" if mode == "based" else batcher.da,
        "challengeWindow": config.challenge_window,
        "submissionInterval": config.submission_interval,
        "l1Addresses": net.l1_addresses.rollup(chain_id).to_json(),
        "batchInbox": hexstr(inbox),
        "batcher": hexstr(poster),
        "proposer": hexstr(config.proposer.address),
        "batches": len(records),
        "lastBatch": records[-1] if records else None,
        "outputs": len(proposals),
        "lastOutput": proposals[-1].to_json() if proposals else None,
        "derivation": {
            **tracker.counters.to_json(),
            "l1BlocksRead": tracker.next_l1,
            "error": tracker.last_error.message if tracker.last_error else None,
        },
        "pendingDeposits": len(sequencer.pending()),
        "pendingWithdrawals": pending_withdrawals(net, chain_id),
        "errors": {
            name: err.message
            for name, err in (("batcher", batcher.last_error), ("proposer", proposer.last_error))
            if err is not None
        },
    }


def pending_withdrawals(net: Network, chain_id: int) -> list[dict[str, Any]]:
    """Withdrawals initiated on the rollup and not yet finalized on the L1, oldest first:
    ``{withdrawalHash, l2TransactionHash, l2BlockNumber, value}``."""
    from ..chain.rules import L2_TO_L1_MESSAGE_PASSER
    from ..rollup.abi import calldata, decode
    from ..rollup.transact import call
    from ..rollup.withdrawals.message import MESSAGE_PASSED, from_log

    flt = {
        "fromBlock": "0x0",
        "toBlock": "latest",
        "address": hexstr(L2_TO_L1_MESSAGE_PASSER),
        "topics": [hexstr(MESSAGE_PASSED)],
    }
    portal = net.l1_addresses.rollup(chain_id).optimism_portal
    l1 = net.l1.inproc()
    out = []
    for log in net.chain(chain_id).inproc().request("eth_getLogs", [flt]):
        w = from_log(log, chain_id, 0)
        try:
            done = decode(["bool"], call(l1, portal, calldata(FINALIZED, w.hash)))[0]
        except CrossrollError:
            done = False
        if not done:
            out.append(
                {
                    "withdrawalHash": hexstr(w.hash),
                    "l2TransactionHash": hexstr(w.l2_tx_hash),
                    "l2BlockNumber": w.l2_block,
                    "value": str(w.value),
                }
            )
    return out
