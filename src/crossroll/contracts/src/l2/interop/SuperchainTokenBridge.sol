// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {InteropPredeploys} from "./InteropPredeploys.sol";
import {IL2ToL2CrossDomainMessenger} from "./L2ToL2CrossDomainMessenger.sol";
import {IERC165, IERC7802} from "./IERC7802.sol";

/// @title SuperchainTokenBridge
/// @notice L2 predeploy at 0x4200000000000000000000000000000000000028: moves ERC-7802
///         (SuperchainERC20) tokens between rollups by burning on the source and minting on
///         the destination, over the L2ToL2CrossDomainMessenger. The token must sit at the
///         same address on both chains. ABI, events and errors as OP's.
/// @dev No constructor and no immutables.
contract SuperchainTokenBridge {
    /// @notice `relayERC20` not called by the messenger.
    error Unauthorized();
    /// @notice Sending to the zero address.
    error ZeroAddress();
    /// @notice The relayed message was not sent by this bridge (on the source chain).
    error InvalidCrossDomainSender();
    /// @notice The token does not declare ERC-7802 through ERC-165.
    error InvalidERC7802();

    /// @notice Tokens sent from this chain.
    event SendERC20(
        address indexed token, address indexed from, address indexed to, uint256 amount, uint256 destination
    );

    /// @notice Tokens relayed to this chain.
    event RelayERC20(address indexed token, address indexed from, address indexed to, uint256 amount, uint256 source);

    /// @notice Version of OP's SuperchainTokenBridge whose ABI this contract has.
    string public constant version = "1.0.0";

    /// @notice Burn `_amount` of the caller's `_token` here and mint it to `_to` on `_chainId`.
    /// @return msgHash_ Hash of the message sent.
    function sendERC20(
        address _token,
        address _to,
        uint256 _amount,
        uint256 _chainId
    )
        external
        returns (bytes32 msgHash_)
    {
        if (_to == address(0)) revert ZeroAddress();
        if (!IERC165(_token).supportsInterface(type(IERC7802).interfaceId)) revert InvalidERC7802();

        IERC7802(_token).crosschainBurn(msg.sender, _amount);
        msgHash_ = IL2ToL2CrossDomainMessenger(InteropPredeploys.L2_TO_L2_CROSS_DOMAIN_MESSENGER).sendMessage(
            _chainId, address(this), abi.encodeCall(this.relayERC20, (_token, msg.sender, _to, _amount))
        );
        emit SendERC20(_token, msg.sender, _to, _amount, _chainId);
    }

    /// @notice Mint tokens sent from another chain; only a message from this bridge there.
    function relayERC20(address _token, address _from, address _to, uint256 _amount) external {
        address messenger = InteropPredeploys.L2_TO_L2_CROSS_DOMAIN_MESSENGER;
        if (msg.sender != messenger) revert Unauthorized();
        (address sender, uint256 source) = IL2ToL2CrossDomainMessenger(messenger).crossDomainMessageContext();
        if (sender != address(this)) revert InvalidCrossDomainSender();

        IERC7802(_token).crosschainMint(_to, _amount);
        emit RelayERC20(_token, _from, _to, _amount, source);
    }
}
