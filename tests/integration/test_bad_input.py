"""Bad input gets the error an anvil/geth user expects, changes nothing, and the server
keeps serving (issue: foundation, "Must show").

Each case goes to anvil 1.7.1 and to `crossroll node`; the error code and message must be
the same.  After every case both nodes must still answer, with the same head block, the
same balances and nonces, and nothing pending.  One case has no anvil counterpart: anvil
accepts transactions of any size, so an oversized transaction is checked against geth's
answer ("oversized data", limit 128 KiB) instead.
"""

from __future__ import annotations

import pytest
from eth_account import Account

from crossroll.testing.tools import require_tool, start_anvil
from tests.support.nodes import crossroll_node
from tests.support.rpc import Rpc, RpcFailure
from tests.support.txs import ADDRS, KEYS, Signer

pytestmark = pytest.mark.anvil

POOR = Account.from_key("0x" + "42" * 32)  # holds no ETH on either node


def raw_tx(**overrides) -> str:
    tx = {
        "type": 2,
        "chainId": 31337,
        "nonce": 0,
        "to": ADDRS[1],
        "value": 1,
        "gas": 21_000,
        "maxFeePerGas": 10**10,
        "maxPriorityFeePerGas": 10**9,
    } | overrides
    key = overrides.pop("key", KEYS[0]) if "key" in overrides else KEYS[0]
    tx.pop("key", None)
    return "0x" + bytes(Account.sign_transaction(tx, key).raw_transaction).hex()


def bad_signature() -> str:
    raw = bytearray.fromhex(raw_tx()[2:])
    raw[-40:-8] = b"\xff" * 32  # s > secp256k1 order: not a valid signature
    return "0x" + raw.hex()


MALFORMED_JSON = b'{"jsonrpc": "2.0", "id": 1, "method": '

CASES = {
    "unknown method": ("call", ("eth_noSuchMethod", [])),
    "wrong params type": ("call", ("eth_getBalance", ["not-an-address", "latest"])),
    "missing params": ("call", ("eth_getTransactionReceipt", [])),
    "bad signature": ("call", ("eth_sendRawTransaction", [bad_signature()])),
    "undecodable transaction": ("call", ("eth_sendRawTransaction", ["0x02deadbeef"])),
    "wrong chain id": ("call", ("eth_sendRawTransaction", [raw_tx(chainId=1)])),
    "nonce too low": ("call", ("eth_sendRawTransaction", [raw_tx(nonce=0, value=2)])),
    "insufficient funds": (
        "call",
        ("eth_sendRawTransaction", [raw_tx(key="0x" + "42" * 32, nonce=0)]),
    ),
    "gas too low": ("call", ("eth_sendRawTransaction", [raw_tx(nonce=1, gas=20_000)])),
    "gas above block limit": (
        "call",
        ("eth_sendRawTransaction", [raw_tx(nonce=1, gas=40_000_000)]),
    ),
    "fee cap below base fee": (
        "call",
        ("eth_sendRawTransaction", [raw_tx(nonce=1, maxFeePerGas=1, maxPriorityFeePerGas=1)]),
    ),
    "unknown block for a state read": ("call", ("eth_getBalance", [ADDRS[0], "0x999"])),
}


def snapshot(rpc: Rpc) -> tuple:
    head = rpc("eth_getBlockByNumber", "latest", False)
    accounts = [
        (rpc("eth_getBalance", a, "latest"), rpc("eth_getTransactionCount", a, "pending"))
        for a in (*ADDRS, POOR.address)
    ]
    return head["number"], head["hash"], accounts


def outcome(rpc: Rpc, case: tuple) -> dict:
    kind, payload = case
    if kind == "raw":
        reply = rpc.session.post(
            rpc.url, data=payload, headers={"Content-Type": "application/json"}
        ).json()
        return reply["error"]
    method, params = payload
    try:
        rpc(method, *params)
    except RpcFailure as e:
        return e.error
    raise AssertionError(f"{method} was accepted")


@pytest.fixture(scope="module")
def nodes():
    require_tool("anvil")
    with start_anvil(None, "--hardfork", "cancun") as (anvil_url, _), crossroll_node() as cr_url:
        anvil, cr = Rpc(anvil_url), Rpc(cr_url)
        first = Signer(KEYS[0]).sign(2, ADDRS[1], value=1, gas=21_000)  # nonce 0 is now used
        for rpc in (anvil, cr):
            rpc.receipt(rpc.send_raw(first))
        yield anvil, cr


@pytest.mark.parametrize("name", list(CASES))
def test_same_error_as_anvil_and_nothing_changes(nodes, name):
    anvil, cr = nodes
    before = [snapshot(anvil), snapshot(cr)]
    theirs, ours = outcome(anvil, CASES[name]), outcome(cr, CASES[name])
    assert ours["code"] == theirs["code"], (name, ours, theirs)
    if name not in ("wrong params type", "missing params"):
        # parameter-parsing messages name serde internals in anvil; the code is what clients use
        assert ours["message"] == theirs["message"], (name, ours, theirs)
    assert [snapshot(anvil), snapshot(cr)] == before  # nothing changed, both still serve


def test_malformed_json_is_a_parse_error_like_geth(nodes):
    anvil, cr = nodes
    before = snapshot(cr)
    assert outcome(cr, ("raw", MALFORMED_JSON)) == {"code": -32700, "message": "parse error"}
    assert outcome(anvil, ("raw", MALFORMED_JSON))["code"] == -32600  # anvil's departure
    assert snapshot(cr) == before


def test_oversized_transaction_is_rejected_like_geth(nodes):
    _, cr = nodes
    before = snapshot(cr)
    with pytest.raises(RpcFailure) as err:
        cr("eth_sendRawTransaction", raw_tx(nonce=1, data=b"\x01" * (130 * 1024), gas=29_000_000))
    assert err.value.code == -32003 and err.value.message == "oversized data"
    assert snapshot(cr) == before


def test_unknown_block_reads_are_null_like_anvil(nodes):
    for rpc in nodes:
        assert rpc("eth_getBlockByNumber", "0x999", False) is None
        assert rpc("eth_getBlockByHash", "0x" + "ab" * 32, False) is None
        assert rpc("eth_getTransactionReceipt", "0x" + "ab" * 32) is None


def test_batch_with_bad_members_answers_each(nodes):
    for rpc in nodes:
        replies = rpc.raw(
            [
                {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
                {"jsonrpc": "2.0", "id": 2, "method": "eth_noSuchMethod", "params": []},
                {
                    "jsonrpc": "2.0",
                    "id": 3,
                    "method": "eth_getBalance",
                    "params": ["0x12", "latest"],
                },
            ]
        )
        by_id = {r["id"]: r for r in replies}
        assert by_id[1]["result"] == "0x7a69"
        assert by_id[2]["error"]["code"] == -32601
        assert by_id[3]["error"]["code"] == -32602
