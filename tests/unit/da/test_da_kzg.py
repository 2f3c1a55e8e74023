"""KZG via c-kzg with the committed trusted setup, checked against py-evm's precompile."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace

import ckzg
import pytest

from crossroll.da import kzg
from crossroll.da.blob import BLOB_SIZE, encode_blob
from crossroll.errors import DataError, TrustedSetupError

BLOB = encode_blob(b"crossroll kzg test " * 500)


def test_committed_setup_matches_pinned_sha256() -> None:
    assert hashlib.sha256(kzg.TRUSTED_SETUP.read_bytes()).hexdigest() == (
        "d39b9f2d047cc9dca2de58f264b6a09448ccd34db967881a6713eacacf0f26b7"
    )
    assert hashlib.sha256(kzg.TRUSTED_SETUP.read_bytes()).hexdigest() == kzg.TRUSTED_SETUP_SHA256


def test_tampered_setup_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "trusted_setup.txt"
    bad.write_bytes(kzg.TRUSTED_SETUP.read_bytes() + b"\n")
    with pytest.raises(TrustedSetupError, match="sha256"):
        kzg.load_setup(bad)
    with pytest.raises(TrustedSetupError, match="cannot read"):
        kzg.load_setup(tmp_path / "missing.txt")


def test_setup_is_loaded_once() -> None:
    assert kzg.setup() is kzg.setup()


def test_zero_blob_commits_to_the_point_at_infinity() -> None:
    assert kzg.commitment(bytes(BLOB_SIZE)) == b"\xc0" + bytes(47)


def test_sidecar_verifies_and_a_flipped_byte_does_not() -> None:
    sidecar = kzg.BlobSidecar.of(BLOB)
    assert sidecar.verify()
    assert sidecar.versioned_hash[0] == 0x01
    assert sidecar.versioned_hash[1:] == hashlib.sha256(sidecar.commitment).digest()[1:]
    flipped = bytearray(BLOB)
    flipped[1000] ^= 0x01
    assert not kzg.verify(bytes(flipped), sidecar.commitment, sidecar.proof)
    assert not kzg.verify(BLOB, sidecar.commitment, b"\x00" * 48)  # malformed: False, no raise


def test_non_canonical_blob_is_a_data_error() -> None:
    with pytest.raises(DataError):
        kzg.commitment(b"\xff" * BLOB_SIZE)
    with pytest.raises(DataError):
        kzg.commitment(b"\x00" * 10)


def test_commitment_accepted_by_py_evm_point_evaluation() -> None:
    """Independent path: py-evm's precompile loads its own copy of the setup."""
    from eth.precompiles.point_evaluation import (
        kzg_to_versioned_hash,
        point_evaluation_precompile,
    )

    commitment = kzg.commitment(BLOB)
    assert kzg_to_versioned_hash(commitment) == kzg.versioned_hash(commitment)
    z = (12345).to_bytes(32, "big")
    proof, y = ckzg.compute_kzg_proof(BLOB, z, kzg.setup())
    data = kzg.versioned_hash(commitment) + z + bytes(y) + commitment + bytes(proof)
    computation = SimpleNamespace(
        msg=SimpleNamespace(data_as_bytes=data), consume_gas=lambda *a, **k: None, output=b""
    )
    point_evaluation_precompile(computation)  # raises VMError if anything mismatches
    assert computation.output[:32] == (4096).to_bytes(32, "big")

    blob = bytes(131072)
    c = kzg.commitment(blob)
    p = kzg.proof(blob, c)
    assert kzg.verify(blob, c, p)
    assert kzg.verify(blob[:-1], c, p) is False
    assert kzg.verify(blob, c[:-1], p) is False
    assert kzg.verify(blob, c, p + b"\x00") is False
