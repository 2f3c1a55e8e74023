// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice A settled-path proof that a message was sent on a source rollup: the message leaf
///         to that rollup's outbox root (depth 32), then the rollup leaf to a global root
///         (depth 32) that the L1 combined from settled outbox roots and synced to this rollup.
struct SettledProof {
    bytes32 globalRoot;
    uint256 leafIndex;
    bytes32[] outboxProof;
    uint256 rollupIndex;
    bytes32[] rollupProof;
}

/// @notice Append-only depth-32 Merkle tree of the message hashes a rollup sent (crossroll
///         predeploy 0x42000000000000000000000000000000000007a0).
interface IMessageOutbox {
    event MessageAppended(uint256 indexed index, bytes32 indexed msgHash, bytes32 root);

    /// @notice Append a message hash; only the L2ToL2CrossDomainMessenger may call it.
    function append(bytes32 _msgHash) external returns (uint256 index_);

    /// @notice The current root (slot 0, so the L1 can prove it against an output root).
    function root() external view returns (bytes32);

    /// @notice Number of leaves.
    function count() external view returns (uint256);
}

/// @notice The global roots this rollup learned from the L1, and the settled-path check
///         (crossroll predeploy 0x42000000000000000000000000000000000007a1).
interface ISettledInbox {
    event GlobalRootSet(bytes32 indexed globalRoot, uint256 timestamp);

    /// @notice Record a global root; only the L1-attributes depositor account may call it.
    function setGlobalRoot(bytes32 _globalRoot) external;

    /// @notice L2 timestamp at which a global root became known (0: unknown).
    function knownRoots(bytes32 _globalRoot) external view returns (uint256);

    function latestGlobalRoot() external view returns (bytes32);

    /// @notice Revert unless `_msgHash` was sent on `_source` under a known, non-zero global root.
    function verifyMessage(uint256 _source, bytes32 _msgHash, SettledProof calldata _proof) external view;
}
