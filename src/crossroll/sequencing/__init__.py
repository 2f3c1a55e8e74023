"""Cross-rollup sequencing (docs/sequencing.md): a shared sequencer that builds one slot
across several rollups with atomic bundles, based rollups whose blocks follow L1 blocks,
and forced inclusion from an L1 queue."""
