// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Types} from "../lib/Types.sol";
import {Hashing} from "../lib/Hashing.sol";
import {SecureMerkleTrie} from "../lib/MerkleTrie.sol";
import {AddressAliasHelper} from "../lib/AddressAliasHelper.sol";
import {SafeCall} from "../lib/SafeCall.sol";
import {L2OutputOracle} from "./L2OutputOracle.sol";

/// @title OptimismPortal
/// @notice The L1 end of a rollup's canonical bridge, with the OP Stack's (L2OutputOracle-based)
///         OptimismPortal ABI, events, encodings and revert strings.
///         Deposits: `depositTransaction` emits `TransactionDeposited`, which the rollup node turns
///         into a deposit transaction (type 0x7E) on L2; the deposited ETH stays locked here.
///         Withdrawals: `proveWithdrawalTransaction` checks a withdrawal recorded by the L2
///         L2ToL1MessagePasser against an output root of the L2OutputOracle; after the oracle's
///         finalization period `finalizeWithdrawalTransaction` executes it from this contract.
/// @dev crossroll deviations from OP: no ResourceMetering (deposits do not burn L1 gas to buy L2 gas;
///      only OP's per-deposit cap of 20M gas is kept), no pause/guardian/SuperchainConfig/SystemConfig,
///      no custom gas token, no proxy: the oracle is fixed in the constructor.
contract OptimismPortal {
    /// @notice A proven withdrawal.
    /// @custom:field outputRoot    Output root the withdrawal was proven against.
    /// @custom:field timestamp     L1 timestamp of the proof.
    /// @custom:field l2OutputIndex Index of that output in the oracle.
    struct ProvenWithdrawal {
        bytes32 outputRoot;
        uint128 timestamp;
        uint128 l2OutputIndex;
    }

    /// @notice `l2Sender` outside of a withdrawal's execution.
    address internal constant DEFAULT_L2_SENDER = 0x000000000000000000000000000000000000dEaD;

    /// @notice tx.origin of gas estimations that must see a failing withdrawal call as a revert.
    address internal constant ESTIMATION_ADDRESS = address(1);

    /// @notice Version of the TransactionDeposited event.
    uint256 internal constant DEPOSIT_VERSION = 0;

    /// @notice L2 gas limit of deposits made by sending ETH to this contract.
    uint64 internal constant RECEIVE_DEFAULT_GAS_LIMIT = 100_000;

    /// @notice Largest L2 gas limit one deposit may ask for (OP's default max resource limit).
    uint64 internal constant MAX_DEPOSIT_GAS_LIMIT = 20_000_000;

    /// @notice The L2 account whose withdrawal is executing; DEFAULT_L2_SENDER at any other time.
    address public l2Sender;

    /// @notice Withdrawal hashes that have been finalized.
    mapping(bytes32 => bool) public finalizedWithdrawals;

    /// @notice Proofs recorded per withdrawal hash.
    mapping(bytes32 => ProvenWithdrawal) public provenWithdrawals;

    /// @notice The oracle holding the rollup's output roots.
    L2OutputOracle public l2Oracle;

    /// @notice Emitted for every deposit; the rollup node derives an L2 deposit transaction from it.
    /// @param from       Depositor (aliased when it is a contract).
    /// @param to         L2 recipient (0 for contract creations).
    /// @param version    Encoding version of `opaqueData` (0).
    /// @param opaqueData abi.encodePacked(uint256 mint, uint256 value, uint64 gasLimit, bool isCreation, bytes data).
    event TransactionDeposited(address indexed from, address indexed to, uint256 indexed version, bytes opaqueData);

    /// @notice Emitted when a withdrawal is proven.
    event WithdrawalProven(bytes32 indexed withdrawalHash, address indexed from, address indexed to);

    /// @notice Emitted when a withdrawal is finalized; `success` is the outcome of the L1 call.
    event WithdrawalFinalized(bytes32 indexed withdrawalHash, bool success);

    /// @param _l2Oracle The rollup's L2OutputOracle.
    constructor(L2OutputOracle _l2Oracle) {
        l2Oracle = _l2Oracle;
        l2Sender = DEFAULT_L2_SENDER;
    }

    /// @notice Sending ETH here deposits it to the sender's address on L2. Contracts should call
    ///         `depositTransaction` instead: their L2 address is aliased.
    receive() external payable {
        depositTransaction(msg.sender, msg.value, RECEIVE_DEFAULT_GAS_LIMIT, false, bytes(""));
    }

    /// @notice Legacy getter of `l2Oracle`.
    function L2_ORACLE() external view returns (L2OutputOracle) {
        return l2Oracle;
    }

    /// @notice Always false: crossroll's portal cannot be paused.
    function paused() external pure returns (bool) {
        return false;
    }

    /// @notice Accepts ETH without making a deposit.
    function donateETH() external payable {}

    /// @notice Smallest L2 gas limit of a deposit carrying `_byteCount` bytes of data.
    function minimumGasLimit(uint64 _byteCount) public pure returns (uint64) {
        return _byteCount * 16 + 21000;
    }

    /// @notice Whether output `_l2OutputIndex` has passed the finalization period.
    function isOutputFinalized(uint256 _l2OutputIndex) external view returns (bool) {
        return _isFinalizationPeriodElapsed(l2Oracle.getL2Output(_l2OutputIndex).timestamp);
    }

    /// @notice Deposits a transaction to L2. `msg.value` is minted to `from` on L2, then the
    ///         transaction runs from `from` (the sender, aliased if it is a contract).
    /// @param _to         L2 recipient; must be address(0) for a contract creation.
    /// @param _value      ETH value of the L2 transaction (taken from the minted `msg.value` plus the
    ///                    sender's L2 balance).
    /// @param _gasLimit   L2 gas limit, at least `minimumGasLimit(_data.length)`.
    /// @param _isCreation Whether the L2 transaction creates a contract.
    /// @param _data       L2 calldata (init code for a creation), at most 120,000 bytes.
    function depositTransaction(address _to, uint256 _value, uint64 _gasLimit, bool _isCreation, bytes memory _data)
        public
        payable
    {
        if (_isCreation) {
            require(_to == address(0), "OptimismPortal: must send to address(0) when creating a contract");
        }
        require(_gasLimit >= minimumGasLimit(uint64(_data.length)), "OptimismPortal: gas limit too small");
        require(_data.length <= 120_000, "OptimismPortal: data too large");
        require(_gasLimit <= MAX_DEPOSIT_GAS_LIMIT, "ResourceMetering: cannot buy more gas than available gas limit");

        address from = msg.sender;
        if (msg.sender != tx.origin) {
            from = AddressAliasHelper.applyL1ToL2Alias(msg.sender);
        }
        bytes memory opaqueData = abi.encodePacked(msg.value, _value, _gasLimit, _isCreation, _data);
        emit TransactionDeposited(from, _to, DEPOSIT_VERSION, opaqueData);
    }

    /// @notice Proves that a withdrawal was initiated on L2, against output `_l2OutputIndex`.
    /// @param _tx               The withdrawal, as emitted in MessagePassed.
    /// @param _l2OutputIndex    Index of an output in the oracle.
    /// @param _outputRootProof  Preimage of that output root.
    /// @param _withdrawalProof  Storage proof (eth_getProof `storageProof[].proof`) of slot
    ///                          keccak256(abi.encode(withdrawalHash, 0)) of the L2ToL1MessagePasser,
    ///                          with value 1, under `_outputRootProof.messagePasserStorageRoot`.
    function proveWithdrawalTransaction(
        Types.WithdrawalTransaction memory _tx,
        uint256 _l2OutputIndex,
        Types.OutputRootProof calldata _outputRootProof,
        bytes[] calldata _withdrawalProof
    ) external {
        require(_tx.target != address(this), "OptimismPortal: you cannot send messages to the portal contract");

        bytes32 outputRoot = l2Oracle.getL2Output(_l2OutputIndex).outputRoot;
        require(outputRoot == Hashing.hashOutputRootProof(_outputRootProof), "OptimismPortal: invalid output root proof");

        bytes32 withdrawalHash = Hashing.hashWithdrawal(_tx);
        ProvenWithdrawal memory proven = provenWithdrawals[withdrawalHash];
        // Re-proving would reset the timer, so it is only allowed when the output proven against was
        // replaced (deleted by the challenger and proposed again).
        require(
            proven.timestamp == 0 || l2Oracle.getL2Output(proven.l2OutputIndex).outputRoot != proven.outputRoot,
            "OptimismPortal: withdrawal hash has already been proven"
        );

        bytes32 storageKey = keccak256(abi.encode(withdrawalHash, uint256(0)));
        require(
            SecureMerkleTrie.verifyInclusionProof(
                abi.encode(storageKey), hex"01", _withdrawalProof, _outputRootProof.messagePasserStorageRoot
            ),
            "OptimismPortal: invalid withdrawal inclusion proof"
        );

        provenWithdrawals[withdrawalHash] = ProvenWithdrawal({
            outputRoot: outputRoot,
            timestamp: uint128(block.timestamp),
            l2OutputIndex: uint128(_l2OutputIndex)
        });
        emit WithdrawalProven(withdrawalHash, _tx.sender, _tx.target);
    }

    /// @notice Executes a proven withdrawal once both the output and the proof are older than the
    ///         finalization period: calls `_tx.target` with `_tx.value` and `_tx.data`, giving it at least
    ///         `_tx.gasLimit` gas, with `l2Sender()` set to `_tx.sender` during the call. A withdrawal is
    ///         finalized at most once, whether or not the call succeeds.
    function finalizeWithdrawalTransaction(Types.WithdrawalTransaction memory _tx) external {
        require(l2Sender == DEFAULT_L2_SENDER, "OptimismPortal: can only trigger one withdrawal per transaction");

        bytes32 withdrawalHash = Hashing.hashWithdrawal(_tx);
        ProvenWithdrawal memory proven = provenWithdrawals[withdrawalHash];
        require(proven.timestamp != 0, "OptimismPortal: withdrawal has not been proven yet");
        require(
            proven.timestamp >= l2Oracle.startingTimestamp(),
            "OptimismPortal: withdrawal timestamp less than L2 Oracle starting timestamp"
        );
        require(
            _isFinalizationPeriodElapsed(proven.timestamp),
            "OptimismPortal: proven withdrawal finalization period has not elapsed"
        );
        Types.OutputProposal memory proposal = l2Oracle.getL2Output(proven.l2OutputIndex);
        require(
            proposal.outputRoot == proven.outputRoot,
            "OptimismPortal: output root proven is not the same as current output root"
        );
        require(
            _isFinalizationPeriodElapsed(proposal.timestamp),
            "OptimismPortal: output proposal finalization period has not elapsed"
        );
        require(!finalizedWithdrawals[withdrawalHash], "OptimismPortal: withdrawal has already been finalized");

        finalizedWithdrawals[withdrawalHash] = true;
        l2Sender = _tx.sender;
        bool success = SafeCall.callWithMinGas(_tx.target, _tx.gasLimit, _tx.value, _tx.data);
        l2Sender = DEFAULT_L2_SENDER;
        emit WithdrawalFinalized(withdrawalHash, success);

        // Lets gas estimation (from ESTIMATION_ADDRESS) find the gas a successful call needs.
        if (!success && tx.origin == ESTIMATION_ADDRESS) revert("OptimismPortal: withdrawal failed");
    }

    function _isFinalizationPeriodElapsed(uint256 _timestamp) internal view returns (bool) {
        return block.timestamp > _timestamp + l2Oracle.finalizationPeriodSeconds();
    }
}
