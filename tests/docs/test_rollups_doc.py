"""docs/rollups.md's Python example runs as written (on free ports)."""

from __future__ import annotations

import re
from pathlib import Path

DOC = (Path(__file__).resolve().parents[2] / "docs" / "rollups.md").read_text()


def test_verifier_example_runs() -> None:
    (code,) = re.findall(r"```python\n(.*?)```", DOC, flags=re.S)
    assert "Network.start(virtual_time=True)" in code
    free = "Network.start(virtual_time=True, l1__port=0, rollups__port=0, admin_port=0)"
    exec(compile(code.replace("Network.start(virtual_time=True)", free), "rollups.md", "exec"), {})
