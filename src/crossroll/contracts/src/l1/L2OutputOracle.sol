// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Types} from "../lib/Types.sol";

/// @title L2OutputOracle
/// @notice The L1 record of a rollup's output roots, posted by a single proposer every
///         `submissionInterval` L2 blocks. The OptimismPortal proves withdrawals against these outputs
///         and lets them finalize once `finalizationPeriodSeconds` have passed. A challenger may delete
///         outputs that are not finalized yet. ABI, revert strings and rules are those of the OP Stack's
///         (pre-fault-proof) L2OutputOracle.
/// @dev crossroll deviation: `_l2BlockTime` may be 0, for rollups whose blocks do not come at a fixed
///      cadence (automine). Then `computeL2Timestamp` returns `startingTimestamp` and the "cannot propose
///      L2 output in the future" check is skipped; everything else is unchanged. Configuration is set in
///      the constructor (no proxy / initializer) and kept in storage, not immutables.
contract L2OutputOracle {
    /// @notice Number of the first L2 block this oracle knows about (the "output 0" anchor).
    uint256 public startingBlockNumber;

    /// @notice Timestamp of that L2 block.
    uint256 public startingTimestamp;

    /// @notice The proposed outputs, oldest first.
    Types.OutputProposal[] internal l2Outputs;

    /// @notice Outputs must be proposed for every `submissionInterval`-th L2 block.
    uint256 public submissionInterval;

    /// @notice Seconds per L2 block (0: irregular, see the contract notes).
    uint256 public l2BlockTime;

    /// @notice Address allowed to delete outputs that are not finalized yet.
    address public challenger;

    /// @notice Address allowed to propose outputs.
    address public proposer;

    /// @notice Seconds an output (and a withdrawal proven against it) must wait before it finalizes.
    uint256 public finalizationPeriodSeconds;

    /// @notice Emitted when an output is proposed.
    event OutputProposed(
        bytes32 indexed outputRoot, uint256 indexed l2OutputIndex, uint256 indexed l2BlockNumber, uint256 l1Timestamp
    );

    /// @notice Emitted when the challenger deletes outputs `newNextOutputIndex` .. `prevNextOutputIndex - 1`.
    event OutputsDeleted(uint256 indexed prevNextOutputIndex, uint256 indexed newNextOutputIndex);

    /// @param _submissionInterval        L2 blocks between two outputs (> 0).
    /// @param _l2BlockTime               Seconds per L2 block, or 0 for irregular block times.
    /// @param _startingBlockNumber       First L2 block number; the first output is for
    ///                                   `_startingBlockNumber + _submissionInterval`.
    /// @param _startingTimestamp         Timestamp of that block (not in the future).
    /// @param _proposer                  The proposer.
    /// @param _challenger                The challenger.
    /// @param _finalizationPeriodSeconds The challenge window, in seconds.
    constructor(
        uint256 _submissionInterval,
        uint256 _l2BlockTime,
        uint256 _startingBlockNumber,
        uint256 _startingTimestamp,
        address _proposer,
        address _challenger,
        uint256 _finalizationPeriodSeconds
    ) {
        require(_submissionInterval > 0, "L2OutputOracle: submission interval must be greater than 0");
        require(
            _startingTimestamp <= block.timestamp, "L2OutputOracle: starting L2 timestamp must be less than current time"
        );
        submissionInterval = _submissionInterval;
        l2BlockTime = _l2BlockTime;
        startingBlockNumber = _startingBlockNumber;
        startingTimestamp = _startingTimestamp;
        proposer = _proposer;
        challenger = _challenger;
        finalizationPeriodSeconds = _finalizationPeriodSeconds;
    }

    /// @notice Legacy getter of `submissionInterval`.
    function SUBMISSION_INTERVAL() external view returns (uint256) {
        return submissionInterval;
    }

    /// @notice Legacy getter of `l2BlockTime`.
    function L2_BLOCK_TIME() external view returns (uint256) {
        return l2BlockTime;
    }

    /// @notice Legacy getter of `challenger`.
    function CHALLENGER() external view returns (address) {
        return challenger;
    }

    /// @notice Legacy getter of `proposer`.
    function PROPOSER() external view returns (address) {
        return proposer;
    }

    /// @notice Legacy getter of `finalizationPeriodSeconds`.
    function FINALIZATION_PERIOD_SECONDS() external view returns (uint256) {
        return finalizationPeriodSeconds;
    }

    /// @notice Deletes output `_l2OutputIndex` and every later one. Challenger only; finalized outputs
    ///         cannot be deleted.
    function deleteL2Outputs(uint256 _l2OutputIndex) external {
        require(msg.sender == challenger, "L2OutputOracle: only the challenger address can delete outputs");
        require(
            _l2OutputIndex < l2Outputs.length, "L2OutputOracle: cannot delete outputs after the latest output index"
        );
        require(
            block.timestamp - l2Outputs[_l2OutputIndex].timestamp < finalizationPeriodSeconds,
            "L2OutputOracle: cannot delete outputs that have already been finalized"
        );
        uint256 prevNextOutputIndex = l2Outputs.length;
        // Shorten the array in O(1) by writing its length; the dropped entries are overwritten by
        // later `push`es, which write every field.
        assembly ("memory-safe") {
            sstore(l2Outputs.slot, _l2OutputIndex)
        }
        emit OutputsDeleted(prevNextOutputIndex, _l2OutputIndex);
    }

    /// @notice Records the output root of L2 block `_l2BlockNumber`, which must be `nextBlockNumber()`.
    ///         Proposer only.
    /// @param _outputRoot    The output root (non-zero).
    /// @param _l2BlockNumber The L2 block it commits to.
    /// @param _l1BlockHash   If non-zero, the proposal only lands on an L1 chain where block
    ///                       `_l1BlockNumber` has this hash (reorg protection).
    /// @param _l1BlockNumber See `_l1BlockHash`.
    function proposeL2Output(bytes32 _outputRoot, uint256 _l2BlockNumber, bytes32 _l1BlockHash, uint256 _l1BlockNumber)
        external
        payable
    {
        require(msg.sender == proposer, "L2OutputOracle: only the proposer address can propose new outputs");
        require(
            _l2BlockNumber == nextBlockNumber(), "L2OutputOracle: block number must be equal to next expected block number"
        );
        require(
            l2BlockTime == 0 || computeL2Timestamp(_l2BlockNumber) < block.timestamp,
            "L2OutputOracle: cannot propose L2 output in the future"
        );
        require(_outputRoot != bytes32(0), "L2OutputOracle: L2 output proposal cannot be the zero hash");
        if (_l1BlockHash != bytes32(0)) {
            require(
                blockhash(_l1BlockNumber) == _l1BlockHash,
                "L2OutputOracle: block hash does not match the hash at the expected height"
            );
        }
        emit OutputProposed(_outputRoot, l2Outputs.length, _l2BlockNumber, block.timestamp);
        l2Outputs.push(
            Types.OutputProposal({
                outputRoot: _outputRoot,
                timestamp: uint128(block.timestamp),
                l2BlockNumber: uint128(_l2BlockNumber)
            })
        );
    }

    /// @notice The output at `_l2OutputIndex` (reverts if there is none).
    function getL2Output(uint256 _l2OutputIndex) external view returns (Types.OutputProposal memory) {
        return l2Outputs[_l2OutputIndex];
    }

    /// @notice Index of the first output whose L2 block number is >= `_l2BlockNumber`.
    function getL2OutputIndexAfter(uint256 _l2BlockNumber) public view returns (uint256) {
        require(
            _l2BlockNumber <= latestBlockNumber(),
            "L2OutputOracle: cannot get output for a block that has not been proposed"
        );
        require(l2Outputs.length > 0, "L2OutputOracle: cannot get output as no outputs have been proposed yet");
        uint256 lo;
        uint256 hi = l2Outputs.length;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (l2Outputs[mid].l2BlockNumber < _l2BlockNumber) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// @notice The first output whose L2 block number is >= `_l2BlockNumber`.
    function getL2OutputAfter(uint256 _l2BlockNumber) external view returns (Types.OutputProposal memory) {
        return l2Outputs[getL2OutputIndexAfter(_l2BlockNumber)];
    }

    /// @notice Index of the newest output (reverts when there is none).
    function latestOutputIndex() external view returns (uint256) {
        return l2Outputs.length - 1;
    }

    /// @notice Index the next output will get.
    function nextOutputIndex() public view returns (uint256) {
        return l2Outputs.length;
    }

    /// @notice L2 block number of the newest output, or `startingBlockNumber` when there is none.
    function latestBlockNumber() public view returns (uint256) {
        return l2Outputs.length == 0 ? startingBlockNumber : l2Outputs[l2Outputs.length - 1].l2BlockNumber;
    }

    /// @notice L2 block number the next output must be for.
    function nextBlockNumber() public view returns (uint256) {
        return latestBlockNumber() + submissionInterval;
    }

    /// @notice Expected timestamp of L2 block `_l2BlockNumber` (with a fixed `l2BlockTime`).
    function computeL2Timestamp(uint256 _l2BlockNumber) public view returns (uint256) {
        return startingTimestamp + ((_l2BlockNumber - startingBlockNumber) * l2BlockTime);
    }
}
