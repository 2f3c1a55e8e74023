// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Types} from "./Types.sol";

/// @title Hashing
/// @notice The commitments the L1 and L2 settlement contracts agree on (same encodings as the OP Stack).
library Hashing {
    /// @notice Hash of a withdrawal: keccak256(abi.encode(nonce, sender, target, value, gasLimit, data)).
    function hashWithdrawal(Types.WithdrawalTransaction memory _tx) internal pure returns (bytes32) {
        return keccak256(abi.encode(_tx.nonce, _tx.sender, _tx.target, _tx.value, _tx.gasLimit, _tx.data));
    }

    /// @notice Output root: keccak256(abi.encode(version, stateRoot, messagePasserStorageRoot, latestBlockhash)).
    function hashOutputRootProof(Types.OutputRootProof memory _proof) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(_proof.version, _proof.stateRoot, _proof.messagePasserStorageRoot, _proof.latestBlockhash)
        );
    }

    /// @notice Nonce with a version in its top 16 bits, as the L2ToL1MessagePasser reports it.
    function encodeVersionedNonce(uint240 _nonce, uint16 _version) internal pure returns (uint256) {
        return (uint256(_version) << 240) | uint256(_nonce);
    }

    /// @notice Splits a versioned nonce into (nonce, version).
    function decodeVersionedNonce(uint256 _nonce) internal pure returns (uint240 nonce, uint16 version) {
        nonce = uint240(_nonce);
        version = uint16(_nonce >> 240);
    }
}
