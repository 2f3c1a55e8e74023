"""Hex encoding at the JSON-RPC edge: strict decoders for request parameters and
encoders that turn :mod:`crossroll.types` values into the JSON shapes anvil answers.

Decoders raise :class:`~crossroll.errors.InvalidParams` with geth's wording
(``hex string without 0x prefix``, ``hex number with leading zero digits``, ...);
the dispatcher prefixes the argument position (``invalid argument 0: ...``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import types
from ..chain import blobtx
from ..errors import InvalidParams
from ..types import Address, Block, BlockHeader, BlockRef, CallRequest, Hash32, Log, Transaction

BLOCK_TAGS = ("latest", "earliest", "pending", "safe", "finalized")
_HEX = frozenset("0123456789abcdefABCDEF")
_MAX_UINT256 = (1 << 256) - 1


# ------------------------------------------------------------------ encoding
def quantity(value: int) -> str:
    """An int as a minimal hex quantity (``0x0``, ``0x1a``)."""
    if value < 0:
        raise ValueError(f"negative quantity {value}")
    return hex(value)


def data(value: bytes) -> str:
    """Bytes as ``0x``-prefixed lowercase hex (``0x`` for empty)."""
    return "0x" + value.hex()


def maybe_data(value: bytes | None) -> str | None:
    return None if value is None else data(value)


def word(value: int) -> str:
    """An int as a 32-byte big-endian hex word."""
    return "0x" + value.to_bytes(32, "big").hex()


# ------------------------------------------------------------------ decoding
def _need_str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidParams(
            f"json: cannot unmarshal {_json_kind(value)} into Go value of type {what}"
        )
    return value


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "non-string"


def _strip_prefix(text: str) -> str:
    if not text.startswith(("0x", "0X")):
        if text == "":
            raise InvalidParams("empty hex string")
        raise InvalidParams("hex string without 0x prefix")
    return text[2:]


def decode_quantity(value: Any, *, bits: int = 256) -> int:
    """A hex quantity as geth's hexutil.Big: no empty ``0x``, no leading zeros.

    Plain non-negative JSON integers are accepted too (hardhat tooling sends them).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0 or value.bit_length() > bits:
            raise InvalidParams(f"hex number > {bits} bits")
        return value
    digits = _strip_prefix(_need_str(value, "hexutil.Big"))
    if digits == "":
        raise InvalidParams('hex string "0x"')
    if len(digits) > 1 and digits[0] == "0":
        raise InvalidParams("hex number with leading zero digits")
    if not _HEX.issuperset(digits):
        raise InvalidParams("invalid hex string")
    number = int(digits, 16)
    if number.bit_length() > bits:
        raise InvalidParams(f"hex number > {bits} bits")
    return number


def decode_uint64(value: Any) -> int:
    return decode_quantity(value, bits=64)


def decode_data(value: Any) -> bytes:
    """``0x``-prefixed hex bytes of any even length (``0x`` is empty bytes)."""
    digits = _strip_prefix(_need_str(value, "hexutil.Bytes"))
    if len(digits) % 2:
        raise InvalidParams("hex string has odd length")
    if not _HEX.issuperset(digits):
        raise InvalidParams("invalid hex string")
    return bytes.fromhex(digits)


def _decode_fixed(value: Any, size: int, go_type: str) -> bytes:
    digits = _strip_prefix(_need_str(value, go_type))
    if len(digits) != 2 * size:
        raise InvalidParams(f"hex string has length {len(digits)}, want {2 * size} for {go_type}")
    if not _HEX.issuperset(digits):
        raise InvalidParams("invalid hex string")
    return bytes.fromhex(digits)


def decode_address(value: Any) -> Address:
    return _decode_fixed(value, 20, "common.Address")


def decode_hash(value: Any) -> Hash32:
    return _decode_fixed(value, 32, "common.Hash")


def decode_slot(value: Any) -> int:
    """A storage key: any hex up to 32 bytes, leading zeros allowed (geth's
    eth_getStorageAt accepts ``0x0`` and full 32-byte words alike)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return decode_quantity(value)
    digits = _strip_prefix(_need_str(value, "string"))
    if digits == "":
        raise InvalidParams('hex string "0x"')
    if len(digits) > 64:
        raise InvalidParams("hex string too long, want at most 32 bytes")
    if not _HEX.issuperset(digits):
        raise InvalidParams("invalid hex string")
    return int(digits, 16)


def decode_word(value: Any) -> int:
    """A storage value for anvil_setStorageAt: a 32-byte word or a quantity."""
    return decode_slot(value)


def decode_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidParams(
            f"json: cannot unmarshal {_json_kind(value)} into Go value of type bool"
        )
    return value


def decode_number(value: Any) -> float:
    """A plain JSON number (or hex quantity), e.g. seconds for interval mining."""
    if isinstance(value, bool):
        raise InvalidParams("json: cannot unmarshal bool into Go value of type float64")
    if isinstance(value, int | float):
        if value < 0:
            raise InvalidParams("expected a non-negative number")
        return float(value)
    return float(decode_quantity(value))


def decode_block_number(value: Any) -> BlockRef:
    """A block number param: a tag or a hex number (geth's rpc.BlockNumber)."""
    if isinstance(value, str):
        tag = value.strip()
        if tag in BLOCK_TAGS:
            return tag  # type: ignore[return-value]
    elif value is None:
        return "latest"
    return decode_uint64(value)


def decode_block_ref(value: Any) -> BlockRef:
    """A block param for state reads: tag, number, 32-byte hash, or an EIP-1898
    ``{"blockHash": ..., "requireCanonical": ...}`` / ``{"blockNumber": ...}`` object."""
    if isinstance(value, Mapping):
        has_hash = "blockHash" in value
        has_number = "blockNumber" in value
        if has_hash and has_number:
            raise InvalidParams(
                "cannot specify both BlockHash and BlockNumber, choose one or the other"
            )
        if has_hash:
            return decode_hash(value["blockHash"])
        if has_number:
            return decode_block_number(value["blockNumber"])
        raise InvalidParams("invalid block number or hash")
    if isinstance(value, str) and len(value) == 66:
        return decode_hash(value)
    return decode_block_number(value)


def decode_access_list(value: Any) -> tuple[types.AccessListEntry, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidParams("accessList: expected an array")
    entries = []
    for item in value:
        if not isinstance(item, Mapping):
            raise InvalidParams("accessList: expected objects")
        keys = item.get("storageKeys") or []
        if not isinstance(keys, list):
            raise InvalidParams("accessList: storageKeys must be an array")
        entries.append(
            types.AccessListEntry(
                address=decode_address(item.get("address")),
                storage_keys=tuple(decode_hash(k) for k in keys),
            )
        )
    return tuple(entries)


def _opt(obj: Mapping[str, Any], key: str, decode: Any) -> Any:
    value = obj.get(key)
    return None if value is None else decode(value)


def decode_call_request(value: Any) -> CallRequest:
    """A transaction-call object (eth_call, eth_estimateGas, eth_sendTransaction)."""
    if not isinstance(value, Mapping):
        raise InvalidParams(
            f"json: cannot unmarshal {_json_kind(value)} into Go value of type ethapi.TransactionArgs"
        )
    raw_input = value.get("input")
    raw_data = value.get("data")
    payload = b""
    if raw_input is not None and raw_data is not None:
        a, b = decode_data(raw_input), decode_data(raw_data)
        if a != b:
            raise InvalidParams(
                'both "data" and "input" are set and not equal. Please use "input" to pass transaction call data'
            )
        payload = a
    elif raw_input is not None:
        payload = decode_data(raw_input)
    elif raw_data is not None:
        payload = decode_data(raw_data)
    value_wei = _opt(value, "value", decode_quantity)
    return CallRequest(
        sender=_opt(value, "from", decode_address),
        to=_opt(value, "to", decode_address),
        gas=_opt(value, "gas", decode_uint64),
        gas_price=_opt(value, "gasPrice", decode_quantity),
        max_fee_per_gas=_opt(value, "maxFeePerGas", decode_quantity),
        max_priority_fee_per_gas=_opt(value, "maxPriorityFeePerGas", decode_quantity),
        value=0 if value_wei is None else value_wei,
        data=payload,
        nonce=_opt(value, "nonce", decode_uint64),
        access_list=decode_access_list(value.get("accessList")),
        type=_opt(value, "type", decode_uint64),
    )


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """A log filter as the client sent it; block tags resolve when it is used."""

    from_block: BlockRef = "latest"
    to_block: BlockRef = "latest"
    addresses: tuple[Address, ...] = ()
    topics: tuple[tuple[Hash32, ...] | None, ...] = ()
    block_hash: Hash32 | None = None


def decode_filter(value: Any) -> FilterSpec:
    if value is None:
        return FilterSpec()
    if not isinstance(value, Mapping):
        raise InvalidParams(
            f"json: cannot unmarshal {_json_kind(value)} into Go value of type filters.FilterCriteria"
        )
    block_hash = _opt(value, "blockHash", decode_hash)
    if block_hash is not None and (
        value.get("fromBlock") is not None or value.get("toBlock") is not None
    ):
        raise InvalidParams(
            "cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other"
        )
    raw_addr = value.get("address")
    if raw_addr is None:
        addresses: tuple[Address, ...] = ()
    elif isinstance(raw_addr, list):
        addresses = tuple(decode_address(a) for a in raw_addr)
    else:
        addresses = (decode_address(raw_addr),)
    raw_topics = value.get("topics") or []
    if not isinstance(raw_topics, list):
        raise InvalidParams("invalid topics: expected an array")
    if len(raw_topics) > 4:
        raise InvalidParams("exceed max topics")
    topics: list[tuple[Hash32, ...] | None] = []
    for position in raw_topics:
        if position is None:
            topics.append(None)
        elif isinstance(position, list):
            options = tuple(decode_hash(t) for t in position if t is not None)
            topics.append(options if options and None not in position else None)
        else:
            topics.append((decode_hash(position),))
    return FilterSpec(
        from_block=decode_block_number(value.get("fromBlock")),
        to_block=decode_block_number(value.get("toBlock")),
        addresses=addresses,
        topics=tuple(topics),
        block_hash=block_hash,
    )


def decode_percentiles(value: Any) -> tuple[float, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(p, int | float) and not isinstance(p, bool) for p in value
    ):
        raise InvalidParams("json: cannot unmarshal into Go value of type []float64")
    floats = tuple(float(p) for p in value)
    for i, p in enumerate(floats):
        if not 0 <= p <= 100:
            raise InvalidParams(f"invalid reward percentile: {p}")
        if i and p < floats[i - 1]:
            raise InvalidParams(f"invalid reward percentile: #{i - 1}:{floats[i - 1]} >= #{i}:{p}")
    return floats


def decode_slots(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise InvalidParams("storage keys: expected an array")
    return tuple(decode_slot(k) for k in value)


# ------------------------------------------------------------- to-JSON values
def log_json(log: Log, block_timestamp: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "address": data(log.address),
        "topics": [data(t) for t in log.topics],
        "data": data(log.data),
        "blockHash": data(log.block_hash),
        "blockNumber": quantity(log.block_number),
    }
    if block_timestamp is not None:
        out["blockTimestamp"] = quantity(block_timestamp)
    out["transactionHash"] = data(log.transaction_hash)
    out["transactionIndex"] = quantity(log.transaction_index)
    out["logIndex"] = quantity(log.log_index)
    out["removed"] = log.removed
    return out


def _access_list_json(entries: Sequence[types.AccessListEntry]) -> list[dict[str, Any]]:
    return [
        {"address": data(e.address), "storageKeys": [data(k) for k in e.storage_keys]}
        for e in entries
    ]


def y_parity(tx: Transaction) -> int:
    if tx.type == 0:
        if tx.v in (27, 28):
            return tx.v - 27
        return (tx.v - 35) % 2 if tx.v >= 35 else tx.v % 2
    return tx.v


def transaction_json(
    tx: Transaction,
    block: Block | None = None,
    index: int | None = None,
    *,
    pending_base_fee: int | None = None,
) -> dict[str, Any]:
    """A transaction as anvil answers it: per-type fields, then hash, block
    position (null while pending), ``from``, effective ``gasPrice``."""
    if tx.is_deposit:
        return deposit_transaction_json(tx, block, index)
    out: dict[str, Any] = {"type": quantity(tx.type)}
    if tx.chain_id is not None:
        out["chainId"] = quantity(tx.chain_id)
    out["nonce"] = quantity(tx.nonce)
    if tx.type in (2, 3):
        out["gas"] = quantity(tx.gas)
        out["maxFeePerGas"] = quantity(tx.max_fee_per_gas or 0)
        out["maxPriorityFeePerGas"] = quantity(tx.max_priority_fee_per_gas or 0)
    else:
        out["gasPrice"] = quantity(tx.gas_price or 0)
        out["gas"] = quantity(tx.gas)
    out["to"] = maybe_data(tx.to)
    out["value"] = quantity(tx.value)
    if tx.type >= 1:
        out["accessList"] = _access_list_json(tx.access_list)
    hashes = blobtx.blob_hashes(tx)
    put_present(
        out,
        ("blobVersionedHashes", lambda hs: [data(h) for h in hs], hashes),
        ("maxFeePerBlobGas", quantity, blobtx.max_fee_per_blob_gas(tx)),
    )
    out["input"] = data(tx.data)
    out["r"] = quantity(tx.r)
    out["s"] = quantity(tx.s)
    if tx.type >= 1:
        out["yParity"] = quantity(y_parity(tx))
    out["v"] = quantity(tx.v)
    out["hash"] = data(tx.hash)
    put_position(out, tx, block, index)
    out["from"] = data(tx.sender)
    if tx.type in (2, 3):
        base_fee = block.header.base_fee_per_gas if block is not None else pending_base_fee
        if base_fee is None:
            out["gasPrice"] = quantity(tx.fee_cap)
        else:
            out["gasPrice"] = quantity(tx.effective_gas_price(base_fee))
    if block is not None:
        out["blockTimestamp"] = quantity(block.header.timestamp)
    return out


def put_position(
    out: dict[str, Any], tx: Transaction, block: Block | None, index: int | None
) -> int | None:
    """blockHash, blockNumber and transactionIndex of ``tx`` (null while pending);
    returns its index in the block."""
    if block is None:
        out["blockHash"] = out["blockNumber"] = out["transactionIndex"] = None
        return None
    if index is None:
        index = next(i for i, t in enumerate(block.transactions) if t.hash == tx.hash)
    out["blockHash"] = data(block.hash)
    out["blockNumber"] = quantity(block.number)
    out["transactionIndex"] = quantity(index)
    return index


def deposit_transaction_json(
    tx: Transaction, block: Block | None = None, index: int | None = None
) -> dict[str, Any]:
    """An OP-Stack deposit (type 0x7E) as op-geth answers it: no signature (v, r, s
    zero), gas price 0, ``sourceHash``, ``mint``, ``isSystemTx`` only when true, and
    once mined ``nonce`` = the deposit nonce and ``depositReceiptVersion``."""
    out: dict[str, Any] = {
        "type": quantity(tx.type),
        "sourceHash": data(tx.source_hash or b"\x00" * 32),
        "from": data(tx.sender),
        "to": maybe_data(tx.to),
        "mint": quantity(tx.mint or 0),
        "value": quantity(tx.value),
        "gas": quantity(tx.gas),
        "gasPrice": "0x0",
        "input": data(tx.data),
        "nonce": quantity(tx.nonce),
    }
    if tx.is_system_tx:
        out["isSystemTx"] = True
    out["v"] = out["r"] = out["s"] = "0x0"
    out["hash"] = data(tx.hash)
    index = put_position(out, tx, block, index)
    if block is not None and index is not None:
        version = block.receipts[index].deposit_receipt_version if block.receipts else None
        if version is not None:
            out["depositReceiptVersion"] = quantity(version)
        out["blockTimestamp"] = quantity(block.header.timestamp)
    return out


def blob_base_fee(excess_blob_gas: int) -> int:
    """EIP-4844 fake_exponential(MIN_BLOB_GASPRICE, excess, UPDATE_FRACTION) (Cancun)."""
    factor, numerator, denominator = 1, excess_blob_gas, 3338477
    i, output, accum = 1, 0, factor * denominator
    while accum > 0:
        output += accum
        accum = accum * numerator // (denominator * i)
        i += 1
    return output // denominator


def put_present(out: dict[str, Any], *fields: tuple[str, Callable[[Any], Any], Any]) -> None:
    """Add ``key: encode(value)`` for each field whose value is not None (fork- and
    type-specific fields are left out, as geth and anvil do)."""
    for key, encode, value in fields:
        if value is not None:
            out[key] = encode(value)


def receipt_json(
    receipt: types.Receipt,
    header: BlockHeader | None = None,
    tx: Transaction | None = None,
) -> dict[str, Any]:
    """A receipt as anvil answers it; ``tx`` (the receipt's transaction) adds
    ``blobGasUsed`` for a blob transaction."""
    timestamp = header.timestamp if header is not None else None
    out: dict[str, Any] = {
        "type": quantity(receipt.type),
        "status": quantity(receipt.status),
        "cumulativeGasUsed": quantity(receipt.cumulative_gas_used),
        "logs": [log_json(log, timestamp) for log in receipt.logs],
        "logsBloom": data(receipt.logs_bloom),
        "transactionHash": data(receipt.transaction_hash),
        "transactionIndex": quantity(receipt.transaction_index),
        "blockHash": data(receipt.block_hash),
        "blockNumber": quantity(receipt.block_number),
        "gasUsed": quantity(receipt.gas_used),
        "effectiveGasPrice": quantity(receipt.effective_gas_price),
    }
    excess_blob_gas = header.excess_blob_gas if header is not None else None
    put_present(
        out,
        ("depositNonce", quantity, receipt.deposit_nonce),
        ("depositReceiptVersion", quantity, receipt.deposit_receipt_version),
        ("blobGasUsed", quantity, None if tx is None else blobtx.blob_gas(tx)),
        ("blobGasPrice", lambda x: quantity(blob_base_fee(x)), excess_blob_gas),
    )
    out["from"] = data(receipt.sender)
    out["to"] = maybe_data(receipt.to)
    out["contractAddress"] = maybe_data(receipt.contract_address)
    if timestamp is not None:
        out["blockTimestamp"] = quantity(timestamp)
    return out


def header_json(header: BlockHeader) -> dict[str, Any]:
    """Header fields in anvil's order (also the ``newHeads`` subscription payload)."""
    h = header
    out: dict[str, Any] = {
        "hash": data(h.hash),
        "parentHash": data(h.parent_hash),
        "sha3Uncles": data(h.uncles_hash),
        "miner": data(h.coinbase),
        "stateRoot": data(h.state_root),
        "transactionsRoot": data(h.transactions_root),
        "receiptsRoot": data(h.receipts_root),
        "logsBloom": data(h.logs_bloom),
        "difficulty": quantity(h.difficulty),
        "number": quantity(h.number),
        "gasLimit": quantity(h.gas_limit),
        "gasUsed": quantity(h.gas_used),
        "timestamp": quantity(h.timestamp),
        "extraData": data(h.extra_data),
        "mixHash": data(h.mix_hash),
        "nonce": data(h.nonce),
    }
    put_present(
        out,
        ("baseFeePerGas", quantity, h.base_fee_per_gas),
        ("withdrawalsRoot", data, h.withdrawals_root),
        ("blobGasUsed", quantity, h.blob_gas_used),
        ("excessBlobGas", quantity, h.excess_blob_gas),
        ("parentBeaconBlockRoot", data, h.parent_beacon_block_root),
    )
    return out


def block_json(block: Block, full_transactions: bool = False) -> dict[str, Any]:
    out = header_json(block.header)
    out["totalDifficulty"] = "0x0"
    out["size"] = quantity(block.header.size)
    out["uncles"] = []
    if full_transactions:
        out["transactions"] = [
            transaction_json(tx, block, i) for i, tx in enumerate(block.transactions)
        ]
    else:
        out["transactions"] = [data(tx.hash) for tx in block.transactions]
    if block.header.withdrawals_root is not None:
        out["withdrawals"] = []
    return out


def fee_history_json(history: types.FeeHistory) -> dict[str, Any]:
    out: dict[str, Any] = {
        "oldestBlock": quantity(history.oldest_block),
        "baseFeePerGas": [quantity(f) for f in history.base_fee_per_gas],
        "gasUsedRatio": list(history.gas_used_ratio),
    }
    if history.reward is not None:
        out["reward"] = [[quantity(r) for r in row] for row in history.reward]
    return out


def proof_json(proof: types.AccountProof) -> dict[str, Any]:
    return {
        "address": data(proof.address),
        "balance": quantity(proof.balance),
        "codeHash": data(proof.code_hash),
        "nonce": quantity(proof.nonce),
        "storageHash": data(proof.storage_hash),
        "accountProof": [data(node) for node in proof.account_proof],
        "storageProof": [
            {"key": word(sp.key), "value": quantity(sp.value), "proof": [data(n) for n in sp.proof]}
            for sp in proof.storage_proof
        ],
    }


def check_uint256(value: int) -> int:
    if not 0 <= value <= _MAX_UINT256:
        raise InvalidParams("value out of uint256 range")
    return value
