/**
 * Benchmark of the demo's register path at national scale: about 130,000 social-assistance
 * recipients a year (two register years, 260,000 KOSTRA-11C rows, the 29 HOLF offices' caseloads
 * among them), generated with valid fødselsnumre, validated and pseudonymised by the real import,
 * and screened with the HOLF rules.
 * Run: `node --import tsx bench/demo-national.ts [recipients] [--build]`; `--build` also times
 * `buildDemoTrial(store, { scale: 'national' })` into an in-memory store (which stores only the
 * trial offices' families).
 *
 * No R peer exists for register import and screening, so no ratio against R is printed.
 */
import { performance } from 'node:perf_hooks';
import { validateAndPseudonymise } from '../src/registers/import.ts';
import { screen } from '../src/registers/screening.ts';
import { openStore } from '../src/store/index.ts';
import { buildDemoTrial } from '../src/trial/demo/build-demo.ts';
import {
  DEMO_AS_OF,
  demoPseudonymKey,
  demoRegisterRecords,
} from '../src/trial/demo/register-records.ts';
import { holfRuleSet } from '../src/trial/eligibility-rules.ts';

const args = process.argv.slice(2);
const recipients = Number(args.find((a) => /^\d+$/.test(a)) ?? 130_000);
const SEED = 2016;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

let t = performance.now();
const records = demoRegisterRecords({
  seed: SEED,
  scale: 'national',
  nationalRecipients: recipients,
});
const rows = records.batches.reduce((n, b) => n + b.cells.length, 0);
const tGenerate = performance.now() - t;

t = performance.now();
const key = demoPseudonymKey(SEED);
const imported = records.batches.flatMap((b) => validateAndPseudonymise(b.cells, key, 'national'));
const tImport = performance.now() - t;

t = performance.now();
const run = await screen({ rows: imported }, holfRuleSet(), { asOf: DEMO_AS_OF });
const tScreen = performance.now() - t;

process.stdout.write(
  `national register extract: ${records.recipients} recipients, ${rows} rows (seed ${SEED})\n` +
    `  generate  ${s(tGenerate)}\n` +
    `  import    ${s(tImport)}  (validation, fødselsnummer check digits, HMAC pseudonyms; ${((tImport * 1000) / rows).toFixed(1)} µs/row)\n` +
    `  screening ${s(tScreen)}  (${run.summary.families} families, ${run.summary.meetingInclusion} meet inclusion, ${run.summary.eligible} eligible)\n` +
    `  import + screening ${s(tImport + tScreen)}\n` +
    'No R peer for register import and screening: no ratio against R.\n',
);

if (args.includes('--build')) {
  const store = await openStore({ memory: true });
  try {
    t = performance.now();
    const summary = await buildDemoTrial(store, { seed: SEED, scale: 'national' });
    process.stdout.write(
      `buildDemoTrial national: ${s(performance.now() - t)}; stages (ms) ${JSON.stringify(summary.timingsMs)}\n`,
    );
  } finally {
    await store.close();
  }
}
