// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title RLPReader
/// @notice A strict, in-place RLP decoder for Merkle-Patricia trie nodes. Items are (pointer, length)
///         views into memory; nothing is copied until `readBytes`. Every header is bounds-checked and
///         non-canonical encodings (a single byte < 0x80 wrapped in a string header, long-form lengths
///         below 56, length prefixes with leading zeros) are rejected.
library RLPReader {
    /// @notice A view of one RLP item in memory.
    /// @custom:field ptr Memory address of the item's first (header) byte.
    /// @custom:field len Length of the whole encoding, header included.
    struct Item {
        uint256 ptr;
        uint256 len;
    }

    /// @notice The input is not a single canonical RLP item of the expected kind.
    error InvalidRLP();

    /// @notice A view of `_data`, which must be exactly one RLP item (no trailing bytes).
    function toItem(bytes memory _data) internal pure returns (Item memory item) {
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(_data, 32)
        }
        item = Item(ptr, _data.length);
        (uint256 offset, uint256 len,) = header(item);
        if (offset + len != _data.length) revert InvalidRLP();
        item.len = offset + len;
    }

    /// @notice Decodes the header of `_item`: payload offset, payload length and whether it is a list.
    ///         Reverts unless the payload fits inside `_item.len` bytes.
    function header(Item memory _item) internal pure returns (uint256 offset, uint256 len, bool isList) {
        uint256 avail = _item.len;
        if (avail == 0) revert InvalidRLP();
        uint256 ptr = _item.ptr;
        uint256 b0;
        assembly ("memory-safe") {
            b0 := byte(0, mload(ptr))
        }
        if (b0 < 0x80) return (0, 1, false);
        if (b0 < 0xb8) {
            (offset, len) = (1, b0 - 0x80);
        } else if (b0 < 0xc0) {
            (offset, len) = _longLength(ptr, avail, b0 - 0xb7);
        } else if (b0 < 0xf8) {
            (offset, len, isList) = (1, b0 - 0xc0, true);
        } else {
            (offset, len) = _longLength(ptr, avail, b0 - 0xf7);
            isList = true;
        }
        if (offset + len > avail) revert InvalidRLP();
        if (!isList && len == 1) {
            uint256 b1;
            assembly ("memory-safe") {
                b1 := byte(0, mload(add(ptr, 1)))
            }
            if (b1 < 0x80) revert InvalidRLP(); // must have been encoded as the byte itself
        }
    }

    /// @notice The items of the list `_item`, which must exactly fill its payload.
    function readList(Item memory _item) internal pure returns (Item[] memory items) {
        (uint256 offset, uint256 len, bool isList) = header(_item);
        if (!isList) revert InvalidRLP();
        uint256 start = _item.ptr + offset;
        uint256 end = start + len;
        uint256 count;
        for (uint256 p = start; p < end; count++) {
            p += itemSize(p, end - p);
        }
        items = new Item[](count);
        uint256 q = start;
        for (uint256 i; i < count; i++) {
            uint256 size = itemSize(q, end - q);
            items[i] = Item(q, size);
            q += size;
        }
    }

    /// @notice The payload of the string item `_item`, copied to a new `bytes`.
    function readBytes(Item memory _item) internal pure returns (bytes memory out) {
        (uint256 offset, uint256 len, bool isList) = header(_item);
        if (isList) revert InvalidRLP();
        out = new bytes(len);
        uint256 src = _item.ptr + offset;
        assembly ("memory-safe") {
            mcopy(add(out, 32), src, len)
        }
    }

    /// @notice Length of the whole encoding of the item at `_ptr`, which must fit in `_avail` bytes.
    function itemSize(uint256 _ptr, uint256 _avail) internal pure returns (uint256) {
        (uint256 offset, uint256 len,) = header(Item(_ptr, _avail));
        return offset + len;
    }

    function _longLength(uint256 _ptr, uint256 _avail, uint256 _lenOfLen)
        private
        pure
        returns (uint256 offset, uint256 len)
    {
        // _lenOfLen is 1..8, so len < 2^64 and offset + len cannot overflow.
        offset = 1 + _lenOfLen;
        if (offset > _avail) revert InvalidRLP();
        uint256 first;
        assembly ("memory-safe") {
            let word := mload(add(_ptr, 1))
            first := byte(0, word)
            len := shr(mul(8, sub(32, _lenOfLen)), word)
        }
        if (first == 0 || len < 56) revert InvalidRLP();
    }
}
