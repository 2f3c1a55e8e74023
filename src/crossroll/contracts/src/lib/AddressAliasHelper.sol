// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title AddressAliasHelper
/// @notice L1 contracts appear on L2 under an alias: their address plus
///         0x1111000000000000000000000000000000001111 (mod 2^160), so an L1 contract cannot pose as
///         an L2 account with the same address.
library AddressAliasHelper {
    uint160 internal constant OFFSET = uint160(0x1111000000000000000000000000000000001111);

    /// @notice The L2 alias of an L1 address.
    function applyL1ToL2Alias(address _l1Address) internal pure returns (address) {
        unchecked {
            return address(uint160(_l1Address) + OFFSET);
        }
    }

    /// @notice The L1 address behind an L2 alias.
    function undoL1ToL2Alias(address _l2Address) internal pure returns (address) {
        unchecked {
            return address(uint160(_l2Address) - OFFSET);
        }
    }
}
