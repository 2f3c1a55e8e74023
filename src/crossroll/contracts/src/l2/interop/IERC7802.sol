// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice ERC-165.
interface IERC165 {
    function supportsInterface(bytes4 _interfaceId) external view returns (bool);
}

/// @notice ERC-7802: tokens a bridge may mint and burn across chains (interface id 0x33331994).
interface IERC7802 is IERC165 {
    event CrosschainMint(address indexed to, uint256 amount, address indexed sender);
    event CrosschainBurn(address indexed from, uint256 amount, address indexed sender);

    function crosschainMint(address _to, uint256 _amount) external;

    function crosschainBurn(address _from, uint256 _amount) external;
}
