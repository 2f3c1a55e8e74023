// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MessageTree
/// @notice Hashing of crossroll's settled-path Merkle trees (depth 32, eth2-deposit-contract
///         style, with domain-separated hashing so a leaf can never pass for an inner node):
///           leaf(msgHash)                 = keccak256(0x00 ‖ msgHash)
///           node(left, right)             = keccak256(0x01 ‖ left ‖ right)
///           rollupLeaf(chainId, outboxRoot) = keccak256(0x02 ‖ uint256 chainId ‖ outboxRoot)
///           zero[0] = bytes32(0), zero[h + 1] = node(zero[h], zero[h])
///         A proof is exactly DEPTH siblings, leaf level first; bit h of the index says whether
///         the path is the right child at height h.
library MessageTree {
    /// @notice Height of both trees (the outbox and the L1 hub's rollup tree).
    uint256 internal constant DEPTH = 32;

    /// @notice Leaf indexes are below 2^DEPTH.
    uint256 internal constant MAX_LEAVES = 1 << DEPTH;

    function leaf(bytes32 _msgHash) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore8(0, 0x00)
            mstore(1, _msgHash)
            h := keccak256(0, 33)
        }
    }

    function node(bytes32 _left, bytes32 _right) internal pure returns (bytes32 h) {
        // 65 bytes do not fit the scratch space: hash them in free memory, left unallocated.
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore8(m, 0x01)
            mstore(add(m, 1), _left)
            mstore(add(m, 33), _right)
            h := keccak256(m, 65)
        }
    }

    function rollupLeaf(uint256 _chainId, bytes32 _outboxRoot) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x02), _chainId, _outboxRoot));
    }

    /// @notice The root reached from `_leaf` at `_index` with `_proof` (DEPTH siblings; the
    ///         caller checks the length and the index range).
    function rootFromProof(bytes32 _leaf, bytes32[] calldata _proof, uint256 _index)
        internal
        pure
        returns (bytes32 cur)
    {
        cur = _leaf;
        for (uint256 h; h < DEPTH; h++) {
            cur = (_index >> h) & 1 == 1 ? node(_proof[h], cur) : node(cur, _proof[h]);
        }
    }

    /// @notice Root of the tree whose first leaves are `_leaves` (the rest empty).
    /// @dev Hashes the leaves level by level in place, padding with the zero subtree of each
    ///      height: O(n) hashes plus DEPTH, for the L1 hub's few rollup leaves.
    function rootOf(bytes32[] memory _leaves) internal pure returns (bytes32) {
        bytes32[] memory layer = new bytes32[](_leaves.length);
        for (uint256 i; i < _leaves.length; i++) {
            layer[i] = _leaves[i];
        }
        uint256 n = _leaves.length;
        bytes32 zero;
        for (uint256 h; h < DEPTH; h++) {
            uint256 parents = (n + 1) / 2;
            for (uint256 i; i < parents; i++) {
                bytes32 right = 2 * i + 1 < n ? layer[2 * i + 1] : zero;
                layer[i] = node(layer[2 * i], right);
            }
            n = parents;
            zero = node(zero, zero);
        }
        return n == 0 ? zero : layer[0];
    }
}
