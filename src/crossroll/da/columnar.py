"""The columnar batch codec: OP-span-batch-like, fields split into columns.

Instead of one RLP list per transaction, every field gets its own column (types,
nonces, gas limits, fees, ``to`` indexes into an address dictionary, selectors,
values, calldata, access lists, y-parity bits, r, s), block numbers and timestamps are
deltas, so the compressor sees runs of similar bytes.  Each transaction is rebuilt from
its fields and re-encoded (:mod:`crossroll.da.txfields`), which gives back the exact raw
signed bytes.

Layout: ``version ‖ (uvarint(len(column)) ‖ column)*`` in the order of :data:`COLUMNS`.

:class:`UnsignedColumnarCodec` drops the signatures and stores each sender (dictionary
indexed) instead.  **Only valid for validity-proven settlement**, where the proof attests
the signatures; it cannot rebuild signed transactions, so it decodes to
:func:`unsigned_form` (``sender ‖ signing message``) and is not in
:func:`crossroll.da.batch.codecs`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import rlp
from eth_keys import keys
from eth_utils import keccak

from ..errors import DecodingError, EncodingError
from . import txfields
from .batch import Batch, BatchCodec, L2BlockData
from .columns import Reader, pack_bits, unpack_bits, write_uvarint, zigzag
from .txfields import TxFields

COLUMNAR_VERSION = 0x01
UNSIGNED_COLUMNAR_VERSION = 0x81

COLUMNS = (
    "blocks",
    "parents",
    "tx_counts",
    "types",
    "chain_ids",
    "protected",
    "creation",
    "nonces",
    "gas",
    "gas_prices",
    "tips",
    "to_dict",
    "to_index",
    "values",
    "data_lens",
    "selectors",
    "calldata",
    "access_lists",
    "y_parity",
    "r",
    "s",
)
UNSIGNED_COLUMNS = (*COLUMNS[:-3], "sender_dict", "sender_index")


def _dictionary(items: list[bytes]) -> tuple[bytes, bytearray]:
    """(uvarint count ‖ entries in first-seen order, uvarint index per item)."""
    index: dict[bytes, int] = {}
    table, refs = bytearray(), bytearray()
    for item in items:
        if item not in index:
            index[item] = len(index)
        write_uvarint(refs, index[item])
    write_uvarint(table, len(index))
    for item in index:
        table += item
    return bytes(table), refs


def _read_dictionary(table: Reader, width: int) -> list[bytes]:
    count = table.uvarint()
    entries = [table.take(width) for _ in range(min(count, len(table.data) // width + 1))]
    if len(entries) != count:
        raise DecodingError("dictionary truncated")
    table.done()
    return entries


def recover_sender(f: TxFields) -> bytes:
    sig = keys.Signature(vrs=(f.y_parity, f.r, f.s))
    return sig.recover_public_key_from_msg_hash(
        keccak(txfields.signing_message(f))
    ).to_canonical_address()


def unsigned_form(raw: bytes) -> bytes:
    """What :class:`UnsignedColumnarCodec` decodes a signed tx to: sender ‖ signing message."""
    f = txfields.parse(raw)
    return recover_sender(f) + txfields.signing_message(f)


class ColumnarCodec(BatchCodec):
    version = COLUMNAR_VERSION
    name = "columnar"
    signatures = True

    # ------------------------------------------------------------------ encode
    def encode(self, batch: Batch) -> bytes:
        col = {name: bytearray() for name in (COLUMNS if self.signatures else UNSIGNED_COLUMNS)}
        blocks = batch.blocks
        write_uvarint(col["blocks"], len(blocks))
        prev_number = prev_time = prev_origin = 0
        for b in blocks:
            write_uvarint(col["blocks"], zigzag(b.number - prev_number))
            write_uvarint(col["blocks"], zigzag(b.timestamp - prev_time))
            write_uvarint(col["blocks"], zigzag(b.l1_origin - prev_origin))
            prev_number, prev_time, prev_origin = b.number, b.timestamp, b.l1_origin
            col["parents"] += b.parent_hash
            write_uvarint(col["tx_counts"], len(b.transactions))
        fields = [txfields.parse(raw) for raw in batch.transactions]
        legacy = [f.chain_id is not None for f in fields if f.type == 0]
        col["protected"] += pack_bits(legacy)
        col["creation"] += pack_bits(f.to is None for f in fields)
        to_table, to_refs = _dictionary([f.to for f in fields if f.to is not None])
        col["to_dict"] += to_table
        col["to_index"] += to_refs
        for f in fields:
            col["types"].append(f.type)
            if f.chain_id is not None:
                write_uvarint(col["chain_ids"], f.chain_id)
            write_uvarint(col["nonces"], f.nonce)
            write_uvarint(col["gas"], f.gas)
            write_uvarint(col["gas_prices"], f.gas_price)
            if f.type == 2:
                write_uvarint(col["tips"], f.tip)
            write_uvarint(col["values"], f.value)
            write_uvarint(col["data_lens"], len(f.data))
            if len(f.data) >= 4:
                col["selectors"] += f.data[:4]
                col["calldata"] += f.data[4:]
            else:
                col["calldata"] += f.data
            if f.type != 0:
                write_uvarint(col["access_lists"], len(f.access_list))
                col["access_lists"] += f.access_list
        if self.signatures:
            col["y_parity"] += pack_bits(f.y_parity == 1 for f in fields)
            for f in fields:
                col["r"] += f.r.to_bytes(32, "big")
                col["s"] += f.s.to_bytes(32, "big")
        else:
            table, refs = _dictionary([recover_sender(f) for f in fields])
            col["sender_dict"] += table
            col["sender_index"] += refs
        out = bytearray([self.version])
        for data in col.values():
            write_uvarint(out, len(data))
            out += data
        return bytes(out)

    # ------------------------------------------------------------------ decode
    def decode(self, data: bytes) -> Batch:
        if data[:1] != bytes([self.version]):
            raise DecodingError(f"not a {self.name} batch")
        top = Reader(data)
        top.take(1)
        names = COLUMNS if self.signatures else UNSIGNED_COLUMNS
        col = {name: Reader(top.take(top.uvarint())) for name in names}
        top.done()

        head = col["blocks"]
        n_blocks = head.uvarint()
        if n_blocks > len(head.data):
            raise DecodingError("block count larger than the block column")
        specs, number, timestamp, origin = [], 0, 0, 0
        for _ in range(n_blocks):
            number += head.svarint()
            timestamp += head.svarint()
            origin += head.svarint()
            if number < 0 or timestamp < 0 or origin < 0:
                raise DecodingError("negative block number, timestamp or L1 origin")
            parent, count = col["parents"].take(32), col["tx_counts"].uvarint()
            specs.append((number, timestamp, parent, count, origin))
        n_txs = sum(s[3] for s in specs)
        if n_txs > len(col["types"].data):
            raise DecodingError("tx count larger than the type column")
        types = list(col["types"].take(n_txs))
        n_legacy = types.count(0)
        protected = iter(unpack_bits(col["protected"].take((n_legacy + 7) // 8), n_legacy))
        creation = unpack_bits(col["creation"].take((n_txs + 7) // 8), n_txs)
        to_dict = _read_dictionary(col["to_dict"], 20)

        def to_address(i: int) -> bytes | None:
            if creation[i]:
                return None
            ref = col["to_index"].uvarint()
            if ref >= len(to_dict):
                raise DecodingError("to index outside the dictionary")
            return to_dict[ref]

        signer = self._signature_reader(col, n_txs)
        raws: list[bytes] = []
        for i, tx_type in enumerate(types):
            if tx_type not in txfields.SUPPORTED_TYPES:
                raise DecodingError(f"unsupported transaction type {tx_type}")
            has_chain_id = tx_type != 0 or next(protected)
            chain_id = col["chain_ids"].uvarint() if has_chain_id else None
            nonce, gas = col["nonces"].uvarint(), col["gas"].uvarint()
            gas_price = col["gas_prices"].uvarint()
            tip = col["tips"].uvarint() if tx_type == 2 else 0
            to = to_address(i)
            value = col["values"].uvarint()
            length = col["data_lens"].uvarint()
            calldata = (
                col["selectors"].take(4) + col["calldata"].take(length - 4)
                if length >= 4
                else col["calldata"].take(length)
            )
            access_list = (
                col["access_lists"].take(col["access_lists"].uvarint()) if tx_type else b""
            )
            f = TxFields(
                tx_type,
                chain_id,
                nonce,
                gas_price,
                tip,
                gas,
                to,
                value,
                calldata,
                access_list,
                0,
                0,
                0,
            )
            raws.append(signer(i, f))
        for reader in col.values():
            reader.done()
        txs = iter(raws)
        return Batch(
            tuple(
                L2BlockData(n, t, p, tuple(next(txs) for _ in range(c)), o)
                for n, t, p, c, o in specs
            )
        )

    def _signature_reader(self, col: dict[str, Reader], n: int) -> Callable[[int, TxFields], bytes]:
        parity = unpack_bits(col["y_parity"].take((n + 7) // 8), n)

        def sign(i: int, f: TxFields) -> bytes:
            r = int.from_bytes(col["r"].take(32), "big")
            s = int.from_bytes(col["s"].take(32), "big")
            return _encode(replace(f, y_parity=int(parity[i]), r=r, s=s))

        return sign


def _encode(f: TxFields) -> bytes:
    try:
        return txfields.encode(f)
    except (EncodingError, ValueError, OverflowError) as exc:
        raise DecodingError(f"cannot re-encode transaction: {exc}") from exc


class UnsignedColumnarCodec(ColumnarCodec):
    """Columnar without signatures: ONLY for validity-proven settlement (see module doc)."""

    version = UNSIGNED_COLUMNAR_VERSION
    name = "columnar-nosig"
    signatures = False

    def _signature_reader(self, col: dict[str, Reader], n: int) -> Callable[[int, TxFields], bytes]:
        senders = _read_dictionary(col["sender_dict"], 20)

        def attach(_i: int, f: TxFields) -> bytes:
            ref = col["sender_index"].uvarint()
            if ref >= len(senders):
                raise DecodingError("sender index outside the dictionary")
            try:
                return senders[ref] + txfields.signing_message(f)
            except rlp.exceptions.DecodingError as exc:
                raise DecodingError("access list is not valid RLP") from exc

        return attach
