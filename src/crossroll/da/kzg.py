"""KZG commitments and proofs for blobs (c-kzg), with the committed mainnet trusted setup.

The setup ships as ``trusted_setup.txt`` next to this module; it is loaded once, lazily,
after its sha256 is checked against :data:`TRUSTED_SETUP_SHA256` (the file c-kzg and
py-evm ship for mainnet).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import ckzg

from ..errors import DataError, TrustedSetupError
from .blob import BLOB_SIZE

TRUSTED_SETUP = Path(__file__).with_name("trusted_setup.txt")
TRUSTED_SETUP_SHA256 = "d39b9f2d047cc9dca2de58f264b6a09448ccd34db967881a6713eacacf0f26b7"
VERSIONED_HASH_VERSION_KZG = 0x01


def load_setup(path: Path = TRUSTED_SETUP, sha256: str = TRUSTED_SETUP_SHA256) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TrustedSetupError(f"cannot read KZG trusted setup {path}: {exc}") from exc
    digest = hashlib.sha256(raw).hexdigest()
    if digest != sha256:
        raise TrustedSetupError(
            f"KZG trusted setup {path.name} has sha256 {digest}, expected {sha256}"
        )
    return ckzg.load_trusted_setup(str(path), 0)


@cache
def setup() -> Any:
    """The mainnet trusted setup, checked and loaded on first use."""
    return load_setup()


def _check_blob(blob: bytes) -> None:
    if len(blob) != BLOB_SIZE:
        raise DataError(f"blob must be {BLOB_SIZE} bytes, got {len(blob)}")


def commitment(blob: bytes) -> bytes:
    _check_blob(blob)
    try:
        return bytes(ckzg.blob_to_kzg_commitment(blob, setup()))
    except RuntimeError as exc:  # c-kzg: non-canonical field element
        raise DataError(f"blob is not canonical: {exc}") from exc


def proof(blob: bytes, commitment: bytes) -> bytes:
    _check_blob(blob)
    try:
        return bytes(ckzg.compute_blob_kzg_proof(blob, commitment, setup()))
    except RuntimeError as exc:
        raise DataError(f"cannot prove blob: {exc}") from exc


def verify(blob: bytes, commitment: bytes, proof: bytes) -> bool:
    """Whether ``proof`` shows ``blob`` matches ``commitment``; malformed input is ``False``."""
    try:
        return bool(ckzg.verify_blob_kzg_proof(blob, commitment, proof, setup()))
    except (RuntimeError, ValueError):  # ckzg: bad point (RuntimeError), wrong size (ValueError)
        return False


def versioned_hash(commitment: bytes) -> bytes:
    return bytes([VERSIONED_HASH_VERSION_KZG]) + hashlib.sha256(commitment).digest()[1:]


@dataclass(frozen=True, slots=True)
class BlobSidecar:
    blob: bytes
    commitment: bytes
    proof: bytes
    versioned_hash: bytes

    @classmethod
    def of(cls, blob: bytes) -> BlobSidecar:
        c = commitment(blob)
        return cls(blob, c, proof(blob, c), versioned_hash(c))

    def verify(self) -> bool:
        return self.versioned_hash == versioned_hash(self.commitment) and verify(
            self.blob, self.commitment, self.proof
        )
