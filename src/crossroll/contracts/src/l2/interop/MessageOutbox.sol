// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMessageOutbox} from "./ISettled.sol";
import {MessageTree} from "../../lib/MessageTree.sol";

/// @title MessageOutbox
/// @notice crossroll predeploy 0x42000000000000000000000000000000000007a0: the append-only
///         depth-32 Merkle tree of the hashes of the cross-rollup messages this rollup sent
///         (the L2ToL2CrossDomainMessenger appends each one). The L1 SettlementHub proves slot 0
///         (the root) against a finalized output root; messages then relay on other rollups
///         with a Merkle proof instead of a trusted relay (the settled path).
/// @dev Storage: slot 0 root, slot 1 count, slots 2-33 the eth2 deposit contract's `branch`
///      (the left siblings of the next leaf's path). No constructor: genesis code as is. Before
///      the first append slot 0 is zero (not the empty tree's root): nothing to prove yet.
contract MessageOutbox is IMessageOutbox {
    /// @notice The only account allowed to append.
    address internal constant L2_TO_L2_MESSENGER = 0x4200000000000000000000000000000000000023;

    /// @notice The eth2 deposit contract's bound: the branch update needs one set bit below DEPTH.
    uint256 internal constant MAX_COUNT = MessageTree.MAX_LEAVES - 1;

    bytes32 public root;
    uint256 public count;
    bytes32[32] internal branch;

    /// @notice The caller is not the L2ToL2CrossDomainMessenger.
    error NotMessenger();
    /// @notice The tree holds MAX_COUNT leaves.
    error TreeFull();

    /// @inheritdoc IMessageOutbox
    function append(bytes32 _msgHash) external returns (uint256 index_) {
        if (msg.sender != L2_TO_L2_MESSENGER) revert NotMessenger();
        index_ = count;
        if (index_ >= MAX_COUNT) revert TreeFull();
        uint256 size = index_ + 1;
        count = size;

        // Fold the new leaf into the branch: it stops at the first height where the path turns
        // left, which exists because size < 2^DEPTH.
        bytes32 cur = MessageTree.leaf(_msgHash);
        for (uint256 h; h < MessageTree.DEPTH; h++) {
            if ((size >> h) & 1 == 1) {
                branch[h] = cur;
                break;
            }
            cur = MessageTree.node(branch[h], cur);
        }

        bytes32 newRoot = _root(size);
        root = newRoot;
        emit MessageAppended(index_, _msgHash, newRoot);
    }

    /// @dev The root over `_size` leaves: branch nodes on the left, empty subtrees on the right.
    function _root(uint256 _size) internal view returns (bytes32 cur) {
        bytes32 zero;
        for (uint256 h; h < MessageTree.DEPTH; h++) {
            cur = (_size >> h) & 1 == 1 ? MessageTree.node(branch[h], cur) : MessageTree.node(cur, zero);
            zero = MessageTree.node(zero, zero);
        }
    }
}
