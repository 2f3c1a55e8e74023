// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {InteropPredeploys} from "./InteropPredeploys.sol";
import {SafeSend} from "./SafeSend.sol";

/// @title ETHLiquidity
/// @notice L2 predeploy at 0x4200000000000000000000000000000000000025: the pool the
///         SuperchainETHBridge locks sent ETH into (`burn`) and pays relayed ETH out of (`mint`),
///         so bridging moves ETH between chains without minting any. Genesis gives it
///         type(uint248).max wei on every rollup, as Supersim does. ABI as OP's.
/// @dev No constructor and no immutables.
contract ETHLiquidity {
    /// @notice The caller is not the SuperchainETHBridge.
    error Unauthorized();

    /// @notice ETH locked into the pool.
    event LiquidityBurned(address indexed caller, uint256 value);

    /// @notice ETH paid out of the pool.
    event LiquidityMinted(address indexed caller, uint256 value);

    /// @notice Version of OP's ETHLiquidity whose ABI this contract has.
    string public constant version = "1.0.0";

    /// @notice Lock `msg.value` into the pool.
    function burn() external payable {
        if (msg.sender != InteropPredeploys.SUPERCHAIN_ETH_BRIDGE) revert Unauthorized();
        emit LiquidityBurned(msg.sender, msg.value);
    }

    /// @notice Pay `_amount` out of the pool to the caller (without calling it).
    function mint(uint256 _amount) external {
        if (msg.sender != InteropPredeploys.SUPERCHAIN_ETH_BRIDGE) revert Unauthorized();
        SafeSend.send(msg.sender, _amount);
        emit LiquidityMinted(msg.sender, _amount);
    }
}
