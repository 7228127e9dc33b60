#!/usr/bin/env node
// scripts/check-node-engines.mjs [PACKAGE_DIR...] — fails if a JavaScript
// package of Berth, or anything it installs, declares an `engines.node` that
// excludes Debian 12's own Node.js, so a fresh Debian 12 box can build the
// web UI and run the browser tests with `apt-get install nodejs npm`.
//
//   node scripts/check-node-engines.mjs web tests/e2e
//
// For each directory (default: web and tests/e2e) it checks
//   - the package's own engines.node,
//   - every package in package-lock.json (npm records each one's engines
//     there, so this needs no install and no network),
//   - each direct dependency installed under node_modules, when there is one,
//     which catches a node_modules left over from an older lock file.
// A range must admit FLOOR, the oldest nodejs Debian 12 has shipped.
// Ranges are evaluated by the `semver` package (npm's own), a devDependency
// of web/, so web's node_modules must be installed. Prints one line per
// problem and exits 1, or prints a summary and exits 0. Runs in well under a
// second.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FLOOR = '18.19.0';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function loadSemver() {
  try {
    return createRequire(path.join(repo, 'web', 'package.json'))('semver');
  } catch {
    console.error('check-node-engines: web/node_modules/semver is missing; run `npm ci` in web/');
    process.exit(1);
  }
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

// Returns a problem line, or null if `range` (possibly absent) admits FLOOR.
function problem(semver, where, range) {
  if (range === undefined) return null;
  if (semver.validRange(range) === null) return `${where}: engines.node "${range}" is not a semver range`;
  if (semver.satisfies(FLOOR, range)) return null;
  return `${where}: engines.node "${range}" excludes node ${FLOOR} (Debian 12's nodejs)`;
}

function checkPackage(semver, dir) {
  const problems = [];
  let checked = 0;
  const note = (where, range) => {
    checked += 1;
    const p = problem(semver, where, range);
    if (p) problems.push(p);
  };
  const rel = path.relative(repo, dir) || '.';
  const manifest = readJson(path.join(dir, 'package.json'));
  if (manifest.engines?.node === undefined) problems.push(`${rel}/package.json: no engines.node`);
  note(`${rel}/package.json`, manifest.engines?.node);

  const lockFile = path.join(dir, 'package-lock.json');
  if (!existsSync(lockFile)) {
    problems.push(`${rel}: no package-lock.json`);
  } else {
    for (const [key, entry] of Object.entries(readJson(lockFile).packages ?? {})) {
      if (key !== '') note(`${rel}/package-lock.json ${key}@${entry.version}`, entry.engines?.node);
    }
  }

  const deps = { ...manifest.dependencies, ...manifest.devDependencies };
  for (const name of Object.keys(deps)) {
    const installed = path.join(dir, 'node_modules', name, 'package.json');
    if (!existsSync(installed)) continue;
    const pkg = readJson(installed);
    note(`${rel}/node_modules/${name}@${pkg.version} (installed; run npm ci if stale)`, pkg.engines?.node);
  }
  return { problems, checked };
}

const semver = loadSemver();
const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['web', 'tests/e2e'];
let failed = false;
for (const d of dirs) {
  const { problems, checked } = checkPackage(semver, path.resolve(repo, d));
  for (const p of problems) console.error(`check-node-engines: ${p}`);
  if (problems.length > 0) failed = true;
  else console.log(`check-node-engines: ${d}: ${checked} packages checked, none excludes node ${FLOOR}`);
}
process.exit(failed ? 1 : 0);
