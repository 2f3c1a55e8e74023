"""OP's v0 output root: what the proposer posts and the portal proves withdrawals against.

    outputRoot = keccak256(version ‖ stateRoot ‖ messagePasserStorageRoot ‖ latestBlockhash)

with ``version = bytes32(0)``; ``messagePasserStorageRoot`` is the storage root of the
L2ToL1MessagePasser predeploy, whose slots record every initiated withdrawal.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_hash.auto import keccak

from ..abc import ChainAPI
from ..chain.rules import L2_TO_L1_MESSAGE_PASSER
from ..types import Hash32

OUTPUT_VERSION_V0 = b"\x00" * 32


def output_root(
    state_root: Hash32, message_passer_storage_root: Hash32, block_hash: Hash32
) -> Hash32:
    return keccak(OUTPUT_VERSION_V0 + state_root + message_passer_storage_root + block_hash)


@dataclass(frozen=True, slots=True)
class Output:
    """The output of one L2 block, with the preimage of its root."""

    block_number: int
    block_hash: Hash32
    state_root: Hash32
    message_passer_storage_root: Hash32
    timestamp: int

    @property
    def root(self) -> Hash32:
        return output_root(self.state_root, self.message_passer_storage_root, self.block_hash)

    @property
    def proof(self) -> tuple[Hash32, Hash32, Hash32, Hash32]:
        """The portal's ``OutputRootProof`` (version, stateRoot, messagePasserStorageRoot,
        latestBlockhash), as proveWithdrawalTransaction takes it."""
        return (
            OUTPUT_VERSION_V0,
            self.state_root,
            self.message_passer_storage_root,
            self.block_hash,
        )


def output_at(chain: ChainAPI, block_number: int) -> Output:
    """The output of L2 block ``block_number`` (UnknownBlock if the chain lacks it)."""
    header = chain.block(block_number).header
    passer = chain.proof(L2_TO_L1_MESSAGE_PASSER, [], block_number)
    return Output(
        block_number=header.number,
        block_hash=header.hash,
        state_root=header.state_root,
        message_passer_storage_root=passer.storage_hash,
        timestamp=header.timestamp,
    )
