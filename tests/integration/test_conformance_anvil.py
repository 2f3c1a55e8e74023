"""crossroll's roots equal anvil's for the same transactions (issue: foundation, "Must show").

Both nodes get the same signed transactions, one per block: transfers, creations
(CREATE and CREATE2), storage writes and a clear, a revert, logs; types 0, 1, 2.
transactionsRoot and receiptsRoot must be equal in every block; stateRoot must be
equal wherever anvil follows Ethereum's rules.  anvil 1.7.1 keeps a cleared storage
slot as a zero leaf, so from that block on its stateRoot departs from Ethereum's;
there the test rebuilds the storage and account tries itself from eth_getProof
values and shows that crossroll's root is Ethereum's and anvil's is the zero-leaf one.
"""

from __future__ import annotations

import pytest
import rlp
from eth_utils import keccak

from crossroll.testing.tools import require_tool, start_anvil
from tests.support import mpt
from tests.support.nodes import crossroll_node
from tests.support.rpc import Rpc
from tests.support.txs import ADDRS, KEYS, Signer, calldata, create_address, deploy_data

pytestmark = [pytest.mark.anvil, pytest.mark.slow]

ANVIL_ARGS = ("--hardfork", "cancun")  # documented in docs/conformance.md
SLOTS = ["0x" + k.to_bytes(32, "big").hex() for k in (7, 9, 0)]  # anvil wants 32-byte keys
RECIPIENT = "0x000000000000000000000000000000000000bEEF"


def build_transactions() -> tuple[list[tuple[str, bytes]], dict[str, str]]:
    a, b = Signer(KEYS[0]), Signer(KEYS[1])
    token = create_address(a.address, 0)
    txs = [
        (
            "deploy token (type 2)",
            a.sign(
                2,
                None,
                deploy_data(
                    "TestToken",
                    ["string", "string", "uint8", "uint256"],
                    ["Test", "TST", 18, 10**24],
                ),
                gas=2_000_000,
            ),
        ),
        (
            "token transfer (type 2)",
            a.sign(2, token, calldata("transfer(address,uint256)", ADDRS[1], 1000), gas=100_000),
        ),
        ("eth transfer (type 0, EIP-155)", b.sign(0, RECIPIENT, value=10**18, gas=21_000)),
    ]
    probe = create_address(a.address, a.nonce)
    txs += [
        ("deploy probe (type 2)", a.sign(2, None, deploy_data("Probe"), gas=2_000_000)),
        (
            "storage write with access list (type 1)",
            b.sign(
                1,
                probe,
                calldata("set(uint256,uint256)", 7, 42),
                gas=100_000,
                access_list=[
                    {"address": probe, "storageKeys": ["0x" + (7).to_bytes(32, "big").hex()]}
                ],
            ),
        ),
        (
            "second storage write (type 2)",
            a.sign(2, probe, calldata("set(uint256,uint256)", 9, 5), gas=100_000),
        ),
        ("counter increment, log (type 2)", b.sign(2, probe, calldata("increment()"), gas=100_000)),
        (
            "emit log (type 0)",
            a.sign(
                0, probe, calldata("emitLog(bytes32,bytes)", b"\x11" * 32, b"hello"), gas=100_000
            ),
        ),
        ("CREATE child (type 2)", b.sign(2, probe, calldata("selfCreate()"), gas=500_000)),
        (
            "CREATE2 child (type 1)",
            a.sign(1, probe, calldata("create2(bytes32)", b"\x22" * 32), gas=500_000),
        ),
        (
            "reverting call, mined with status 0 (type 2)",
            b.sign(2, probe, calldata("fail(string)", "nope"), gas=100_000),
        ),
        (
            "mint to a new holder (type 2)",
            a.sign(2, token, calldata("mint(address,uint256)", RECIPIENT, 77), gas=100_000),
        ),
    ]
    clear_index = len(txs)
    txs += [
        (
            "clear slot 7 (type 2)",
            b.sign(2, probe, calldata("set(uint256,uint256)", 7, 0), gas=100_000),
        ),
        ("eth transfer after the clear (type 0)", a.sign(0, ADDRS[2], value=5, gas=21_000)),
    ]
    return txs, {"token": token, "probe": probe, "clear_index": str(clear_index)}


def run(url: str, txs: list[tuple[str, bytes]]) -> list[tuple[dict, dict]]:
    rpc = Rpc(url)
    out = []
    for label, raw in txs:
        tx_hash = rpc.send_raw(raw)
        receipt = rpc.receipt(tx_hash)
        block = rpc("eth_getBlockByNumber", receipt["blockNumber"], False)
        assert len(block["transactions"]) == 1, label
        out.append((block, receipt))
    return out


@pytest.fixture(scope="module")
def both():
    require_tool("anvil")
    txs, where = build_transactions()
    with start_anvil(None, *ANVIL_ARGS) as (anvil_url, _), crossroll_node() as cr_url:
        yield txs, where, Rpc(anvil_url), Rpc(cr_url), run(anvil_url, txs), run(cr_url, txs)


RECEIPT_FIELDS = (
    "status",
    "gasUsed",
    "cumulativeGasUsed",
    "effectiveGasPrice",
    "contractAddress",
    "logsBloom",
    "type",
    "transactionHash",
    "from",
    "to",
)


def test_transactions_and_receipts_roots_equal_in_every_block(both):
    txs, _, _, _, anvil_blocks, cr_blocks = both
    for (label, _), (ab, ar), (cb, cr) in zip(txs, anvil_blocks, cr_blocks, strict=True):
        assert cb["number"] == ab["number"], label
        assert cb["transactionsRoot"] == ab["transactionsRoot"], label
        assert cb["receiptsRoot"] == ab["receiptsRoot"], label
        for key in ("gasUsed", "gasLimit", "baseFeePerGas", "logsBloom", "miner"):
            assert cb[key] == ab[key], (label, key)
        for key in RECEIPT_FIELDS:
            assert (cr.get(key) or None) == (ar.get(key) or None), (label, key)
        assert [
            (lg["address"].lower(), lg["topics"], lg["data"], lg["logIndex"]) for lg in cr["logs"]
        ] == [
            (lg["address"].lower(), lg["topics"], lg["data"], lg["logIndex"]) for lg in ar["logs"]
        ], label
    statuses = [int(r["status"], 16) for _, r in cr_blocks]
    assert statuses.count(0) == 1  # the reverting call really reverted, on both


def test_state_roots_equal_until_anvil_departs(both):
    txs, where, _, _, anvil_blocks, cr_blocks = both
    clear = int(where["clear_index"])
    for i, ((label, _), (ab, _), (cb, _)) in enumerate(
        zip(txs, anvil_blocks, cr_blocks, strict=True)
    ):
        if i < clear:
            assert cb["stateRoot"] == ab["stateRoot"], label
        else:
            assert cb["stateRoot"] != ab["stateRoot"], (
                f"anvil's cleared-slot quirk expected at {label}"
            )


def _accounts(rpc: Rpc, where: dict[str, str], block: str) -> dict[str, dict]:
    probe = where["probe"]
    children = [create_address(probe, 1)]
    children.append(
        rpc(
            "eth_call",
            {"to": probe, "data": "0x" + calldata("create2Address(bytes32)", b"\x22" * 32).hex()},
            block,
        )
    )
    children[-1] = "0x" + children[-1][-40:]
    addresses = [
        *ADDRS,
        *[  # all ten dev accounts exist at genesis
            "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
            "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
            "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
            "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
            "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
            "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
            "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
        ],
        "0x0000000000000000000000000000000000000000",  # coinbase (tips)
        "0x4e59b44847b379578588920ca78fbf26c0b4956c",  # CREATE2 deployer in genesis
        RECIPIENT,
        where["token"],
        probe,
        *children,
    ]
    return {a.lower(): rpc("eth_getProof", a, SLOTS, block) for a in addresses}


def test_cleared_slot_roots_recomputed_independently(both):
    _txs, where, anvil, cr, anvil_blocks, cr_blocks = both
    block = cr_blocks[-1][0]["number"]
    ours, theirs = _accounts(cr, where, block), _accounts(anvil, where, block)
    probe = where["probe"].lower()

    # Probe's storage after the clear: counter (slot 0) = 1, slot 9 = 5, slot 7 cleared.
    slots = {0: 1, 9: 5, 7: 0}
    assert {int(p["key"], 16): int(p["value"], 16) for p in ours[probe]["storageProof"]} == slots
    assert ours[probe]["storageHash"] == "0x" + mpt.storage_root(slots).hex()  # Ethereum's rule
    assert (
        theirs[probe]["storageHash"] == "0x" + mpt.storage_root(slots, keep_zero=True).hex()
    )  # anvil's leaf

    # Every other account agrees field by field between the two nodes.
    for addr, proof in ours.items():
        if addr != probe:
            for key in ("balance", "nonce", "codeHash", "storageHash"):
                assert proof[key] == theirs[addr][key], (addr, key)

    # The account trie rebuilt from those values gives each node's own stateRoot, so the
    # only difference between them is anvil's zero leaf -- and crossroll's root is Ethereum's.
    def state_root(accounts: dict[str, dict]) -> bytes:
        return mpt.secure_root(
            {
                bytes.fromhex(a[2:]): mpt.account_rlp(
                    int(p["nonce"], 16),
                    int(p["balance"], 16),
                    bytes.fromhex(p["storageHash"][2:]),
                    bytes.fromhex(p["codeHash"][2:]),
                )
                for a, p in accounts.items()
                if not _empty(p)
            }
        )

    assert "0x" + state_root(ours).hex() == cr_blocks[-1][0]["stateRoot"]
    assert "0x" + state_root(theirs).hex() == anvil_blocks[-1][0]["stateRoot"]


def _empty(p: dict) -> bool:
    return (
        int(p["nonce"], 16) == 0
        and int(p["balance"], 16) == 0
        and p["codeHash"] == "0x" + keccak(b"").hex()
    )


def test_proofs_verify_against_the_state_root(both):
    _, where, _, cr, _, cr_blocks = both
    block = cr_blocks[-1][0]
    for addr, proof in _accounts(cr, where, block["number"]).items():
        root = bytes.fromhex(block["stateRoot"][2:])
        value = mpt.verify_proof(
            root, bytes.fromhex(addr[2:]), [bytes.fromhex(n[2:]) for n in proof["accountProof"]]
        )
        if _empty(proof):
            assert value == b"", addr
            continue
        assert rlp.decode(value) == [
            int(proof["nonce"], 16).to_bytes(32, "big").lstrip(b"\0"),
            int(proof["balance"], 16).to_bytes(32, "big").lstrip(b"\0"),
            bytes.fromhex(proof["storageHash"][2:]),
            bytes.fromhex(proof["codeHash"][2:]),
        ]
        for sp in proof["storageProof"]:
            got = mpt.verify_proof(
                bytes.fromhex(proof["storageHash"][2:]),
                int(sp["key"], 16).to_bytes(32, "big"),
                [bytes.fromhex(n[2:]) for n in sp["proof"]],
            )
            assert (rlp.decode(got) if got else b"") == int(sp["value"], 16).to_bytes(
                32, "big"
            ).lstrip(b"\0")
