"""Proving and finalizing withdrawals at a rollup's OptimismPortal, over JSON-RPC only.

:class:`Withdrawals` checks a withdrawal's status before it sends anything, so each misuse
(no output yet, proven or finalized already, challenge window still open) is a clear
:class:`~crossroll.errors.WithdrawalError`; whatever the portal itself rejects arrives as
:class:`~crossroll.errors.WithdrawalRejected` with its revert reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ...abc import ClientAPI
from ...chain.rules import L2_TO_L1_MESSAGE_PASSER
from ...errors import (
    AlreadyFinalized,
    AlreadyProven,
    ChallengeWindowNotPassed,
    ExecutionReverted,
    L1TransactionFailed,
    OutputNotProposed,
    WithdrawalError,
    WithdrawalNotFound,
    WithdrawalNotProven,
    WithdrawalRejected,
)
from ...types import DevAccount, Hash32
from .. import transact
from ..abi import calldata, selector
from ..addresses import RollupAddresses
from ..output import OUTPUT_VERSION_V0, output_root
from ..transact import L1Receipt, hexstr, quantity, unhex
from .message import Withdrawal, withdrawals_in
from .status import Endpoints, OracleOutput, Stage, WithdrawalStatus, read_status

_TUPLE = "(uint256,address,address,uint256,uint256,bytes)"
PROVE = f"proveWithdrawalTransaction({_TUPLE},uint256,(bytes32,bytes32,bytes32,bytes32),bytes[])"
FINALIZE = f"finalizeWithdrawalTransaction({_TUPLE})"
#: The Merkle-Patricia verifier's custom errors: how the portal rejects a bad storage proof.
TRIE_ERRORS = {
    selector(s): s.removesuffix("(uint256)").removesuffix("()")
    for s in ("BadNodeHash(uint256)", "ProofTooShort()", "ProofTooLong()", "MalformedNode()",
              "InvalidRLP()")
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class WithdrawalProof:
    """The arguments of ``proveWithdrawalTransaction`` after the withdrawal itself."""

    output_index: int
    output_root_proof: tuple[bytes, bytes, bytes, bytes]
    storage_proof: tuple[bytes, ...]


class Withdrawals:
    """The withdrawals of one rollup: find, read status, prove, finalize.

    ``mine``: after sending, ask the L1 for blocks (``evm_mine``) until the transaction is
    in one, as on a development L1 whose time may be virtual; otherwise wait for it."""

    def __init__(
        self, l1: ClientAPI, l2: ClientAPI, addresses: RollupAddresses, *, mine: bool = True
    ) -> None:
        self.ends = Endpoints(l1, l2, addresses)
        self.chain_id = addresses.chain_id
        self.mine = mine

    # ------------------------------------------------------------------ read
    def find(self, l2_tx_hash: Hash32) -> list[Withdrawal]:
        """Every withdrawal the L2 transaction initiated (WithdrawalNotFound if none)."""
        return withdrawals_in(self.ends.l2, self.chain_id, l2_tx_hash)

    def get(self, l2_tx_hash: Hash32, index: int = 0) -> Withdrawal:
        """The ``index``-th withdrawal of the L2 transaction."""
        found = self.find(l2_tx_hash)
        if not 0 <= index < len(found):
            raise WithdrawalNotFound(
                f"transaction {hexstr(l2_tx_hash)} initiated {len(found)} withdrawal(s); "
                f"there is no index {index}"
            )
        return found[index]

    def status(self, l2_tx_hash: Hash32, index: int = 0) -> WithdrawalStatus:
        return read_status(self.ends, self.get(l2_tx_hash, index))

    def proof(self, w: Withdrawal, output: OracleOutput) -> WithdrawalProof:
        """The output root preimage and the passer's storage proof of ``w`` at the L2 block of
        ``output`` (eth_getProof), checked against the L1's root before use."""
        l2 = self.ends.l2
        block = self.ends.block(l2, output.l2_block)
        tag = hex(output.l2_block)
        got = l2.request("eth_getProof", [hexstr(L2_TO_L1_MESSAGE_PASSER), [hex(w.slot)], tag])
        state_root, block_hash = unhex(block["stateRoot"]), unhex(block["hash"])
        storage_root = unhex(got["storageHash"])
        if output_root(state_root, storage_root, block_hash) != output.root:
            raise WithdrawalError(
                f"output {output.index} on the L1 does not match L2 block {output.l2_block} of "
                f"chain {self.chain_id} (was the L2 reset after the output was proposed?)"
            )
        [slot] = got["storageProof"]
        if quantity(slot["value"]) != 1:
            raise WithdrawalError(
                f"the message passer does not record withdrawal {hexstr(w.hash)} "
                f"at L2 block {output.l2_block}"
            )
        return WithdrawalProof(
            output_index=output.index,
            output_root_proof=(OUTPUT_VERSION_V0, state_root, storage_root, block_hash),
            storage_proof=tuple(unhex(n) for n in slot["proof"]),
        )

    # ----------------------------------------------------------------- write
    def prove(self, l2_tx_hash: Hash32, account: DevAccount, index: int = 0) -> L1Receipt:
        """Prove the withdrawal against the first output that covers it."""
        status = self.status(l2_tx_hash, index)
        if status.reached(Stage.FINALIZED):
            raise AlreadyFinalized(f"withdrawal {_name(status)} is already finalized")
        if status.reached(Stage.PROVEN):
            raise AlreadyProven(f"withdrawal {_name(status)} is already proven; {_when(status)}")
        if status.output is None:
            latest = "none"
            if self.ends.oracle_view("nextOutputIndex()") > 0:
                latest = f"L2 block {self.ends.oracle_view('latestBlockNumber()')}"
            raise OutputNotProposed(
                f"no output on the L1 covers L2 block {status.withdrawal.l2_block} of chain "
                f"{self.chain_id} yet (the oracle's latest output: {latest})"
            )
        proof = self.proof(status.withdrawal, status.output)
        return self.send_proof(status.withdrawal, proof, account)

    def send_proof(self, w: Withdrawal, proof: WithdrawalProof, account: DevAccount) -> L1Receipt:
        """``proveWithdrawalTransaction`` with exactly these arguments, no checks of ours."""
        data = calldata(
            PROVE,
            w.abi_tuple,
            proof.output_index,
            proof.output_root_proof,
            list(proof.storage_proof),
        )
        return self._send(account, data, "proveWithdrawalTransaction")

    def finalize(
        self, l2_tx_hash: Hash32, account: DevAccount, index: int = 0, *, check: bool = True
    ) -> L1Receipt:
        """Finalize a proven withdrawal whose challenge window has passed; ``check=False``
        leaves every check to the portal."""
        if check:
            status = self.status(l2_tx_hash, index)
            if status.reached(Stage.FINALIZED):
                raise AlreadyFinalized(f"withdrawal {_name(status)} is already finalized")
            if not status.reached(Stage.PROVEN):
                raise WithdrawalNotProven(f"withdrawal {_name(status)} is not proven yet")
            if not status.reached(Stage.FINALIZABLE):
                raise ChallengeWindowNotPassed(
                    f"the challenge window of withdrawal {_name(status)} has not passed; "
                    + _when(status),
                    data={"finalizableAt": status.finalizable_at, "l1Time": status.l1_time},
                )
            w = status.withdrawal
            self._check_portal_funds(w)
        else:
            w = self.get(l2_tx_hash, index)
        return self._send(account, calldata(FINALIZE, w.abi_tuple), "finalizeWithdrawalTransaction")

    def _check_portal_funds(self, w: Withdrawal) -> None:
        """A withdrawal is finalized once, even when the portal's call fails, so one the
        portal cannot pay would be lost: it pays out only ETH deposited through it."""
        portal = self.ends.addresses.optimism_portal
        held = quantity(self.ends.l1.request("eth_getBalance", [hexstr(portal), "latest"]))
        if held < w.value:
            raise WithdrawalError(
                f"the portal of chain {self.chain_id} holds {held} wei, less than the "
                f"{w.value} wei of withdrawal {hexstr(w.hash)}: finalizing now would lose it "
                "(the L2's genesis ETH is not backed on the L1; deposit first)",
                data={"portalBalance": held, "value": w.value},
            )

    def _send(self, account: DevAccount, data: bytes, what: str) -> L1Receipt:
        portal = self.ends.addresses.optimism_portal
        try:
            tx_hash = transact.send(self.ends.l1, account, portal, data)
            [receipt] = transact.wait(self.ends.l1, [tx_hash], mine=self.mine)
        except ExecutionReverted as exc:
            raise WithdrawalRejected(
                f"the L1 rejected {what}: {_reason(exc)}", data=exc.data
            ) from None
        except L1TransactionFailed as exc:
            raise WithdrawalRejected(f"{what}: {exc.message}", data=exc.data) from None
        return receipt


def _reason(exc: ExecutionReverted) -> str:
    data = unhex(exc.data) if isinstance(exc.data, str) and exc.data.startswith("0x") else b""
    name = TRIE_ERRORS.get(data[:4])
    if name is None:
        return exc.message.removeprefix("execution reverted").lstrip(": ") or "no reason"
    where = f" at node {int.from_bytes(data[4:36], 'big')}" if name == "BadNodeHash" else ""
    return f"invalid storage proof ({name}{where})"


def _name(status: WithdrawalStatus) -> str:
    return hexstr(status.withdrawal.hash)


def _when(status: WithdrawalStatus) -> str:
    """When the withdrawal can be finalized, in L1 time."""
    at = status.finalizable_at
    if at is None:
        return "it is not proven"
    iso = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    wait = at - status.l1_time - 1
    if wait <= 0:
        return f"finalizable since {iso}"
    return f"finalizable at L1 time {at} ({iso}), {wait} s after the L1's latest block"
