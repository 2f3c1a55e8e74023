// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title SafeCall
/// @notice A call that guarantees the callee at least a given amount of gas and ignores return data.
library SafeCall {
    /// @notice Gas kept aside for the CALL itself (cold account, value transfer, new account) and the
    ///         few instructions between the check and the CALL.
    uint256 internal constant CALL_RESERVE = 40_000;

    /// @notice Whether, after EIP-150's 63/64 rule, a CALL made now can hand `_minGas` to the callee.
    function hasMinGas(uint256 _minGas, uint256 _reservedGas) internal view returns (bool) {
        return gasleft() * 63 >= _minGas * 64 + (CALL_RESERVE + _reservedGas) * 63;
    }

    /// @notice Calls `_target` with `_value` and `_data`, reverting with "SafeCall: Not enough gas"
    ///         unless the callee is guaranteed at least `_minGas`. The return data is never copied, so
    ///         a callee cannot grief the caller with a huge return buffer.
    /// @return success Whether the call succeeded.
    function callWithMinGas(address _target, uint256 _minGas, uint256 _value, bytes memory _data)
        internal
        returns (bool success)
    {
        if (!hasMinGas(_minGas, 0)) revert("SafeCall: Not enough gas");
        assembly ("memory-safe") {
            success := call(gas(), _target, _value, add(_data, 32), mload(_data), 0, 0)
        }
    }
}
