// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISettledInbox, SettledProof} from "./ISettled.sol";
import {MessageTree} from "../../lib/MessageTree.sol";

/// @title SettledInbox
/// @notice crossroll predeploy 0x42000000000000000000000000000000000007a1: the global roots this
///         rollup learned from the L1 SettlementHub (set by a system deposit of the rollup node
///         right after the L1-attributes deposit), and the settled-path check the messenger's
///         `relaySettledMessage` calls: the message leaf proves to the source rollup's outbox
///         root, whose rollup leaf proves to a known global root.
/// @dev Storage: slot 0 knownRoots, slot 1 latestGlobalRoot. No constructor: genesis code as is.
contract SettledInbox is ISettledInbox {
    /// @notice The sender of the rollup node's system deposits (OP's L1-attributes depositor).
    address internal constant DEPOSITOR_ACCOUNT = 0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001;

    /// @inheritdoc ISettledInbox
    mapping(bytes32 => uint256) public knownRoots;

    /// @inheritdoc ISettledInbox
    bytes32 public latestGlobalRoot;

    /// @notice The caller is not the depositor account.
    error NotDepositor();
    /// @notice The proof names the zero root.
    error ZeroRoot();
    /// @notice The proof's global root never reached this rollup.
    error UnknownRoot(bytes32 globalRoot);
    /// @notice A proof does not have exactly DEPTH siblings.
    error ProofLength();
    /// @notice A leaf or rollup index is not below 2^DEPTH.
    error IndexOutOfRange();
    /// @notice The message, its source and the proofs do not lead to the global root.
    error RootMismatch();

    /// @inheritdoc ISettledInbox
    function setGlobalRoot(bytes32 _globalRoot) external {
        if (msg.sender != DEPOSITOR_ACCOUNT) revert NotDepositor();
        if (_globalRoot == bytes32(0)) return; // the hub has proven nothing yet
        latestGlobalRoot = _globalRoot;
        // A root keeps the time it was first learned.
        if (knownRoots[_globalRoot] != 0) return;
        knownRoots[_globalRoot] = block.timestamp;
        emit GlobalRootSet(_globalRoot, block.timestamp);
    }

    /// @inheritdoc ISettledInbox
    function verifyMessage(uint256 _source, bytes32 _msgHash, SettledProof calldata _proof) external view {
        if (_proof.globalRoot == bytes32(0)) revert ZeroRoot();
        if (knownRoots[_proof.globalRoot] == 0) revert UnknownRoot(_proof.globalRoot);
        if (_proof.outboxProof.length != MessageTree.DEPTH || _proof.rollupProof.length != MessageTree.DEPTH) {
            revert ProofLength();
        }
        if (_proof.leafIndex >= MessageTree.MAX_LEAVES || _proof.rollupIndex >= MessageTree.MAX_LEAVES) {
            revert IndexOutOfRange();
        }
        bytes32 outboxRoot =
            MessageTree.rootFromProof(MessageTree.leaf(_msgHash), _proof.outboxProof, _proof.leafIndex);
        bytes32 globalRoot = MessageTree.rootFromProof(
            MessageTree.rollupLeaf(_source, outboxRoot), _proof.rollupProof, _proof.rollupIndex
        );
        if (globalRoot != _proof.globalRoot) revert RootMismatch();
    }
}
