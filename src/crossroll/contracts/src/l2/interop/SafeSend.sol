// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Send ETH without calling the recipient, as OP's SafeSend contract does: create a
///         contract whose init code is `PUSH20 recipient SELFDESTRUCT` with the value. Created
///         and destroyed in one step, so EIP-6780 still moves the balance; no recipient code
///         runs and no recipient can make the send fail.
library SafeSend {
    /// @dev Reverts with no data if the create fails (not enough balance, call depth), as a
    ///      failed `new SafeSend{value: _amount}(_to)` does in OP's contracts.
    function send(address _to, uint256 _amount) internal {
        assembly {
            // 0x73 ‖ _to ‖ 0xff: 22 bytes of init code in scratch space.
            mstore(0, or(or(shl(248, 0x73), shl(88, _to)), shl(80, 0xff)))
            if iszero(create(_amount, 0, 22)) { revert(0, 0) }
        }
    }
}
