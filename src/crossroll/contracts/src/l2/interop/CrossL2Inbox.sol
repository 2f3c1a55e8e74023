// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Points at a log (an initiating message) on some chain. ABI as OP interop's.
struct Identifier {
    address origin;
    uint256 blockNumber;
    uint256 logIndex;
    uint256 timestamp;
    uint256 chainId;
}

/// @notice What other contracts call on the CrossL2Inbox.
interface ICrossL2Inbox {
    function validateMessage(Identifier calldata _id, bytes32 _msgHash) external;

    function calculateChecksum(Identifier memory _id, bytes32 _msgHash) external pure returns (bytes32);
}

/// @title CrossL2Inbox
/// @notice L2 predeploy at 0x4200000000000000000000000000000000000022: the entry point of OP
///         interop's executing messages. `validateMessage` emits `ExecutingMessage` only if the
///         transaction pre-declared the message in its EIP-2930 access list (an entry for this
///         contract whose storage key is the message checksum), so the sequencer, the tx pool
///         and verifiers can check every executing message before running the transaction.
///         ABI, errors and checksum are OP's (specs/interop/predeploys.md, "Access-list").
/// @dev The declaration is detected by gas introspection: an access-listed slot is warm, so
///      its SLOAD costs 100 gas instead of 2100. Nothing else in this contract reads storage,
///      so nothing but the access list can warm a checksum slot; a reverted frame's warm slots
///      are rolled back with it. Deposit transactions carry no access list, so every call from
///      a deposit reverts with `NotInAccessList` (the spec's "deposit handling"); no L1Block
///      flag is needed. No constructor and no immutables (the runtime code sits in genesis).
contract CrossL2Inbox {
    /// @notice The checksum's slot was not warm: the transaction did not declare the message.
    error NotInAccessList();

    /// @notice The identifier's block number does not fit in 64 bits.
    error BlockNumberTooHigh();

    /// @notice The identifier's timestamp does not fit in 64 bits.
    error TimestampTooHigh();

    /// @notice The identifier's log index does not fit in 32 bits.
    error LogIndexTooHigh();

    /// @notice Emitted for every executing message.
    /// @param msgHash keccak256 of the message payload (the log's topics then its data).
    /// @param id      Where the initiating message is.
    event ExecutingMessage(bytes32 indexed msgHash, Identifier id);

    /// @notice Version of OP's CrossL2Inbox whose ABI and behaviour this contract has.
    string public constant version = "1.0.2";

    /// @notice Gas an SLOAD may cost and still count as warm: warm 100, cold 2100 (EIP-2929).
    uint256 internal constant WARM_READ_THRESHOLD = 1000;

    /// @notice Clears the top byte of the bare checksum.
    bytes32 internal constant MSB_MASK = bytes32(~uint256(0xff << 248));

    /// @notice Sets the top byte to the checksum entry type, 0x03.
    bytes32 internal constant TYPE_3_MASK = bytes32(uint256(0x03) << 248);

    /// @notice Validate a cross-chain message declared in the transaction's access list and
    ///         emit `ExecutingMessage`. Anyone may call it, for any message.
    /// @param _id      Identifier of the initiating message.
    /// @param _msgHash keccak256 of the initiating message's payload.
    function validateMessage(Identifier calldata _id, bytes32 _msgHash) external {
        if (!_isWarm(calculateChecksum(_id, _msgHash))) revert NotInAccessList();
        emit ExecutingMessage(_msgHash, _id);
    }

    /// @notice The access-list checksum (type 3 entry) of a message:
    ///         logHash = H(origin ++ msgHash); idPacked = 12 zero bytes ++ blockNumber (8) ++
    ///         timestamp (8) ++ logIndex (4); idLogHash = H(logHash ++ idPacked);
    ///         checksum = 0x03 ++ H(idLogHash ++ chainId)[1:].
    function calculateChecksum(Identifier memory _id, bytes32 _msgHash) public pure returns (bytes32 checksum_) {
        if (_id.blockNumber > type(uint64).max) revert BlockNumberTooHigh();
        if (_id.logIndex > type(uint32).max) revert LogIndexTooHigh();
        if (_id.timestamp > type(uint64).max) revert TimestampTooHigh();

        bytes32 logHash = keccak256(abi.encodePacked(_id.origin, _msgHash));
        bytes32 idPacked = bytes32(
            abi.encodePacked(uint96(0), uint64(_id.blockNumber), uint64(_id.timestamp), uint32(_id.logIndex))
        );
        bytes32 idLogHash = keccak256(abi.encodePacked(logHash, idPacked));
        bytes32 bare = keccak256(abi.encodePacked(idLogHash, _id.chainId));
        checksum_ = (bare & MSB_MASK) | TYPE_3_MASK;
    }

    /// @notice Whether `_slot` of this contract is warm, measured by the gas of one SLOAD.
    /// @dev The loaded value feeds the result so the optimizer cannot drop the SLOAD (a dropped
    ///      read would cost nothing and make every slot look warm). No slot is ever written, so
    ///      the value is always zero and the `or` never changes the answer.
    function _isWarm(bytes32 _slot) internal view returns (bool warm_) {
        assembly {
            let before := gas()
            let value := sload(_slot)
            let spent := sub(before, gas())
            warm_ := and(iszero(gt(spent, WARM_READ_THRESHOLD)), iszero(value))
        }
    }
}
