// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Types} from "../lib/Types.sol";
import {Hashing} from "../lib/Hashing.sol";

/// @title L2ToL1MessagePasser
/// @notice L2 predeploy at 0x4200000000000000000000000000000000000016 that records withdrawals.
///         Each withdrawal's hash is stored in `sentMessages` (storage slot 0), so the L1
///         OptimismPortal can prove it with a storage proof against this contract's storage root,
///         which every output root commits to. ABI and storage layout are the OP Stack's.
/// @dev No constructor and no immutables: the runtime code can be placed in a genesis alloc as is.
contract L2ToL1MessagePasser {
    /// @notice Gas limit of the L1 call for withdrawals started by sending ETH to this contract.
    uint256 internal constant RECEIVE_DEFAULT_GAS_LIMIT = 100_000;

    /// @notice Version of the withdrawal encoding, carried in the top 16 bits of `messageNonce()`.
    uint16 public constant MESSAGE_VERSION = 1;

    /// @notice Withdrawal hashes that have been sent (slot 0; read by L1 storage proofs).
    mapping(bytes32 => bool) public sentMessages;

    /// @notice Count of withdrawals so far (slot 1).
    uint240 internal msgNonce;

    /// @notice Emitted for every withdrawal. `withdrawalHash` is what `sentMessages` records.
    event MessagePassed(
        uint256 indexed nonce,
        address indexed sender,
        address indexed target,
        uint256 value,
        uint256 gasLimit,
        bytes data,
        bytes32 withdrawalHash
    );

    /// @notice Emitted when `burn()` destroys the ETH held by this contract.
    event WithdrawerBalanceBurnt(uint256 indexed amount);

    /// @notice Sending ETH here withdraws it to the same address on L1.
    receive() external payable {
        initiateWithdrawal(msg.sender, RECEIVE_DEFAULT_GAS_LIMIT, bytes(""));
    }

    /// @notice Destroys all ETH held by this contract (the L2 side of withdrawn ETH), so the L2
    ///         supply shrinks by what was withdrawn. Anyone may call it.
    function burn() external {
        uint256 amount = address(this).balance;
        assembly ("memory-safe") {
            // A throwaway contract whose init code is ADDRESS SELFDESTRUCT: created and destroyed in
            // the same transaction (EIP-6780), it takes `balance` with it.
            mstore(0, 0x30ff)
            if iszero(create(amount, 30, 2)) { revert(0, 0) }
        }
        emit WithdrawerBalanceBurnt(amount);
    }

    /// @notice Starts a withdrawal: after an output root covering this block settles on L1, anyone
    ///         can prove and finalize it at the OptimismPortal, which then calls `_target` with
    ///         `msg.value`, `_data` and at least `_gasLimit` gas.
    /// @param _target   L1 address to call.
    /// @param _gasLimit Minimum gas for the L1 call.
    /// @param _data     Calldata of the L1 call.
    function initiateWithdrawal(address _target, uint256 _gasLimit, bytes memory _data) public payable {
        uint256 nonce = messageNonce();
        bytes32 withdrawalHash = Hashing.hashWithdrawal(
            Types.WithdrawalTransaction({
                nonce: nonce,
                sender: msg.sender,
                target: _target,
                value: msg.value,
                gasLimit: _gasLimit,
                data: _data
            })
        );
        sentMessages[withdrawalHash] = true;
        emit MessagePassed(nonce, msg.sender, _target, msg.value, _gasLimit, _data, withdrawalHash);
        unchecked {
            ++msgNonce;
        }
    }

    /// @notice The nonce the next withdrawal gets: `MESSAGE_VERSION << 240 | count`.
    function messageNonce() public view returns (uint256) {
        return Hashing.encodeVersionedNonce(msgNonce, MESSAGE_VERSION);
    }
}
