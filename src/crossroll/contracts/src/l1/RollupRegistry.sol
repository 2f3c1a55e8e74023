// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title RollupRegistry
/// @notice The L1 directory of the rollups settling here, keyed by L2 chain id: who may post
///         batches and outputs, how long the challenge window is, and where each rollup's
///         L2OutputOracle, OptimismPortal and L1StandardBridge live. Entries are managed by the owner.
contract RollupRegistry {
    /// @notice One rollup's settlement configuration.
    /// @custom:field batcher                  Account whose batch transactions the rollup derives from.
    /// @custom:field proposer                 Account that proposes output roots.
    /// @custom:field challengeWindowSeconds   Finalization period of the rollup's outputs.
    /// @custom:field outputOracle             The rollup's L2OutputOracle.
    /// @custom:field portal                   The rollup's OptimismPortal.
    /// @custom:field bridge                   The rollup's L1StandardBridge (may be zero).
    struct Rollup {
        address batcher;
        address proposer;
        uint256 challengeWindowSeconds;
        address outputOracle;
        address portal;
        address bridge;
    }

    /// @notice The account that manages the registry.
    address public owner;

    /// @notice Registered chain ids, in registration order.
    uint256[] internal ids;

    mapping(uint256 => Rollup) internal rollups;

    /// @notice Emitted when a rollup is registered.
    event RollupRegistered(uint256 indexed chainId, address indexed portal, address indexed outputOracle, Rollup rollup);

    /// @notice Emitted when a registered rollup's configuration changes.
    event RollupUpdated(uint256 indexed chainId, Rollup rollup);

    /// @notice Emitted when a rollup is removed.
    event RollupRemoved(uint256 indexed chainId);

    /// @notice Emitted when ownership changes (also at deployment, from address(0)).
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice The caller is not the owner.
    error NotOwner(address caller);
    /// @notice `chainId` is already registered.
    error AlreadyRegistered(uint256 chainId);
    /// @notice `chainId` is not registered.
    error NotRegistered(uint256 chainId);
    /// @notice Chain id 0, or a zero batcher, proposer, output oracle or portal.
    error InvalidRollup();

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @param _owner The initial owner.
    constructor(address _owner) {
        owner = _owner;
        emit OwnershipTransferred(address(0), _owner);
    }

    /// @notice Hands the registry to `_newOwner` (address(0) renounces it).
    function transferOwnership(address _newOwner) external onlyOwner {
        emit OwnershipTransferred(owner, _newOwner);
        owner = _newOwner;
    }

    /// @notice Registers rollup `_chainId`.
    function register(uint256 _chainId, Rollup calldata _rollup) external onlyOwner {
        if (isRegistered(_chainId)) revert AlreadyRegistered(_chainId);
        _check(_chainId, _rollup);
        rollups[_chainId] = _rollup;
        ids.push(_chainId);
        emit RollupRegistered(_chainId, _rollup.portal, _rollup.outputOracle, _rollup);
    }

    /// @notice Replaces the configuration of registered rollup `_chainId`.
    function update(uint256 _chainId, Rollup calldata _rollup) external onlyOwner {
        if (!isRegistered(_chainId)) revert NotRegistered(_chainId);
        _check(_chainId, _rollup);
        rollups[_chainId] = _rollup;
        emit RollupUpdated(_chainId, _rollup);
    }

    /// @notice Removes rollup `_chainId`.
    function remove(uint256 _chainId) external onlyOwner {
        if (!isRegistered(_chainId)) revert NotRegistered(_chainId);
        delete rollups[_chainId];
        uint256 n = ids.length;
        for (uint256 i; i < n; i++) {
            if (ids[i] == _chainId) {
                ids[i] = ids[n - 1];
                ids.pop();
                break;
            }
        }
        emit RollupRemoved(_chainId);
    }

    /// @notice Whether `_chainId` is registered.
    function isRegistered(uint256 _chainId) public view returns (bool) {
        return rollups[_chainId].portal != address(0);
    }

    /// @notice The configuration of rollup `_chainId` (reverts if it is not registered).
    function rollup(uint256 _chainId) external view returns (Rollup memory) {
        if (!isRegistered(_chainId)) revert NotRegistered(_chainId);
        return rollups[_chainId];
    }

    /// @notice All registered chain ids (order changes when one is removed).
    function chainIds() external view returns (uint256[] memory) {
        return ids;
    }

    function _check(uint256 _chainId, Rollup calldata _rollup) internal pure {
        if (
            _chainId == 0 || _rollup.batcher == address(0) || _rollup.proposer == address(0)
                || _rollup.outputOracle == address(0) || _rollup.portal == address(0)
        ) revert InvalidRollup();
    }
}
