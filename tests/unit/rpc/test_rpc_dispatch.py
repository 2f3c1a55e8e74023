from __future__ import annotations

import json
from typing import Any

import pytest

from crossroll.errors import CrossrollError, InvalidParams
from crossroll.rpc.dispatch import Dispatcher, MethodTable, opt


class Ctx:
    calls: list[str]

    def __init__(self) -> None:
        self.calls = []


def _table() -> MethodTable:
    table = MethodTable()

    def echo(ctx: Ctx, a: int, b: int) -> list[int]:
        ctx.calls.append("echo")
        return [a, b]

    def fail(ctx: Ctx) -> None:
        raise CrossrollError("reverted", code=3, data="0xdead")

    def bug(ctx: Ctx) -> None:
        raise ZeroDivisionError("division by zero\nTraceback line")

    def bad_result(ctx: Ctx) -> object:
        return object()

    def check(value: Any) -> int:
        if not isinstance(value, int):
            raise InvalidParams("want an int")
        return value

    table.add("t_echo", echo, [check, opt(check, 7)], aliases=["t_alias"])
    table.add("t_fail", fail)
    table.add("t_bug", bug)
    table.add("t_bad", bad_result)
    return table


@pytest.fixture
def disp() -> Dispatcher:
    return Dispatcher(_table(), Ctx())


def req(method: str, params: Any = None, id: Any = 1) -> dict[str, Any]:
    r: dict[str, Any] = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        r["params"] = params
    return r


def test_single_and_optional(disp: Dispatcher) -> None:
    assert disp.handle(req("t_echo", [1, 2])) == {"jsonrpc": "2.0", "id": 1, "result": [1, 2]}
    assert disp.handle(req("t_echo", [1], id="x"))["result"] == [1, 7]
    assert disp.handle(req("t_alias", [1, None], id=None))["result"] == [1, 7]


def test_id_echo(disp: Dispatcher) -> None:
    for value in (0, -5, 1.5, "abc", None, 2**70):
        assert disp.handle(req("t_echo", [1], id=value))["id"] == value


def test_errors(disp: Dispatcher) -> None:
    def err(payload: Any) -> dict[str, Any]:
        out = disp.handle(payload)
        assert "result" not in out
        return out["error"]

    assert err(req("nope")) == {"code": -32601, "message": "Method not found"}
    assert err(req("t_echo", []))["message"] == "missing value for required argument 0"
    assert err(req("t_echo", [1, 2, 3]))["message"] == "too many arguments, want at most 2"
    assert err(req("t_echo", ["x"])) == {
        "code": -32602,
        "message": "invalid argument 0: want an int",
    }
    assert err(req("t_echo", {"a": 1}))["code"] == -32602
    assert err(req("t_fail")) == {"code": 3, "message": "reverted", "data": "0xdead"}
    bug = err(req("t_bug"))
    assert bug["code"] == -32603
    assert "\n" not in bug["message"] and "ZeroDivisionError" in bug["message"]
    assert err({"id": 1, "method": "t_echo"})["code"] == -32600  # no jsonrpc
    assert err({"jsonrpc": "1.0", "id": 1, "method": "t_echo"})["code"] == -32600
    assert err({"jsonrpc": "2.0", "id": 1, "method": 5})["code"] == -32600
    assert err({"jsonrpc": "2.0", "id": [1], "method": "t_echo"})["code"] == -32600
    assert err(17)["code"] == -32600
    assert err([])["code"] == -32600


def test_notifications_run_but_get_no_reply(disp: Dispatcher) -> None:
    note = {"jsonrpc": "2.0", "method": "t_echo", "params": [1]}
    assert disp.handle(note) is None
    assert disp.context.calls == ["echo"]
    assert disp.handle({"jsonrpc": "2.0", "method": "nope"}) is None
    assert disp.handle([note, note]) is None


def test_batch(disp: Dispatcher) -> None:
    out = disp.handle(
        [
            req("t_echo", [1], id=1),
            {"jsonrpc": "2.0", "method": "t_echo", "params": [2]},
            req("nope", id=2),
            5,
            req("t_fail", id=3),
        ]
    )
    assert [r["id"] for r in out] == [1, 2, None, 3]
    assert out[0]["result"] == [1, 7]
    assert out[1]["error"]["code"] == -32601
    assert out[2]["error"]["code"] == -32600
    assert out[3]["error"]["code"] == 3


def test_bytes_entry(disp: Dispatcher) -> None:
    def parse(raw: bytes | None) -> Any:
        assert raw is not None
        return json.loads(raw)

    assert parse(disp.handle_bytes(b"{bad"))["error"] == {"code": -32700, "message": "parse error"}
    assert parse(disp.handle_bytes(b"\xff\xfe"))["error"]["code"] == -32700
    assert parse(disp.handle_bytes(b"[]"))["error"]["code"] == -32600
    assert parse(disp.handle_bytes(json.dumps(req("t_echo", [3]))))["result"] == [3, 7]
    assert parse(disp.handle_bytes(json.dumps(req("t_bad"))))["error"]["code"] == -32603
    assert (
        disp.handle_bytes(json.dumps({"jsonrpc": "2.0", "method": "t_echo", "params": [1]})) is None
    )
    # still serving after all of that
    assert parse(disp.handle_bytes(json.dumps(req("t_echo", [4]))))["result"] == [4, 7]


def test_duplicate_registration_is_refused() -> None:
    table = _table()
    with pytest.raises(ValueError):
        table.add("t_echo", lambda ctx: None)


def test_lock_is_held_during_calls() -> None:
    import threading

    lock = threading.RLock()
    seen: list[bool] = []
    table = MethodTable()
    table.add("t_locked", lambda ctx: seen.append(lock._is_owned()))  # type: ignore[attr-defined]
    Dispatcher(table, None, lock).handle(req("t_locked"))
    assert seen == [True]


def test_client_maps_every_crossroll_rejection_to_its_class() -> None:
    from crossroll.chain.validation import REJECTIONS
    from crossroll.rpc.remote_errors import error_from_rpc

    for cls, code, message in REJECTIONS.values():
        err = error_from_rpc({"code": code, "message": message})
        assert type(err) is cls and err.code == code and err.message == message
