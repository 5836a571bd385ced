#!/usr/bin/env node
// Checks one bindscan report against its consumer's schema or parser:
//   node validate.js FORMAT FILE
// Prints one JSON object, {"errors": [...], "parsed": ...}: `errors` lists
// every problem (empty when valid) and `parsed` is what the consumer's
// parser read, for tests to compare with what was written. Exit status 0
// valid, 1 invalid, 2 usage. Pinned packages: package-lock.json here.
//   json    ajv (JSON Schema 2020-12) with docs/schemas/bindscan-report-1.json
//   gitlab  ajv with gitlab-codequality.json (GitLab's documented fields)
//           plus unique fingerprints, which GitLab de-duplicates by
//   rdjson  @umbrelladocs/rdformat-validator, strict, no extra fields
//   junit   xmllint (well-formed XML) and test-results-parser (the parser
//           of testbeats and others), whose counts must match the report's
//   azure   commandFromString from azure-pipelines-task-lib, the Azure
//           Pipelines parser of ##vso[...] commands, on every line
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '../..');

function ajvErrors(schemaFile, data) {
  const Ajv2020 = require('ajv/dist/2020');
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')));
  if (validate(data)) return [];
  return validate.errors.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

const checks = {
  async json(text) {
    const data = JSON.parse(text);
    return { errors: ajvErrors(path.join(root, 'docs/schemas/bindscan-report-1.json'), data), parsed: data };
  },
  async gitlab(text) {
    const data = JSON.parse(text);
    const errors = ajvErrors(path.join(__dirname, 'gitlab-codequality.json'), data);
    const seen = new Set();
    for (const issue of Array.isArray(data) ? data : []) {
      if (seen.has(issue.fingerprint)) errors.push(`duplicate fingerprint ${issue.fingerprint}`);
      seen.add(issue.fingerprint);
    }
    return { errors, parsed: data };
  },
  async rdjson(text) {
    const { validate } = require('@umbrelladocs/rdformat-validator');
    const result = await validate(text, { strictMode: true, allowExtraFields: false });
    return { errors: result.errors.map((e) => `${e.path}: ${e.message}`), parsed: JSON.parse(text) };
  },
  async junit(text, file) {
    const errors = [];
    try {
      execFileSync('xmllint', ['--noout', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      errors.push(`xmllint: ${e.stderr}`);
    }
    const { parse } = require('test-results-parser');
    const parsed = parse({ type: 'junit', files: [file] });
    const declared = /<testsuites [^>]*tests="(\d+)" failures="(\d+)"/.exec(text);
    if (!declared) errors.push('no <testsuites tests=... failures=...>');
    else {
      const cases = parsed.suites.reduce((n, s) => n + s.cases.length, 0);
      const failed = parsed.suites.reduce((n, s) => n + s.cases.filter((c) => c.status === 'FAIL').length, 0);
      if (cases !== Number(declared[1])) errors.push(`parser read ${cases} test cases, the report says ${declared[1]}`);
      if (failed !== Number(declared[2])) errors.push(`parser read ${failed} failures, the report says ${declared[2]}`);
    }
    return { errors, parsed };
  },
  async azure(text) {
    const { commandFromString } = require('azure-pipelines-task-lib/taskcommand');
    const errors = [];
    const parsed = [];
    text.split('\n').forEach((line, i) => {
      if (line === '') return;
      if (!line.startsWith('##vso[')) {
        if (line.includes('##vso[')) errors.push(`line ${i + 1}: a command inside a plain line`);
        parsed.push({ plain: line });
        return;
      }
      try {
        const command = commandFromString(line);
        if (command.command !== 'task.logissue') errors.push(`line ${i + 1}: command ${command.command}`);
        const p = command.properties;
        if (!['error', 'warning'].includes(p.type)) errors.push(`line ${i + 1}: type ${p.type}`);
        if (!p.sourcepath) errors.push(`line ${i + 1}: no sourcepath`);
        for (const key of ['linenumber', 'columnnumber'])
          if (!/^[1-9][0-9]*$/.test(p[key] || '')) errors.push(`line ${i + 1}: ${key} ${p[key]}`);
        parsed.push({ command: command.command, properties: p, message: command.message });
      } catch (e) {
        errors.push(`line ${i + 1}: ${e.message}`);
      }
    });
    return { errors, parsed };
  },
};

async function main() {
  const [format, file] = process.argv.slice(2);
  if (!checks[format] || !file) {
    process.stderr.write(`usage: validate.js ${Object.keys(checks).join('|')} FILE\n`);
    process.exit(2);
  }
  let result;
  try {
    result = await checks[format](fs.readFileSync(file, 'utf8'), file);
  } catch (e) {
    result = { errors: [`${format}: ${e.message}`], parsed: null };
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(result.errors.length === 0 ? 0 : 1);
}

main();
