"""EIP-55 checksummed addresses, for what crossroll prints and reports."""

from __future__ import annotations


def checksum(address: bytes) -> str:
    """EIP-55 mixed-case hex."""
    from eth_hash.auto import keccak

    hexaddr = address.hex()
    digest = keccak(hexaddr.encode()).hex()
    return "0x" + "".join(
        c.upper() if int(d, 16) >= 8 else c for c, d in zip(hexaddr, digest[:40], strict=True)
    )
