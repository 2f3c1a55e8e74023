#!/usr/bin/env node
// Compile src/crossroll/contracts/src/**/*.sol with the pinned solc-js and write one artifact
// per deployable contract to src/crossroll/contracts/artifacts/<Name>.json (deterministic output).
// Source units are named by their path relative to src/ ("Probe.sol", "l1/OptimismPortal.sol"),
// so relative imports resolve between subfolders. Interfaces, libraries and abstract contracts get
// no artifact; contract names must be unique across all files.
//
//   node scripts/build_contracts.js          # (re)write artifacts
//   node scripts/build_contracts.js --check  # compile in memory; exit 1 if committed artifacts differ
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const ROOT = path.resolve(__dirname, '..');
const SRC_DIR = path.join(ROOT, 'src', 'crossroll', 'contracts', 'src');
const OUT_DIR = path.join(ROOT, 'src', 'crossroll', 'contracts', 'artifacts');
const EVM_VERSION = 'cancun';
const OPTIMIZER_RUNS = 200;
const EXPECTED_SOLC = '0.8.28';

function die(msg) {
  console.error(`build_contracts: ${msg}`);
  process.exit(1);
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]);
    return out;
  }
  return value;
}

function readImport(importPath) {
  const p = path.resolve(SRC_DIR, importPath);
  if (!p.startsWith(SRC_DIR + path.sep) || !fs.existsSync(p)) return { error: `File not found: ${importPath}` };
  return { contents: fs.readFileSync(p, 'utf8') };
}

// Paths of the .sol files under dir, relative to SRC_DIR with '/' separators, sorted.
function listSources(dir, prefix) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(...listSources(path.join(dir, entry.name), rel + '/'));
    else if (entry.isFile() && entry.name.endsWith('.sol')) out.push(rel);
  }
  return out.sort();
}

// Names of the non-abstract contracts (not interfaces or libraries) defined in a source unit.
function deployableContracts(ast) {
  const names = new Set();
  for (const node of (ast && ast.nodes) || []) {
    if (node.nodeType === 'ContractDefinition' && node.contractKind === 'contract' && !node.abstract) {
      names.add(node.name);
    }
  }
  return names;
}

function compile() {
  const version = solc.version();
  if (!version.startsWith(EXPECTED_SOLC + '+')) die(`expected solc ${EXPECTED_SOLC}, found ${version}`);

  const files = listSources(SRC_DIR, '');
  if (files.length === 0) die(`no .sol files in ${SRC_DIR}`);
  const sources = {};
  for (const f of files) sources[f] = { content: fs.readFileSync(path.join(SRC_DIR, ...f.split('/')), 'utf8') };

  const input = {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: OPTIMIZER_RUNS },
      metadata: { bytecodeHash: 'none' },
      outputSelection: {
        '*': { '': ['ast'], '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
      },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: readImport }));

  const diagnostics = output.errors || [];
  for (const d of diagnostics) console.error(d.formattedMessage || d.message);
  if (diagnostics.some((d) => d.severity === 'error')) die('compilation failed');

  const artifacts = new Map();
  for (const file of Object.keys(output.contracts || {}).sort()) {
    const sourceSha256 = crypto.createHash('sha256').update(sources[file].content).digest('hex');
    const deployable = deployableContracts(output.sources[file].ast);
    for (const [name, c] of Object.entries(output.contracts[file])) {
      if (!deployable.has(name)) continue;
      if (artifacts.has(name)) die(`contract name ${name} is defined in more than one file`);
      const artifact = sortKeys({
        contractName: name,
        abi: c.abi,
        bytecode: '0x' + c.evm.bytecode.object,
        deployedBytecode: '0x' + c.evm.deployedBytecode.object,
        compiler: `solc-js ${version}`,
        evmVersion: EVM_VERSION,
        optimizerRuns: OPTIMIZER_RUNS,
        sourceSha256,
      });
      artifacts.set(name, JSON.stringify(artifact, null, 2) + '\n');
    }
  }
  return artifacts;
}

function existingArtifacts() {
  if (!fs.existsSync(OUT_DIR)) return [];
  return fs.readdirSync(OUT_DIR).filter((f) => f.endsWith('.json')).sort();
}

function main() {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length) die(`unknown argument(s): ${unknown.join(' ')}`);

  const artifacts = compile();
  const stale = existingArtifacts().filter((f) => !artifacts.has(f.slice(0, -5)));

  if (check) {
    const problems = [];
    for (const [name, text] of artifacts) {
      const p = path.join(OUT_DIR, `${name}.json`);
      if (!fs.existsSync(p)) problems.push(`missing: ${name}.json`);
      else if (fs.readFileSync(p, 'utf8') !== text) problems.push(`differs: ${name}.json`);
    }
    for (const f of stale) problems.push(`no longer produced: ${f}`);
    if (problems.length) {
      for (const p of problems) console.error(`  ${p}`);
      die('artifacts are stale; run `node scripts/build_contracts.js` and commit the result');
    }
    return;
  }

  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, text] of artifacts) {
    const p = path.join(OUT_DIR, `${name}.json`);
    if (!fs.existsSync(p) || fs.readFileSync(p, 'utf8') !== text) fs.writeFileSync(p, text);
  }
  for (const f of stale) fs.unlinkSync(path.join(OUT_DIR, f));
  console.log(`build_contracts: ${artifacts.size} artifact(s) in ${path.relative(ROOT, OUT_DIR)}`);
}

main();
