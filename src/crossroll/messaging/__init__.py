"""Cross-rollup messaging: OP interop's fast path, crossroll's proof-verified settled path,
and the relayer that carries messages between rollups."""
