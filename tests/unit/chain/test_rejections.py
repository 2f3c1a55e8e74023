"""Every rejection crossroll raises is one of anvil's answers, by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crossroll.chain.validation import REJECTIONS, reject
from crossroll.errors import ChainError

SRC = Path(__file__).resolve().parents[3] / "src" / "crossroll"


def test_every_reject_call_names_a_known_kind():
    used = {m for f in SRC.rglob("*.py") for m in re.findall(r'reject\("(\w+)"\)', f.read_text())}
    assert used, "no reject() calls found"
    assert used <= set(REJECTIONS), used - set(REJECTIONS)


@pytest.mark.parametrize("kind", sorted(REJECTIONS))
def test_rejection_carries_anvils_code_and_message(kind):
    cls, code, message = REJECTIONS[kind]
    err = reject(kind)
    assert isinstance(err, cls) and isinstance(err, ChainError)
    assert err.to_rpc() == {"code": code, "message": message}


def test_known_answers():
    assert reject("nonce_too_low").to_rpc() == {"code": -32003, "message": "nonce too low"}
    assert reject("bad_signature").to_rpc() == {
        "code": -32602,
        "message": "Failed to recover the signer",
    }
    assert reject("intrinsic_gas_too_low").to_rpc() == {
        "code": -32000,
        "message": "intrinsic gas too low",
    }
