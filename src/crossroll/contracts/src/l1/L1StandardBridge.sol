// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OptimismPortal} from "./OptimismPortal.sol";

/// @title L1StandardBridge
/// @notice ETH deposits with the OP Stack L1StandardBridge's entry points and events
///         (`bridgeETH`, `bridgeETHTo`, legacy `depositETH`, `depositETHTo`, plain ETH receive).
/// @dev crossroll deviation: OP's bridge sends a message through the L1CrossDomainMessenger to the
///      L2StandardBridge, which then pays the recipient. crossroll has no messenger pair: this bridge
///      makes one OptimismPortal deposit whose L2 transaction is a plain ETH transfer to the recipient
///      (from = this bridge's alias, mint = value = msg.value, gas = 21,000 + `_minGasLimit`, no data).
///      What that means:
///      - the recipient receives the ETH directly from the bridge's alias, not from 0x42..10;
///      - `_extraData` is only emitted in the L1 events; it is not delivered on L2;
///      - if the L2 transfer fails (a recipient contract that reverts or needs more gas), the minted
///        ETH stays at the bridge's alias on L2; there is no messenger to replay it;
///      - ERC-20 bridging and withdrawals through the bridge are not implemented: ETH comes back with
///        L2ToL1MessagePasser.initiateWithdrawal and the portal pays the target directly.
contract L1StandardBridge {
    /// @notice L2 gas (beyond the transfer's 21,000) for deposits made by sending ETH to this contract.
    uint32 internal constant RECEIVE_DEFAULT_GAS_LIMIT = 200_000;

    /// @notice Intrinsic gas of the L2 transfer that credits the recipient.
    uint64 internal constant TRANSFER_GAS = 21_000;

    /// @notice The portal deposits go through.
    OptimismPortal public portal;

    /// @notice Emitted (before ETHBridgeInitiated) for every ETH deposit, as OP's L1 bridge does.
    event ETHDepositInitiated(address indexed from, address indexed to, uint256 amount, bytes extraData);

    /// @notice Emitted for every ETH deposit.
    event ETHBridgeInitiated(address indexed from, address indexed to, uint256 amount, bytes extraData);

    /// @notice Only externally-owned accounts: a contract's L2 address would differ from its L1 one.
    modifier onlyEOA() {
        require(msg.sender == tx.origin, "StandardBridge: function can only be called from an EOA");
        _;
    }

    /// @param _portal The rollup's OptimismPortal.
    constructor(OptimismPortal _portal) {
        portal = _portal;
    }

    /// @notice Sending ETH here deposits it to the sender's address on L2 (EOAs only).
    receive() external payable onlyEOA {
        _initiateETHDeposit(msg.sender, msg.sender, RECEIVE_DEFAULT_GAS_LIMIT, bytes(""));
    }

    /// @notice Bridges `msg.value` to the caller's address on L2 (EOAs only).
    /// @param _minGasLimit L2 gas given to the recipient beyond the transfer's 21,000.
    /// @param _extraData   Opaque data, emitted in the events only.
    function bridgeETH(uint32 _minGasLimit, bytes calldata _extraData) external payable onlyEOA {
        _initiateETHDeposit(msg.sender, msg.sender, _minGasLimit, _extraData);
    }

    /// @notice Bridges `msg.value` to `_to` on L2.
    /// @param _to          L2 recipient.
    /// @param _minGasLimit L2 gas given to the recipient beyond the transfer's 21,000.
    /// @param _extraData   Opaque data, emitted in the events only.
    function bridgeETHTo(address _to, uint32 _minGasLimit, bytes calldata _extraData) external payable {
        _initiateETHDeposit(msg.sender, _to, _minGasLimit, _extraData);
    }

    /// @notice Legacy name of `bridgeETH`.
    function depositETH(uint32 _minGasLimit, bytes calldata _extraData) external payable onlyEOA {
        _initiateETHDeposit(msg.sender, msg.sender, _minGasLimit, _extraData);
    }

    /// @notice Legacy name of `bridgeETHTo`.
    function depositETHTo(address _to, uint32 _minGasLimit, bytes calldata _extraData) external payable {
        _initiateETHDeposit(msg.sender, _to, _minGasLimit, _extraData);
    }

    function _initiateETHDeposit(address _from, address _to, uint32 _minGasLimit, bytes memory _extraData) internal {
        emit ETHDepositInitiated(_from, _to, msg.value, _extraData);
        emit ETHBridgeInitiated(_from, _to, msg.value, _extraData);
        portal.depositTransaction{value: msg.value}(_to, msg.value, TRANSFER_GAS + _minGasLimit, false, bytes(""));
    }
}
