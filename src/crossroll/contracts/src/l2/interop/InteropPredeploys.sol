// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Addresses of the cross-rollup messaging predeploys (same on every rollup).
///         OP interop's (specs/interop/predeploys.md) and crossroll's settled-path pair.
library InteropPredeploys {
    address internal constant CROSS_L2_INBOX = 0x4200000000000000000000000000000000000022;
    address internal constant L2_TO_L2_CROSS_DOMAIN_MESSENGER = 0x4200000000000000000000000000000000000023;
    address internal constant SUPERCHAIN_ETH_BRIDGE = 0x4200000000000000000000000000000000000024;
    address internal constant ETH_LIQUIDITY = 0x4200000000000000000000000000000000000025;
    address internal constant SUPERCHAIN_TOKEN_BRIDGE = 0x4200000000000000000000000000000000000028;
    address internal constant MESSAGE_OUTBOX = 0x42000000000000000000000000000000000007A0;
    address internal constant SETTLED_INBOX = 0x42000000000000000000000000000000000007A1;
}
