"""py-evm VM classes with crossroll's (anvil-compatible) header rules."""

from __future__ import annotations

from typing import Any

from eth.abc import BlockHeaderAPI
from eth.validation import validate_gas_limit
from eth.vm.base import VM
from eth.vm.forks import CancunVM, PragueVM, ShanghaiVM
from eth_utils import ValidationError

from ...errors import ConfigError
from ..fees import next_base_fee

FORKS: dict[str, type[VM]] = {"shanghai": ShanghaiVM, "cancun": CancunVM, "prague": PragueVM}


def expected_base_fee(parent: BlockHeaderAPI) -> int:
    """Base fee of the child of ``parent``.

    Deliberate anvil compatibility: anvil gives block 1 the genesis base fee
    unchanged (an empty genesis would otherwise lower it by 1/8); from block 2
    on the usual EIP-1559 update applies.  Both header creation and header
    validation go through this function, so built blocks also validate.
    """
    return next_base_fee(
        parent.block_number, parent.gas_limit, parent.gas_used, parent.base_fee_per_gas or 0
    )


def make_vm_class(hardfork: str) -> type[VM]:
    """A subclass of the fork's VM whose base fee follows :func:`expected_base_fee`."""
    try:
        base = FORKS[hardfork]
    except KeyError:
        raise ConfigError(f"unsupported hardfork {hardfork!r}") from None
    fork_create = base.create_header_from_parent

    def create_header_from_parent(
        parent_header: BlockHeaderAPI | None, **header_params: Any
    ) -> BlockHeaderAPI:
        if parent_header is None:  # genesis: the configured base fee stands
            return fork_create(parent_header, **header_params)  # type: ignore[arg-type]
        header_params.pop("base_fee_per_gas", None)
        header = fork_create(parent_header, **header_params)
        return header.copy(base_fee_per_gas=expected_base_fee(parent_header))

    def validate_header(
        cls: type[VM], header: BlockHeaderAPI, parent_header: BlockHeaderAPI
    ) -> None:
        # anvil accepts a block with its parent's timestamp (evm_setNextBlockTimestamp
        # to the head's time); py-evm wants strictly later, so compare against a
        # parent one second earlier in that one case.
        if parent_header is not None and header.timestamp == parent_header.timestamp:
            parent_header = parent_header.copy(timestamp=parent_header.timestamp - 1)
        base.validate_header.__func__(cls, header, parent_header)  # type: ignore[attr-defined]

    def validate_gas(cls: type[VM], header: BlockHeaderAPI, parent_header: BlockHeaderAPI) -> None:
        validate_gas_limit(header.gas_limit, parent_header.gas_limit)
        expected = expected_base_fee(parent_header)
        if header.base_fee_per_gas != expected:
            raise ValidationError(
                f"Header has invalid base fee per gas (has {header.base_fee_per_gas},"
                f" expected {expected})"
            )

    return type(
        f"Crossroll{base.__name__}",
        (base,),
        {
            "create_header_from_parent": staticmethod(create_header_from_parent),
            "validate_gas": classmethod(validate_gas),
            "validate_header": classmethod(validate_header),
        },
    )
