#!/usr/bin/env node
// Adds lockfile entries for optional platform packages (other OS/CPU builds of biome, duckdb, …)
// that the package registry reachable here does not serve. npm leaves them out of
// package-lock.json when it cannot fetch them, and `npm ci` then refuses the lock as out of sync.
// With an entry carrying os/cpu/libc, `npm ci` knows the package is for another platform and
// skips it. Run after any `npm install` that changes the lock: node scripts/lock-platform-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
const OS = ['win32', 'darwin', 'linux', 'android', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix'];
const CPU = ['x64', 'arm64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];
let added = 0;
for (const [key, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const parent = key === '' ? '' : `${key}/`;
    const candidates = [`${parent}node_modules/${name}`, `node_modules/${name}`];
    if (candidates.some((c) => packages[c] !== undefined)) continue;
    const parts = name.split('/').pop().split('-');
    const os = parts.find((p) => OS.includes(p));
    const cpu = parts.find((p) => CPU.includes(p));
    if (os === undefined && cpu === undefined) continue; // not a platform build: leave it to npm
    if (!/^\d+\.\d+\.\d+/.test(spec)) continue;
    packages[`node_modules/${name}`] = {
      version: spec,
      optional: true,
      ...(os ? { os: [os] } : {}),
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(parts.includes('musl')
        ? { libc: ['musl'] }
        : parts.includes('gnu')
          ? { libc: ['glibc'] }
          : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) =>
    a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0,
  ),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-platform-stubs: added ${added} platform entries`);
