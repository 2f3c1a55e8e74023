// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {InteropPredeploys} from "./InteropPredeploys.sol";
import {IL2ToL2CrossDomainMessenger} from "./L2ToL2CrossDomainMessenger.sol";
import {ETHLiquidity} from "./ETHLiquidity.sol";
import {SafeSend} from "./SafeSend.sol";

/// @title SuperchainETHBridge
/// @notice L2 predeploy at 0x4200000000000000000000000000000000000024: sends ETH to another
///         rollup. `sendETH` locks the value in ETHLiquidity and sends a message to this same
///         bridge on the destination, whose `relayETH` takes the amount out of that chain's
///         ETHLiquidity and hands it to the recipient. ABI, events and errors as OP's.
/// @dev No constructor and no immutables.
contract SuperchainETHBridge {
    /// @notice `relayETH` not called by the messenger.
    error Unauthorized();
    /// @notice Sending to the zero address.
    error ZeroAddress();
    /// @notice The relayed message was not sent by this bridge (on the source chain).
    error InvalidCrossDomainSender();

    /// @notice ETH sent from this chain.
    event SendETH(address indexed from, address indexed to, uint256 amount, uint256 destination);

    /// @notice ETH relayed to this chain.
    event RelayETH(address indexed from, address indexed to, uint256 amount, uint256 source);

    /// @notice Version of OP's SuperchainETHBridge whose ABI this contract has.
    string public constant version = "1.0.0";

    /// @notice Send `msg.value` to `_to` on chain `_chainId`.
    /// @return msgHash_ Hash of the message sent.
    function sendETH(address _to, uint256 _chainId) external payable returns (bytes32 msgHash_) {
        if (_to == address(0)) revert ZeroAddress();
        ETHLiquidity(InteropPredeploys.ETH_LIQUIDITY).burn{value: msg.value}();
        msgHash_ = IL2ToL2CrossDomainMessenger(InteropPredeploys.L2_TO_L2_CROSS_DOMAIN_MESSENGER).sendMessage(
            _chainId, address(this), abi.encodeCall(this.relayETH, (msg.sender, _to, msg.value))
        );
        emit SendETH(msg.sender, _to, msg.value, _chainId);
    }

    /// @notice Pay out ETH sent from another chain; only a message from this bridge there.
    function relayETH(address _from, address _to, uint256 _amount) external {
        address messenger = InteropPredeploys.L2_TO_L2_CROSS_DOMAIN_MESSENGER;
        if (msg.sender != messenger) revert Unauthorized();
        (address sender, uint256 source) = IL2ToL2CrossDomainMessenger(messenger).crossDomainMessageContext();
        if (sender != address(this)) revert InvalidCrossDomainSender();

        ETHLiquidity(InteropPredeploys.ETH_LIQUIDITY).mint(_amount);
        // A forced send: the recipient is not called and cannot refuse.
        SafeSend.send(_to, _amount);
        emit RelayETH(_from, _to, _amount, source);
    }
}
