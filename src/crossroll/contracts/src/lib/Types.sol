// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Types
/// @notice The structs shared by the settlement contracts. Field order and types follow the OP Stack
///         (`Types.sol` of contracts-bedrock), so ABI-encoded tuples are interchangeable with OP tooling.
library Types {
    /// @notice An output commitment stored by the L2OutputOracle.
    /// @custom:field outputRoot    Hash of the L2 output (see `Hashing.hashOutputRootProof`).
    /// @custom:field timestamp     L1 timestamp of the block the output was proposed in.
    /// @custom:field l2BlockNumber L2 block number the output commits to.
    struct OutputProposal {
        bytes32 outputRoot;
        uint128 timestamp;
        uint128 l2BlockNumber;
    }

    /// @notice The preimage of a version-0 output root.
    struct OutputRootProof {
        bytes32 version;
        bytes32 stateRoot;
        bytes32 messagePasserStorageRoot;
        bytes32 latestBlockhash;
    }

    /// @notice A withdrawal as recorded by the L2ToL1MessagePasser and executed by the OptimismPortal.
    struct WithdrawalTransaction {
        uint256 nonce;
        address sender;
        address target;
        uint256 value;
        uint256 gasLimit;
        bytes data;
    }
}
