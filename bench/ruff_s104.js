#!/usr/bin/env node
// Runs ruff's S104 (hardcoded-bind-all-interfaces) over every *.py file under
// the given paths, one file at a time, through ruff's WebAssembly build.
// Prints one line per finding (path:row:column: S104 message) and a count on
// standard error. The peer of `bindscan scan` in bench/run.sh.
"use strict";
const fs = require("fs");
const path = require("path");
const { Workspace, PositionEncoding } = require("@astral-sh/ruff-wasm-nodejs");

function* pythonFiles(root) {
  const stat = fs.statSync(root);
  if (stat.isFile()) {
    yield root;
    return;
  }
  const entries = fs.readdirSync(root, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === "__pycache__") continue;
      yield* pythonFiles(full);
    } else if (entry.isFile() && entry.name.endsWith(".py")) {
      yield full;
    }
  }
}

const roots = process.argv.slice(2);
if (roots.length === 0) {
  process.stderr.write("usage: ruff_s104.js PATH...\n");
  process.exit(2);
}
const workspace = new Workspace({ lint: { select: ["S104"] } }, PositionEncoding.Utf8);
let files = 0;
let findings = 0;
const out = [];
for (const root of roots) {
  for (const file of pythonFiles(root)) {
    files++;
    let diagnostics;
    try {
      diagnostics = workspace.check(fs.readFileSync(file, "utf8"));
    } catch (error) {
      process.stderr.write(`ruff_s104: ${file}: ${error}\n`);
      continue;
    }
    for (const d of diagnostics) {
      if (d.code !== "S104") continue;
      findings++;
      out.push(`${file}:${d.start_location.row}:${d.start_location.column}: S104 ${d.message}`);
    }
  }
}
if (out.length) process.stdout.write(out.join("\n") + "\n");
process.stderr.write(`ruff_s104: ${findings} findings in ${files} files\n`);
