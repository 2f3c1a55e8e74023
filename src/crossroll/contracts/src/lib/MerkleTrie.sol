// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RLPReader} from "./RLPReader.sol";

/// @title MerkleTrie
/// @notice Verifies Ethereum Merkle-Patricia trie proofs in the EIP-1186 (`eth_getProof`) format: the
///         RLP-encoded nodes on the path from the root, root first. A node whose encoding is shorter
///         than 32 bytes is embedded in its parent and is NOT a separate proof element. Proofs of
///         presence and of absence are both accepted; anything malformed reverts.
library MerkleTrie {
    /// @notice Root of the empty trie: keccak256(rlp("")).
    bytes32 internal constant EMPTY_TRIE_ROOT = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;

    /// @notice The proof ends before the key's path is resolved.
    error ProofTooShort();
    /// @notice The proof has elements after the node that decides the key.
    error ProofTooLong();
    /// @notice Proof element `index` does not hash to the reference its parent (or the root) holds.
    error BadNodeHash(uint256 index);
    /// @notice A node on the path is not a valid branch, extension or leaf node.
    error MalformedNode();

    /// @dev Position in the key while walking down the trie.
    struct Walk {
        uint256 keyPtr; // memory address of the key's bytes
        uint256 pathLen; // the key's length in nibbles
        uint256 pathIdx; // nibbles consumed so far
    }

    /// @notice Looks `_key` up in the trie with root `_root`.
    /// @return exists Whether the key is in the trie (false only for a valid proof of absence).
    /// @return value  The stored value (the leaf's byte string), empty when absent.
    function get(bytes memory _key, bytes[] memory _proof, bytes32 _root)
        internal
        pure
        returns (bool exists, bytes memory value)
    {
        if (_proof.length == 0) {
            if (_root == EMPTY_TRIE_ROOT) return (false, "");
            revert ProofTooShort();
        }
        uint256 keyPtr;
        assembly ("memory-safe") {
            keyPtr := add(_key, 32)
        }
        Walk memory walk = Walk(keyPtr, _key.length * 2, 0);
        RLPReader.Item memory node = _fetch(_proof, 0, _root);
        uint256 used = 1; // proof elements consumed so far
        while (true) {
            (bool done, RLPReader.Item memory next) = _step(walk, node);
            if (done) {
                if (used != _proof.length) revert ProofTooLong();
                if (next.len == 0) return (false, "");
                return (true, RLPReader.readBytes(next));
            }
            (, uint256 len, bool isList) = RLPReader.header(next);
            if (isList) {
                if (next.len >= 32) revert MalformedNode(); // only short nodes are embedded
                node = next;
            } else if (len == 0) {
                if (used != _proof.length) revert ProofTooLong();
                return (false, ""); // empty branch slot: the key is absent
            } else if (len == 32) {
                bytes32 ref;
                uint256 p = next.ptr + 1;
                assembly ("memory-safe") {
                    ref := mload(p)
                }
                node = _fetch(_proof, used, ref);
                used++;
            } else {
                revert MalformedNode();
            }
        }
    }

    /// @dev Processes one node. Returns (true, value item) when the node decides the lookup -- a
    ///      zero-length item meaning "absent" -- or (false, reference to the next node).
    function _step(Walk memory _walk, RLPReader.Item memory _node)
        private
        pure
        returns (bool done, RLPReader.Item memory next)
    {
        // A branch continues at the child for the next nibble, or ends at its value slot (16).
        uint256 want = _walk.pathIdx < _walk.pathLen ? _nibble(_walk.keyPtr, _walk.pathIdx) : 16;
        (uint256 count, RLPReader.Item memory first, RLPReader.Item memory second, RLPReader.Item memory wanted) =
            _scan(_node, want);
        if (count == 17) {
            if (want == 16) return (true, _isEmpty(wanted) ? next : wanted);
            _walk.pathIdx++;
            return (false, wanted);
        }
        if (count != 2) revert MalformedNode();
        (bool isLeaf, uint256 nibbles, bool matches) = _matchPath(first, _walk.keyPtr, _walk.pathIdx, _walk.pathLen);
        if (isLeaf) {
            if (!matches || _walk.pathIdx + nibbles != _walk.pathLen) return (true, next); // absent
            if (_isEmpty(second)) revert MalformedNode(); // leaves never hold empty values
            return (true, second);
        }
        // An extension has a non-empty path and always leads to a branch.
        if (nibbles == 0 || _isEmpty(second)) revert MalformedNode();
        if (!matches) return (true, next); // the key leaves the trie inside the extension: absent
        _walk.pathIdx += nibbles;
        return (false, second);
    }

    /// @notice Whether `_proof` shows that `_key` maps to exactly `_value` under `_root`.
    ///         Reverts on malformed proofs; returns false for valid proofs of absence or other values.
    function verifyInclusionProof(bytes memory _key, bytes memory _value, bytes[] memory _proof, bytes32 _root)
        internal
        pure
        returns (bool)
    {
        (bool exists, bytes memory value) = get(_key, _proof, _root);
        return exists && keccak256(value) == keccak256(_value);
    }

    function _fetch(bytes[] memory _proof, uint256 _index, bytes32 _hash)
        private
        pure
        returns (RLPReader.Item memory)
    {
        if (_index >= _proof.length) revert ProofTooShort();
        if (keccak256(_proof[_index]) != _hash) revert BadNodeHash(_index);
        return RLPReader.toItem(_proof[_index]);
    }

    /// @dev One pass over the list `_node`: its item count, its first two items and item `_want`.
    function _scan(RLPReader.Item memory _node, uint256 _want)
        private
        pure
        returns (uint256 count, RLPReader.Item memory first, RLPReader.Item memory second, RLPReader.Item memory wanted)
    {
        (uint256 offset, uint256 len, bool isList) = RLPReader.header(_node);
        if (!isList) revert RLPReader.InvalidRLP();
        uint256 p = _node.ptr + offset;
        uint256 end = p + len;
        while (p < end) {
            uint256 size = RLPReader.itemSize(p, end - p);
            if (count == 0) first = RLPReader.Item(p, size);
            else if (count == 1) second = RLPReader.Item(p, size);
            if (count == _want) wanted = RLPReader.Item(p, size);
            p += size;
            count++;
        }
    }

    function _isEmpty(RLPReader.Item memory _item) private pure returns (bool) {
        (, uint256 len, bool isList) = RLPReader.header(_item);
        return !isList && len == 0;
    }

    /// @dev Nibble `_i` of the bytes at memory address `_ptr` (high nibble first).
    function _nibble(uint256 _ptr, uint256 _i) private pure returns (uint256 n) {
        assembly ("memory-safe") {
            let b := byte(0, mload(add(_ptr, shr(1, _i))))
            n := and(shr(mul(4, iszero(and(_i, 1))), b), 0x0f)
        }
    }

    /// @dev Whether nibbles [_aFrom, _aFrom + _n) at `_a` equal nibbles [_bFrom, _bFrom + _n) at `_b`.
    function _sameNibbles(uint256 _a, uint256 _aFrom, uint256 _b, uint256 _bFrom, uint256 _n)
        private
        pure
        returns (bool)
    {
        for (uint256 i; i < _n; i++) {
            if (_nibble(_a, _aFrom + i) != _nibble(_b, _bFrom + i)) return false;
        }
        return true;
    }

    /// @dev Decodes the path of a leaf or extension node and checks it against the key's nibbles
    ///      [_pathIdx, ...): whether it is a leaf, its length in nibbles, and whether it is a prefix
    ///      of the rest of the key.
    function _matchPath(RLPReader.Item memory _encoded, uint256 _keyPtr, uint256 _pathIdx, uint256 _pathLen)
        private
        pure
        returns (bool isLeaf, uint256 nibbles, bool matches)
    {
        uint256 ptr;
        uint256 start;
        (isLeaf, ptr, start, nibbles) = _decodeCompact(_encoded);
        matches = nibbles <= _pathLen - _pathIdx && _sameNibbles(ptr, start, _keyPtr, _pathIdx, nibbles);
    }

    /// @dev Decodes a hex-prefix (compact) encoded path in place: whether it ends in a leaf, and its
    ///      nibbles as (memory address of the encoding, index of the first nibble, nibble count).
    function _decodeCompact(RLPReader.Item memory _item)
        private
        pure
        returns (bool isLeaf, uint256 ptr, uint256 start, uint256 nibbles)
    {
        (uint256 offset, uint256 len, bool isList) = RLPReader.header(_item);
        if (isList || len == 0) revert MalformedNode();
        ptr = _item.ptr + offset;
        uint256 flag = _nibble(ptr, 0);
        if (flag > 3) revert MalformedNode();
        isLeaf = flag >= 2;
        if (flag & 1 == 1) {
            (start, nibbles) = (1, 2 * len - 1);
        } else {
            if (_nibble(ptr, 1) != 0) revert MalformedNode();
            (start, nibbles) = (2, 2 * len - 2);
        }
    }
}

/// @title SecureMerkleTrie
/// @notice MerkleTrie for "secure" tries (state and storage tries), whose paths are keccak256(key).
library SecureMerkleTrie {
    /// @notice Looks `_key` up; the trie path is keccak256(_key).
    function get(bytes memory _key, bytes[] memory _proof, bytes32 _root)
        internal
        pure
        returns (bool exists, bytes memory value)
    {
        return MerkleTrie.get(abi.encodePacked(keccak256(_key)), _proof, _root);
    }

    /// @notice Whether `_proof` shows that `_key` maps to exactly `_value` under `_root`.
    function verifyInclusionProof(bytes memory _key, bytes memory _value, bytes[] memory _proof, bytes32 _root)
        internal
        pure
        returns (bool)
    {
        return MerkleTrie.verifyInclusionProof(abi.encodePacked(keccak256(_key)), _value, _proof, _root);
    }
}
