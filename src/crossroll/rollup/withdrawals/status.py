"""Where a withdrawal stands, read from the L2 and the L1 contracts through JSON-RPC only.

The stages, in order (each reached once the previous ones are):

- ``initiated``: the L2 transaction that called ``initiateWithdrawal`` is mined;
- ``inBatch``: the rollup's ``safe`` head has reached that L2 block (its batch is on L1);
- ``outputProposed``: the L2OutputOracle holds an output at or after that block;
- ``proven``: the portal's ``provenWithdrawals`` records a proof against an output that
  still stands;
- ``finalizable``: proof and output are older than the oracle's finalization period as of
  the L1's latest block, so a finalization in the next L1 block passes;
- ``finalized``: the portal's ``finalizedWithdrawals`` holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from eth_hash.auto import keccak

from ...abc import ClientAPI
from ..abi import calldata, decode
from ..addresses import RollupAddresses
from ..transact import call, hexstr, quantity, unhex
from .message import Withdrawal

OUTPUT_PROPOSED = keccak(b"OutputProposed(bytes32,uint256,uint256,uint256)")
WITHDRAWAL_PROVEN = keccak(b"WithdrawalProven(bytes32,address,address)")
WITHDRAWAL_FINALIZED = keccak(b"WithdrawalFinalized(bytes32,bool)")


class Stage(StrEnum):
    INITIATED = "initiated"
    IN_BATCH = "inBatch"
    OUTPUT_PROPOSED = "outputProposed"
    PROVEN = "proven"
    FINALIZABLE = "finalizable"
    FINALIZED = "finalized"


@dataclass(frozen=True, slots=True)
class Step:
    """When a stage was reached: the block (L1 or L2) and its time, where known."""

    l1_block: int | None = None
    l2_block: int | None = None
    timestamp: int | None = None
    transaction_hash: bytes | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "l1Block": self.l1_block,
            "l2Block": self.l2_block,
            "timestamp": self.timestamp,
            "transactionHash": self.transaction_hash and hexstr(self.transaction_hash),
        }
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True, slots=True)
class OracleOutput:
    """An output root on the L2OutputOracle."""

    index: int
    root: bytes
    timestamp: int
    l2_block: int


@dataclass(frozen=True, slots=True)
class WithdrawalStatus:
    withdrawal: Withdrawal
    #: The stages reached, in order, with their step.
    steps: tuple[tuple[Stage, Step], ...]
    #: The first output covering the withdrawal's block, if one is proposed.
    output: OracleOutput | None
    #: Earliest L1 block time that accepts the finalization (known once proven).
    finalizable_at: int | None
    #: Timestamp of the L1's latest block when this was read.
    l1_time: int
    #: Whether the portal's call to the target succeeded (known once finalized).
    success: bool | None = None

    @property
    def stage(self) -> Stage:
        return self.steps[-1][0]

    def step(self, stage: Stage) -> Step | None:
        return dict(self.steps).get(stage)

    def reached(self, stage: Stage) -> bool:
        return stage in dict(self.steps)

    def to_json(self) -> dict[str, Any]:
        reached = dict(self.steps)
        return {
            **self.withdrawal.to_json(),
            "status": self.stage.value,
            "steps": {s.value: (reached[s].to_json() if s in reached else None) for s in Stage},
            "outputIndex": None if self.output is None else self.output.index,
            "finalizableAt": self.finalizable_at,
            "success": self.success,
        }


@dataclass(frozen=True, slots=True)
class Endpoints:
    """A rollup's L2 and its L1 contracts, each behind a JSON-RPC client."""

    l1: ClientAPI
    l2: ClientAPI
    addresses: RollupAddresses

    def oracle_view(self, signature: str, *args: Any, types: tuple[str, ...] = ("uint256",)) -> Any:
        out = decode(
            types, call(self.l1, self.addresses.l2_output_oracle, calldata(signature, *args))
        )
        return out[0] if len(out) == 1 else out

    def portal_view(self, signature: str, *args: Any, types: tuple[str, ...]) -> Any:
        out = decode(
            types, call(self.l1, self.addresses.optimism_portal, calldata(signature, *args))
        )
        return out[0] if len(out) == 1 else out

    def last_log(self, address: bytes, topics: list[str], from_block: int = 0) -> Any:
        flt = {"address": hexstr(address), "fromBlock": hex(from_block), "toBlock": "latest"}
        logs = self.l1.request("eth_getLogs", [{**flt, "topics": topics}])
        return logs[-1] if logs else None

    def block(self, client: ClientAPI, ref: str | int) -> dict[str, Any]:
        tag = ref if isinstance(ref, str) else hex(ref)
        found: dict[str, Any] = client.request("eth_getBlockByNumber", [tag, False])
        return found


def read_status(ends: Endpoints, w: Withdrawal) -> WithdrawalStatus:
    """The stages ``w`` has reached, as the L2 and the L1 contracts show them now."""
    l1_time = quantity(ends.block(ends.l1, "latest")["timestamp"])
    l2_time = quantity(ends.block(ends.l2, w.l2_block)["timestamp"])
    steps = [(Stage.INITIATED, Step(l2_block=w.l2_block, timestamp=l2_time,
                                    transaction_hash=w.l2_tx_hash))]  # fmt: skip
    if quantity(ends.block(ends.l2, "safe")["number"]) >= w.l2_block:
        steps.append((Stage.IN_BATCH, Step()))
    output = _output(ends, w.l2_block)
    if output is not None:
        steps.append((Stage.OUTPUT_PROPOSED, _proposal_step(ends, output)))
    finalizable_at = None
    proven = _proven(ends, w)
    if proven is not None:
        step, output_time = proven
        period = int(ends.oracle_view("finalizationPeriodSeconds()"))
        # The portal wants block.timestamp > max(proof, output) + period.
        finalizable_at = max(step.timestamp or 0, output_time) + period + 1
        steps.append((Stage.PROVEN, step))
    finalized, success = _finalized(ends, w)
    if finalizable_at is not None and (finalized is not None or l1_time + 1 >= finalizable_at):
        steps.append((Stage.FINALIZABLE, Step(timestamp=finalizable_at)))
    if finalized is not None:
        steps.append((Stage.FINALIZED, finalized))
    return WithdrawalStatus(w, tuple(steps), output, finalizable_at, l1_time, success)


def _output(ends: Endpoints, l2_block: int) -> OracleOutput | None:
    """The first output at or after ``l2_block``, if the oracle has one."""
    if (
        ends.oracle_view("nextOutputIndex()") == 0
        or ends.oracle_view("latestBlockNumber()") < l2_block
    ):
        return None
    index = int(ends.oracle_view("getL2OutputIndexAfter(uint256)", l2_block))
    return _output_at(ends, index)


def _output_at(ends: Endpoints, index: int) -> OracleOutput:
    root, timestamp, l2_block = ends.oracle_view(
        "getL2Output(uint256)", index, types=("bytes32", "uint128", "uint128")
    )
    return OracleOutput(index, bytes(root), timestamp, l2_block)


def _proposal_step(ends: Endpoints, output: OracleOutput) -> Step:
    topics = [
        hexstr(OUTPUT_PROPOSED),
        hexstr(output.root),
        hexstr(output.index.to_bytes(32, "big")),
    ]
    log = ends.last_log(ends.addresses.l2_output_oracle, topics)
    return Step(
        l1_block=None if log is None else quantity(log["blockNumber"]),
        l2_block=output.l2_block,
        timestamp=output.timestamp,
        transaction_hash=None if log is None else unhex(log["transactionHash"]),
    )


def _proven(ends: Endpoints, w: Withdrawal) -> tuple[Step, int] | None:
    """The proof's step and its output's timestamp, unless there is no proof or the output it
    was proven against has been deleted or replaced (then it must be proven again)."""
    root, timestamp, index = ends.portal_view(
        "provenWithdrawals(bytes32)", w.hash, types=("bytes32", "uint128", "uint128")
    )
    if timestamp == 0 or index >= ends.oracle_view("nextOutputIndex()"):
        return None
    output = _output_at(ends, index)
    if output.root != root:
        return None
    log = ends.last_log(ends.addresses.optimism_portal, [hexstr(WITHDRAWAL_PROVEN), hexstr(w.hash)])
    step = Step(
        l1_block=None if log is None else quantity(log["blockNumber"]),
        timestamp=timestamp,
        transaction_hash=None if log is None else unhex(log["transactionHash"]),
    )
    return step, output.timestamp


def _finalized(ends: Endpoints, w: Withdrawal) -> tuple[Step | None, bool | None]:
    """The finalization's step and the outcome of the portal's call, if finalized."""
    if not ends.portal_view("finalizedWithdrawals(bytes32)", w.hash, types=("bool",)):
        return None, None
    portal = ends.addresses.optimism_portal
    log = ends.last_log(portal, [hexstr(WITHDRAWAL_FINALIZED), hexstr(w.hash)])
    if log is None:  # an L1 that lost its logs: finalized all the same
        return Step(), None
    number = quantity(log["blockNumber"])
    step = Step(
        l1_block=number,
        timestamp=quantity(ends.block(ends.l1, number)["timestamp"]),
        transaction_hash=unhex(log["transactionHash"]),
    )
    return step, bool(decode(["bool"], unhex(log["data"]))[0])
