#!/usr/bin/env node
// A native-solc command line on top of the pinned solc-js (node_modules/solc), for tools that
// want a solc binary: `forge build --offline --use scripts/solc-shim.js`. Supports only what
// forge uses: `--version` and `[--base-path P] [--include-path P]... [--allow-paths ...]
// --standard-json` (input on stdin, output on stdout).
'use strict';

const fs = require('fs');
const path = require('path');
const solc = require('solc');

const args = process.argv.slice(2);

if (args.includes('--version')) {
  // forge parses the native format, e.g. "Version: 0.8.28+commit.7893614a.Linux.g++".
  const v = solc.version().replace(/\.Emscripten\.clang$/, '.Linux.g++');
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${v}\n`);
  process.exit(0);
}

if (!args.includes('--standard-json')) {
  process.stderr.write('solc-shim: only --version and --standard-json are supported\n');
  process.exit(1);
}

const roots = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--base-path' || args[i] === '--include-path') roots.push(path.resolve(args[++i]));
}
if (roots.length === 0) roots.push(process.cwd());

function findImports(p) {
  for (const root of path.isAbsolute(p) ? [''] : roots) {
    const full = path.resolve(root, p);
    if (fs.existsSync(full)) return { contents: fs.readFileSync(full, 'utf8') };
  }
  return { error: `File not found: ${p}` };
}

const input = fs.readFileSync(0, 'utf8');
process.stdout.write(solc.compile(input, { import: findImports }));
