"""docs/virtual-time.md's web3.py example runs as written against an in-process network
(on free ports instead of 8420 and 8545)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crossroll.network import Network

DOC = (Path(__file__).resolve().parents[2] / "docs" / "virtual-time.md").read_text()


@pytest.mark.slow
def test_web3_example_runs() -> None:
    (code,) = re.findall(r"```python\n(.*?)```", DOC, flags=re.S)
    with Network.start(virtual_time=True, l1__port=0, rollups__port=0, admin_port=0) as net:
        code = code.replace("http://127.0.0.1:8420", net.admin_url)
        code = code.replace("http://127.0.0.1:8545", net.l1.url)
        scope: dict[str, object] = {}
        exec(compile(code, "virtual-time.md", "exec"), scope)
        result = scope["result"]
        assert isinstance(result, dict) and result["timestamp"] == int(net.scheduler.now())
