// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

contract Greeter {
    string public greeting;

    constructor(string memory greeting_) {
        greeting = greeting_;
    }

    function setGreeting(string calldata greeting_) external {
        greeting = greeting_;
    }
}
