// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title L1Block
/// @notice L2 predeploy at 0x4200000000000000000000000000000000000015 that holds the L1 origin of
///         the current L2 block. The first transaction of every L2 block, the L1-attributes
///         deposit from the depositor account, writes it with `setL1BlockValuesEcotone()`.
///         ABI, storage layout and calldata packing are the OP Stack's (Ecotone), so contracts and
///         tools written for OP chains read the same values at the same slots.
/// @dev No constructor and no immutables: the runtime code can be placed in a genesis alloc as is.
contract L1Block {
    /// @notice The only account allowed to set the values: the sender of L1-attributes deposits.
    address public constant DEPOSITOR_ACCOUNT = 0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001;

    /// @notice L1 origin number (slot 0, bytes 0-7).
    uint64 public number;

    /// @notice L1 origin timestamp (slot 0, bytes 8-15).
    uint64 public timestamp;

    /// @notice L1 origin base fee (slot 1).
    uint256 public basefee;

    /// @notice L1 origin block hash (slot 2).
    bytes32 public hash;

    /// @notice Number of L2 blocks before this one with the same L1 origin (slot 3, bytes 0-7).
    uint64 public sequenceNumber;

    /// @notice Scalar of the L1 blob base fee in the L1 data fee (slot 3, bytes 8-11).
    uint32 public blobBaseFeeScalar;

    /// @notice Scalar of the L1 base fee in the L1 data fee (slot 3, bytes 12-15).
    uint32 public baseFeeScalar;

    /// @notice The batcher address, left-padded to 32 bytes (slot 4).
    bytes32 public batcherHash;

    /// @notice Pre-Ecotone fee parameters (slots 5 and 6), kept so the layout stays OP's.
    uint256 public l1FeeOverhead;
    uint256 public l1FeeScalar;

    /// @notice L1 origin blob base fee (slot 7).
    uint256 public blobBaseFee;

    /// @notice The caller is not the depositor account.
    error NotDepositor();

    /// @notice Set the L1 origin from packed calldata (164 bytes, no ABI encoding):
    ///         selector(4) baseFeeScalar(4) blobBaseFeeScalar(4) sequenceNumber(8) timestamp(8)
    ///         number(8) basefee(32) blobBaseFee(32) hash(32) batcherHash(32).
    /// @dev The packed fields are laid out so that two 16-byte loads fill slots 0 and 3 whole.
    function setL1BlockValuesEcotone() external {
        if (msg.sender != DEPOSITOR_ACCOUNT) revert NotDepositor();
        assembly {
            // bytes 4-19: baseFeeScalar | blobBaseFeeScalar | sequenceNumber, high to low
            sstore(sequenceNumber.slot, shr(128, calldataload(4)))
            // bytes 20-35: timestamp | number, high to low
            sstore(number.slot, shr(128, calldataload(20)))
            sstore(basefee.slot, calldataload(36))
            sstore(blobBaseFee.slot, calldataload(68))
            sstore(hash.slot, calldataload(100))
            sstore(batcherHash.slot, calldataload(132))
        }
    }
}
