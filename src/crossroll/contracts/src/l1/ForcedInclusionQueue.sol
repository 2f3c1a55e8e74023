// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ForcedInclusionQueue
/// @notice The L1 queue of forced rollup transactions, one for every rollup of the devnet. Anyone
///         may queue a signed L2 transaction for a rollup; the rollup's sequencer must include it
///         within the forced-inclusion window (in L1 blocks), and from then on the rollup's
///         derivation puts it first after the deposits of every block until it is in, so a
///         sequencer cannot censor it. The queue only records: whether the transaction applies
///         (nonce, funds, signature, chain id) is decided on the L2. There is no fee: the L1 gas
///         of this call is the cost of forcing (OP's deposits and Taiko's queue charge one).
contract ForcedInclusionQueue {
    /// @notice Largest rawTx accepted, the L2's transaction size limit (128 KiB).
    uint256 public constant MAX_TX_SIZE = 131072;

    /// @notice How many transactions each rollup (by chain id) has had queued.
    mapping(uint256 => uint256) public queueLength;

    /// @notice Emitted for every queued transaction; `index` counts per chain from 0.
    event TransactionForced(uint256 indexed chainId, uint256 indexed index, address indexed from, bytes rawTx);

    /// @notice rawTx is empty.
    error EmptyTransaction();
    /// @notice rawTx is longer than MAX_TX_SIZE.
    error TransactionTooLarge(uint256 size, uint256 limit);

    /// @notice Queue the signed L2 transaction `rawTx` for rollup `chainId`.
    /// @return index Its position in that rollup's queue.
    function forceInclude(uint256 chainId, bytes calldata rawTx) external returns (uint256 index) {
        if (rawTx.length == 0) revert EmptyTransaction();
        if (rawTx.length > MAX_TX_SIZE) revert TransactionTooLarge(rawTx.length, MAX_TX_SIZE);
        index = queueLength[chainId]++;
        emit TransactionForced(chainId, index, msg.sender, rawTx);
    }
}
