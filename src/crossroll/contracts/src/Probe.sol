// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Minimal contract deployed by Probe.selfCreate / Probe.create2.
contract ProbeChild {
    address public parent; // storage, not immutable: on-chain code == deployedBytecode

    constructor() {
        parent = msg.sender;
    }
}

/// @title Probe
/// @notice Small surface for node conformance tests: raw storage, logs, reverts, CREATE/CREATE2, a counter.
contract Probe {
    uint256 public counter; // slot 0

    event Logged(bytes32 indexed topic, bytes data);
    event Incremented(uint256 indexed newValue, address indexed by);
    event Created(address indexed child, bool viaCreate2);

    error CustomFailure(uint256 code);

    /// @notice Write `value` to raw storage slot `slot` (0 clears it). Slot 0 aliases `counter`.
    function set(uint256 slot, uint256 value) external {
        assembly {
            sstore(slot, value)
        }
    }

    /// @notice Read raw storage slot `slot`.
    function get(uint256 slot) external view returns (uint256 value) {
        assembly {
            value := sload(slot)
        }
    }

    function emitLog(bytes32 topic, bytes calldata data) external {
        emit Logged(topic, data);
    }

    /// @notice Always reverts with Error(string).
    function fail(string calldata reason) external pure {
        revert(reason);
    }

    /// @notice Always reverts with CustomFailure(code).
    function failCustom(uint256 code) external pure {
        revert CustomFailure(code);
    }

    function selfCreate() external returns (address child) {
        child = address(new ProbeChild());
        emit Created(child, false);
    }

    function create2(bytes32 salt) external returns (address child) {
        child = address(new ProbeChild{salt: salt}());
        emit Created(child, true);
    }

    /// @notice Address `create2(salt)` deploys to (for test assertions).
    function create2Address(bytes32 salt) external view returns (address) {
        bytes32 h = keccak256(
            abi.encodePacked(bytes1(0xff), address(this), salt, keccak256(type(ProbeChild).creationCode))
        );
        return address(uint160(uint256(h)));
    }

    function increment() external returns (uint256 newValue) {
        newValue = ++counter;
        emit Incremented(newValue, msg.sender);
    }
}
