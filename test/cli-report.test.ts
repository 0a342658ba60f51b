import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runPlan } from '../src/analysis/plan/run-plan.ts';
import { AnalysisPlan } from '../src/analysis/plan/schema.ts';
import { register } from '../src/cli/commands/report.ts';
import { readCsv } from '../src/io/read-csv.ts';
import { errorText, runCli } from './helpers/cli.ts';

const run = (...args: string[]): Promise<string> => runCli([register], args);

const errorOf = (...args: string[]): Promise<string> => errorText(() => run(...args));

const dir = mkdtempSync(join(tmpdir(), 'tiltak-report-'));
const dataFile = 'test/fixtures/data/holf-demo.csv';
const planJson = JSON.parse(readFileSync('src/analysis/plan/holf-plan.json', 'utf8'));

afterEach(() => vi.restoreAllMocks());

describe('tiltak report', () => {
  it('--json: runs the shipped plan, writes the report and the bundle', async () => {
    const out = join(dir, 'report.html');
    const bundle = join(dir, 'bundle');
    const text = await run(
      'report',
      '--data',
      dataFile,
      '--out',
      out,
      '--bundle',
      bundle,
      '--json',
    );
    expect(text.trim().split('\n')).toHaveLength(1);
    const j = JSON.parse(text);
    const want = runPlan(AnalysisPlan.parse(planJson), readCsv(dataFile));
    expect(j.plan_hash).toBe(want.planHash);
    expect(
      j.effects.map((e: { outcome: string; estimate: number }) => [e.outcome, e.estimate]),
    ).toEqual(want.outcomes.map((o) => [o.id, o.effect.estimate]));
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('Kenward–Roger');
    expect(html).toContain('<section id="trajectories">');
    expect(html).toContain('<section id="randomisation">');
    expect(html).not.toContain('<section id="municipality">');
    for (const f of ['data.csv', 'codebook.csv', 'plan.json', 'results.json', 'analysis.R'])
      expect(existsSync(join(bundle, f)), f).toBe(true);
  });

  it('takes a plan file and a municipality table', async () => {
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify({ ...planJson, outcomes: [planJson.outcomes[1]] }));
    const out = join(dir, 'small.html');
    const text = await run(
      'report',
      '--data',
      dataFile,
      '--plan',
      planFile,
      '--municipality',
      'test/fixtures/data/municipality-panel.csv',
      '--out',
      out,
    );
    expect(text).toContain(`Report written to ${out}`);
    expect(text).toContain('1 outcome\n');
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<section id="municipality">');
    expect(html).not.toContain('Income per month at T2');
  });

  it('names missing or bad input', async () => {
    expect(await errorOf('report')).toMatch(/^BAD_OPTION: --data/);
    expect(await errorOf('report', '--data', join(dir, 'nope.csv'))).toMatch(/^FILE_NOT_FOUND/);
    const bad = join(dir, 'bad-plan.json');
    writeFileSync(bad, JSON.stringify({ ...planJson, level: 2 }));
    expect(await errorOf('report', '--data', dataFile, '--plan', bad)).toMatch(
      /^BAD_PLAN: .*bad-plan\.json: level/,
    );
    writeFileSync(bad, '{ not json');
    expect(await errorOf('report', '--data', dataFile, '--plan', bad)).toMatch(/^BAD_PLAN/);
  });
});

describe('tiltak report --consort and --power-effect', () => {
  const counts = {
    trial: 'HOLF',
    officesAssessed: 30,
    officesExcluded: 1,
    officesRandomised: 29,
    familiesIdentified: 1200,
    familiesExcluded: [{ reason: 'In another family project', families: 40 }],
    familiesEligible: 1160,
    arms: ['HOLF', 'control'].map((arm, i) => ({
      arm,
      offices: 15 - i,
      drawn: 430 - 20 * i,
      notDrawn: 160,
      enrolled: 420 - 20 * i,
      notEnrolled: [{ reason: 'Declined consent', families: 10 }],
      clusterSize: { mean: 28, min: 20, max: 35 },
      waves: [
        {
          wave: 'T2',
          followedUp: 400 - 20 * i,
          lost: [],
          analysed: 400 - 20 * i,
          officesAnalysed: 15 - i,
        },
      ],
    })),
  };

  it('draws the diagram from a counts file and adds a power curve', async () => {
    const file = join(dir, 'consort.json');
    writeFileSync(file, JSON.stringify(counts));
    const out = join(dir, 'with-consort.html');
    await run(
      'report',
      '--data',
      dataFile,
      '--consort',
      file,
      '--power-effect',
      '1000',
      '--out',
      out,
    );
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<section id="consort">');
    expect(html).toContain('T2: 380 families in 14 offices');
    expect(html).toContain('<section id="power">');
    expect(html).toContain('Power to detect 1000 on Income per month at T2 (NOK)');
  });

  it('names the bad field of a counts file', async () => {
    const file = join(dir, 'bad-consort.json');
    writeFileSync(file, JSON.stringify({ ...counts, officesRandomised: -1 }));
    expect(await errorOf('report', '--data', dataFile, '--consort', file)).toMatch(
      /^BAD_CONSORT: .*bad-consort\.json: officesRandomised/,
    );
  });
});
