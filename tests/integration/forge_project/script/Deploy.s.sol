// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Greeter} from "../src/Greeter.sol";

/// The subset of forge's cheatcode interface this script needs (declared inline: no forge-std).
interface Vm {
    function startBroadcast() external;
    function stopBroadcast() external;
}

contract Deploy {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    function run() external returns (Greeter greeter) {
        vm.startBroadcast();
        greeter = new Greeter("hello, crossroll");
        greeter.setGreeting("hello again");
        vm.stopBroadcast();
    }
}
