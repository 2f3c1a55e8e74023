"""Base fee rule and fee history (EIP-1559), as anvil and geth compute them."""

from __future__ import annotations

from collections.abc import Sequence

from ..types import Block, BlockHeader

ELASTICITY = 2
CHANGE_DENOMINATOR = 8


def next_base_fee(number: int, gas_limit: int, gas_used: int, base_fee: int) -> int:
    """Base fee of the child of a block with these fields.

    Deliberate anvil compatibility: the child of the genesis block (block 1)
    keeps the genesis base fee; from block 2 on the EIP-1559 update applies.
    """
    if number == 0:
        return base_fee
    target = gas_limit // ELASTICITY
    if gas_used == target:
        return base_fee
    if gas_used > target:
        delta = max(base_fee * (gas_used - target) // target // CHANGE_DENOMINATOR, 1)
        return base_fee + delta
    delta = base_fee * (target - gas_used) // target // CHANGE_DENOMINATOR
    return max(base_fee - delta, 0)


def child_base_fee(header: BlockHeader) -> int:
    return next_base_fee(
        header.number, header.gas_limit, header.gas_used, header.base_fee_per_gas or 0
    )


def block_rewards(block: Block, percentiles: Sequence[float]) -> tuple[int, ...]:
    """geth's reward percentiles: effective tips sorted, weighted by gas used."""
    if not block.transactions:
        return tuple(0 for _ in percentiles)
    base_fee = block.header.base_fee_per_gas or 0
    tips = sorted(  # deposits pay no tip (op-geth: their gas price is 0, not a negative tip)
        (0 if tx.is_deposit else tx.effective_gas_price(base_fee) - base_fee, rc.gas_used)
        for tx, rc in zip(block.transactions, block.receipts, strict=True)
    )
    total = block.header.gas_used
    out: list[int] = []
    index, cumulative = 0, tips[0][1]
    for p in percentiles:
        threshold = total * p / 100
        while cumulative < threshold and index < len(tips) - 1:
            index += 1
            cumulative += tips[index][1]
        out.append(tips[index][0])
    return tuple(out)
