// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Types} from "../lib/Types.sol";
import {Hashing} from "../lib/Hashing.sol";
import {MessageTree} from "../lib/MessageTree.sol";
import {RLPReader} from "../lib/RLPReader.sol";
import {SecureMerkleTrie} from "../lib/MerkleTrie.sol";
import {L2OutputOracle} from "./L2OutputOracle.sol";
import {RollupRegistry} from "./RollupRegistry.sol";

/// @title SettlementHub
/// @notice The L1 end of crossroll's settled messaging path. Anyone may prove a registered
///         rollup's MessageOutbox root (slot 0 of the predeploy) against one of its finalized
///         output roots; the hub keeps one leaf per rollup, keccak256(0x02 ‖ chainId ‖ outboxRoot),
///         at the index the rollup was first proven at, and the root of that depth-32 tree is the
///         global root every rollup learns and verifies settled messages against.
contract SettlementHub {
    /// @notice One rollup's proven outbox.
    /// @custom:field proven        Whether the rollup has a leaf.
    /// @custom:field rollupIndex   Its leaf's index.
    /// @custom:field l2OutputIndex The oracle output the outbox root was proven against.
    /// @custom:field outboxRoot    The proven outbox root.
    struct Settled {
        bool proven;
        uint32 rollupIndex;
        uint256 l2OutputIndex;
        bytes32 outboxRoot;
    }

    /// @notice The outbox predeploy whose slot 0 is proven.
    address internal constant MESSAGE_OUTBOX = 0x42000000000000000000000000000000000007A0;

    /// @notice Where the rollups' oracles are found.
    RollupRegistry public registry;

    /// @notice The leaves of the rollup tree, by rollup index.
    bytes32[] public rollupLeaves;

    /// @notice The chain id of each rollup index.
    uint256[] public rollupChainIds;

    /// @notice The global root of the rollup tree (zero before the first proof).
    bytes32 public latestGlobalRoot;

    /// @notice L1 timestamp at which each global root was first reached (0: never).
    mapping(bytes32 => uint256) public knownGlobalRoots;

    mapping(uint256 => Settled) internal settled;

    /// @notice Emitted for every proven outbox root.
    event GlobalRootUpdated(
        bytes32 indexed globalRoot, uint256 indexed chainId, bytes32 outboxRoot, uint256 l2OutputIndex, uint256 l2BlockNumber
    );

    /// @notice The oracle has no output `l2OutputIndex`.
    error UnknownOutput(uint256 l2OutputIndex);
    /// @notice The output is still inside its challenge window.
    error OutputNotFinalized(uint256 l2OutputIndex);
    /// @notice An output at or after this one was proven already.
    error OutputNotNewer(uint256 l2OutputIndex, uint256 provenOutputIndex);
    /// @notice The output root proof does not hash to the output's root.
    error InvalidOutputRootProof();
    /// @notice The account proof does not show the outbox account under the state root.
    error InvalidAccountProof();
    /// @notice The storage proof does not show `outboxRoot` in slot 0 of the outbox.
    error InvalidStorageProof();
    /// @notice The outbox is empty: nothing to settle.
    error ZeroOutboxRoot();
    /// @notice The rollup tree is full.
    error TooManyRollups();

    /// @param _registry The RollupRegistry naming each rollup's L2OutputOracle.
    constructor(address _registry) {
        registry = RollupRegistry(_registry);
    }

    /// @notice Number of rollups with a leaf.
    function rollupCount() external view returns (uint256) {
        return rollupLeaves.length;
    }

    /// @notice What the hub holds for rollup `_chainId` (all zero until it is proven).
    function settledOutbox(uint256 _chainId) external view returns (Settled memory) {
        return settled[_chainId];
    }

    /// @notice Proves rollup `_chainId`'s outbox root at output `_l2OutputIndex` of its oracle and
    ///         recomputes the global root.
    /// @param _outputRootProof The preimage of the output's root.
    /// @param _accountProof    eth_getProof `accountProof` of MESSAGE_OUTBOX under its stateRoot.
    /// @param _storageProof    eth_getProof `storageProof[0].proof` of slot 0 of MESSAGE_OUTBOX.
    /// @param _outboxRoot      The value of that slot.
    function proveOutboxRoot(
        uint256 _chainId,
        uint256 _l2OutputIndex,
        Types.OutputRootProof calldata _outputRootProof,
        bytes[] calldata _accountProof,
        bytes[] calldata _storageProof,
        bytes32 _outboxRoot
    ) external {
        Types.OutputProposal memory output = _finalizedOutput(_chainId, _l2OutputIndex);
        Settled memory s = settled[_chainId];
        if (s.proven && _l2OutputIndex <= s.l2OutputIndex) revert OutputNotNewer(_l2OutputIndex, s.l2OutputIndex);
        if (Hashing.hashOutputRootProof(_outputRootProof) != output.outputRoot) revert InvalidOutputRootProof();
        if (_outboxRoot == bytes32(0)) revert ZeroOutboxRoot();
        bytes32 storageRoot = _storageRoot(_outputRootProof.stateRoot, _accountProof);
        if (
            !SecureMerkleTrie.verifyInclusionProof(
                abi.encode(uint256(0)), _rlpWord(_outboxRoot), _storageProof, storageRoot
            )
        ) revert InvalidStorageProof();

        bytes32 newLeaf = MessageTree.rollupLeaf(_chainId, _outboxRoot);
        if (!s.proven) {
            if (rollupLeaves.length >= MessageTree.MAX_LEAVES) revert TooManyRollups();
            s.proven = true;
            s.rollupIndex = uint32(rollupLeaves.length);
            rollupLeaves.push(newLeaf);
            rollupChainIds.push(_chainId);
        } else {
            rollupLeaves[s.rollupIndex] = newLeaf;
        }
        s.l2OutputIndex = _l2OutputIndex;
        s.outboxRoot = _outboxRoot;
        settled[_chainId] = s;

        bytes32 root = MessageTree.rootOf(rollupLeaves);
        latestGlobalRoot = root;
        if (knownGlobalRoots[root] == 0) knownGlobalRoots[root] = block.timestamp;
        emit GlobalRootUpdated(root, _chainId, _outboxRoot, _l2OutputIndex, output.l2BlockNumber);
    }

    /// @dev Output `_index` of the rollup's oracle, which must be past its challenge window (as
    ///      the OptimismPortal requires before finalizing a withdrawal).
    function _finalizedOutput(uint256 _chainId, uint256 _index) internal view returns (Types.OutputProposal memory) {
        L2OutputOracle oracle = L2OutputOracle(registry.rollup(_chainId).outputOracle);
        if (_index >= oracle.nextOutputIndex()) revert UnknownOutput(_index);
        Types.OutputProposal memory output = oracle.getL2Output(_index);
        if (block.timestamp <= output.timestamp + oracle.finalizationPeriodSeconds()) {
            revert OutputNotFinalized(_index);
        }
        return output;
    }

    /// @dev The outbox account's storage root, from its account proof under `_stateRoot`.
    function _storageRoot(bytes32 _stateRoot, bytes[] calldata _accountProof) internal pure returns (bytes32) {
        (bool exists, bytes memory account) =
            SecureMerkleTrie.get(abi.encodePacked(MESSAGE_OUTBOX), _accountProof, _stateRoot);
        if (!exists) revert InvalidAccountProof();
        // rlp([nonce, balance, storageRoot, codeHash])
        RLPReader.Item[] memory fields = RLPReader.readList(RLPReader.toItem(account));
        if (fields.length != 4) revert InvalidAccountProof();
        bytes memory storageRoot = RLPReader.readBytes(fields[2]);
        if (storageRoot.length != 32) revert InvalidAccountProof();
        return bytes32(storageRoot);
    }

    /// @dev How the storage trie holds a non-zero word: rlp(the word without leading zero bytes).
    function _rlpWord(bytes32 _word) internal pure returns (bytes memory) {
        uint256 value = uint256(_word);
        uint256 len;
        for (uint256 v = value; v != 0; v >>= 8) len++;
        bytes memory trimmed = new bytes(len);
        for (uint256 i; i < len; i++) {
            trimmed[i] = bytes1(uint8(value >> (8 * (len - 1 - i))));
        }
        if (len == 1 && uint8(trimmed[0]) < 0x80) return trimmed;
        return abi.encodePacked(bytes1(uint8(0x80 + len)), trimmed);
    }
}
