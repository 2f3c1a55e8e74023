// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {InteropPredeploys} from "./InteropPredeploys.sol";
import {IERC165, IERC7802} from "./IERC7802.sol";

/// @notice ERC-20 (for its ERC-165 interface id).
interface IERC20 {
    event Transfer(address indexed from, address indexed to, uint256 amount);
    event Approval(address indexed owner, address indexed spender, uint256 amount);

    function totalSupply() external view returns (uint256);
    function balanceOf(address _owner) external view returns (uint256);
    function transfer(address _to, uint256 _amount) external returns (bool);
    function allowance(address _owner, address _spender) external view returns (uint256);
    function approve(address _spender, uint256 _amount) external returns (bool);
    function transferFrom(address _from, address _to, uint256 _amount) external returns (bool);
}

/// @title L2NativeSuperchainERC20
/// @notice Supersim's test token, at 0x420beeF000000000000000000000000000000001 on every
///         rollup: an ERC-20 with ERC-7802 (only the SuperchainTokenBridge mints and burns
///         across chains) and a permissionless `mint` / `burn` so tests can fund themselves.
///         Name, symbol, decimals, events and errors as Supersim's. Not for real value.
/// @dev No constructor: name and symbol are pure functions, balances start empty.
contract L2NativeSuperchainERC20 is IERC20, IERC7802 {
    /// @notice Minting to or burning from the zero address.
    error ZeroAddress();
    /// @notice `crosschainMint` / `crosschainBurn` not called by the SuperchainTokenBridge.
    error Unauthorized();
    /// @notice More than the balance.
    error InsufficientBalance();
    /// @notice More than the allowance.
    error InsufficientAllowance();

    /// @notice Minted by anyone through `mint`.
    event Mint(address indexed account, uint256 amount);
    /// @notice Burned by anyone through `burn`.
    event Burn(address indexed account, uint256 amount);

    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    function name() public pure returns (string memory) {
        return "L2NativeSuperchainERC20";
    }

    function symbol() public pure returns (string memory) {
        return "MOCK";
    }

    function decimals() public pure returns (uint8) {
        return 18;
    }

    /// @notice Version of OP's SuperchainERC20 whose ABI this token has.
    function version() external pure returns (string memory) {
        return "1.0.2";
    }

    /// @notice Anyone may mint (a test token).
    function mint(address _to, uint256 _amount) external {
        if (_to == address(0)) revert ZeroAddress();
        _mint(_to, _amount);
        emit Mint(_to, _amount);
    }

    /// @notice Anyone may burn anyone's tokens (a test token, as Supersim's).
    function burn(address _from, uint256 _amount) external {
        if (_from == address(0)) revert ZeroAddress();
        _burn(_from, _amount);
        emit Burn(_from, _amount);
    }

    /// @inheritdoc IERC7802
    function crosschainMint(address _to, uint256 _amount) external {
        if (msg.sender != InteropPredeploys.SUPERCHAIN_TOKEN_BRIDGE) revert Unauthorized();
        _mint(_to, _amount);
        emit CrosschainMint(_to, _amount, msg.sender);
    }

    /// @inheritdoc IERC7802
    function crosschainBurn(address _from, uint256 _amount) external {
        if (msg.sender != InteropPredeploys.SUPERCHAIN_TOKEN_BRIDGE) revert Unauthorized();
        _burn(_from, _amount);
        emit CrosschainBurn(_from, _amount, msg.sender);
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 _interfaceId) public pure returns (bool) {
        return _interfaceId == type(IERC7802).interfaceId || _interfaceId == type(IERC20).interfaceId
            || _interfaceId == type(IERC165).interfaceId;
    }

    function transfer(address _to, uint256 _amount) external returns (bool) {
        _transfer(msg.sender, _to, _amount);
        return true;
    }

    function approve(address _spender, uint256 _amount) external returns (bool) {
        allowance[msg.sender][_spender] = _amount;
        emit Approval(msg.sender, _spender, _amount);
        return true;
    }

    /// @dev An allowance of type(uint256).max is never spent down (as Solady's ERC20).
    function transferFrom(address _from, address _to, uint256 _amount) external returns (bool) {
        uint256 allowed = allowance[_from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < _amount) revert InsufficientAllowance();
            allowance[_from][msg.sender] = allowed - _amount;
        }
        _transfer(_from, _to, _amount);
        return true;
    }

    function _transfer(address _from, address _to, uint256 _amount) internal {
        uint256 balance = balanceOf[_from];
        if (balance < _amount) revert InsufficientBalance();
        unchecked {
            balanceOf[_from] = balance - _amount;
        }
        balanceOf[_to] += _amount;
        emit Transfer(_from, _to, _amount);
    }

    function _mint(address _to, uint256 _amount) internal {
        totalSupply += _amount;
        unchecked {
            balanceOf[_to] += _amount; // cannot overflow: bounded by totalSupply
        }
        emit Transfer(address(0), _to, _amount);
    }

    function _burn(address _from, uint256 _amount) internal {
        uint256 balance = balanceOf[_from];
        if (balance < _amount) revert InsufficientBalance();
        unchecked {
            balanceOf[_from] = balance - _amount;
            totalSupply -= _amount; // cannot underflow: totalSupply >= balance
        }
        emit Transfer(_from, address(0), _amount);
    }
}
