"""A tiny hand-assembled contract and the first dev accounts, shared by the RPC tests."""

from __future__ import annotations

KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ADDR0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
ADDR1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"

# Runtime: no calldata -> mstore(0, 0xaa); log1(0, 32, topic=1); stop.
#          calldata    -> revert with the calldata as revert data.
RUNTIME = (
    "36601157" + "60aa600052" + "600160206000a1" + "00" + "5b" + "3660006000" + "37" + "366000fd"
)
INITCODE = "0x601c600c600039601c6000f3" + RUNTIME
