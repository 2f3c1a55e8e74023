// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MerkleTrie, SecureMerkleTrie} from "./lib/MerkleTrie.sol";
import {RLPReader} from "./lib/RLPReader.sol";

/// @title SettlementProbe
/// @notice Test surface for the settlement contracts: exposes the trie library, acts as a contract
///         caller (`forward`, for aliasing and EOA checks) and as a withdrawal target that records how
///         it was called, can be told to revert, and can re-enter its caller.
contract SettlementProbe {
    /// @notice Number of calls received by the fallback.
    uint256 public calls;
    /// @notice msg.sender, msg.value and calldata of the last fallback call.
    address public lastCaller;
    uint256 public lastValue;
    bytes public lastData;
    /// @notice The caller's `l2Sender()` during the last fallback call (zero if it has none).
    address public lastL2Sender;
    /// @notice Outcome of the last re-entrant call made from the fallback.
    bool public reenterOk;
    bytes public reenterResult;

    bool internal shouldRevert;
    bytes internal reenterData;

    /// @notice Makes the fallback revert (or not).
    function setRevert(bool _revert) external {
        shouldRevert = _revert;
    }

    /// @notice Makes the fallback call its caller back with `_data` (empty: no call).
    function setReenter(bytes calldata _data) external {
        reenterData = _data;
    }

    /// @notice Calls `_target` with `msg.value` and `_data`, bubbling up a revert.
    function forward(address _target, bytes calldata _data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = _target.call{value: msg.value}(_data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    /// @notice MerkleTrie.get.
    function trieGet(bytes calldata _key, bytes[] calldata _proof, bytes32 _root)
        external
        pure
        returns (bool exists, bytes memory value)
    {
        return MerkleTrie.get(_key, _proof, _root);
    }

    /// @notice SecureMerkleTrie.get.
    function secureTrieGet(bytes calldata _key, bytes[] calldata _proof, bytes32 _root)
        external
        pure
        returns (bool exists, bytes memory value)
    {
        return SecureMerkleTrie.get(_key, _proof, _root);
    }

    /// @notice SecureMerkleTrie.verifyInclusionProof.
    function secureVerifyInclusion(bytes calldata _key, bytes calldata _value, bytes[] calldata _proof, bytes32 _root)
        external
        pure
        returns (bool)
    {
        return SecureMerkleTrie.verifyInclusionProof(_key, _value, _proof, _root);
    }

    /// @notice RLPReader.readList: the raw encodings of the items of `_data`.
    function rlpItems(bytes calldata _data) external pure returns (bytes[] memory out) {
        RLPReader.Item[] memory items = RLPReader.readList(RLPReader.toItem(_data));
        out = new bytes[](items.length);
        for (uint256 i; i < items.length; i++) {
            bytes memory raw = new bytes(items[i].len);
            uint256 src = items[i].ptr;
            uint256 len = items[i].len;
            assembly ("memory-safe") {
                mcopy(add(raw, 32), src, len)
            }
            out[i] = raw;
        }
    }

    fallback() external payable {
        _record();
    }

    receive() external payable {
        _record();
    }

    function _record() internal {
        if (shouldRevert) revert("SettlementProbe: told to revert");
        calls++;
        lastCaller = msg.sender;
        lastValue = msg.value;
        lastData = msg.data;
        lastL2Sender = address(0);
        if (msg.sender.code.length > 0) {
            (bool ok, bytes memory ret) = msg.sender.staticcall(abi.encodeWithSignature("l2Sender()"));
            if (ok && ret.length == 32) lastL2Sender = abi.decode(ret, (address));
        }
        if (reenterData.length > 0) {
            (reenterOk, reenterResult) = msg.sender.call(reenterData);
        }
    }
}
