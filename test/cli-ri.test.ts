import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register as registerRandomize } from '../src/cli/commands/randomize.ts';
import { register } from '../src/cli/commands/ri.ts';
import { errorText, runCli } from './helpers/cli.ts';

const run = (...args: string[]): Promise<string> => runCli([register, registerRandomize], args);

const errorOf = (...args: string[]): Promise<string> => errorText(() => run(...args));

const ref = JSON.parse(readFileSync('test/fixtures/r/design-ri.json', 'utf8')).ri;
const file = 'test/fixtures/data/design-trial.csv';
const common = ['--outcome', 'y', '--treatment', 'treat', '--cluster', 'cluster'];
const dir = mkdtempSync(join(tmpdir(), 'tiltak-ri-'));

afterEach(() => vi.restoreAllMocks());

describe('tiltak ri', () => {
  it('--json: the exact test over the complete design, as R', async () => {
    const text = await run('ri', file, ...common, '--json');
    expect(text.trim().split('\n')).toHaveLength(1);
    const j = JSON.parse(text);
    expect(j.exact).toBe(true);
    expect([j.extreme, j.evaluated, j.total_allocations]).toEqual([
      ref.complete_diff.extreme,
      210,
      210,
    ]);
    expect(j.p_value).toBeCloseTo(ref.complete_diff.extreme / 210, 14);
    expect(Math.abs(j.observed - ref.complete_diff.observed)).toBeLessThan(1e-12);
  });

  it('blocks with IPW, adjusted statistic, draws and the interval', async () => {
    const b = JSON.parse(
      await run('ri', file, ...common, '--blocks', 'block', '--statistic', 'ipw', '--json'),
    );
    expect([b.design, b.extreme, b.evaluated]).toEqual(['blocked', ref.blocked_ipw.extreme, 90]);
    const a = JSON.parse(
      await run('ri', file, ...common, '--statistic', 'adjusted', '--covariates', 'x', '--json'),
    );
    expect(a.adjustment).toEqual({ family: 'gaussian', terms: ['x'] });
    expect(a.extreme).toBe(ref.adjusted_ols.extreme);
    const d = JSON.parse(
      await run('ri', file, ...common, '--draws', '500', '--seed', '4', '--json'),
    );
    expect([d.exact, d.evaluated, d.seed]).toEqual([false, 500, 4]);
    const c = JSON.parse(await run('ri', file, ...common, '--ci', '0.95', '--json'));
    expect(Math.abs(c.ci.low - ref.ci_complete_diff_95.low)).toBeLessThan(1e-6);
    const text = await run('ri', file, ...common);
    expect(text).toMatch(/Two-sided p-value: .*12 of 210 allocations enumerated exactly/);
  });

  it('--design: tests over the accepted space of an allocation record, and refuses a tampered one', async () => {
    const rec = join(dir, 'alloc.json');
    await run(
      'randomize',
      'test/fixtures/data/design-offices.csv',
      '--id',
      'office',
      '--treated',
      '6',
      '--balance',
      'caseload,urban',
      '--seed',
      '5',
      '--out',
      rec,
      '--json',
    );
    const treated = new Set<string>(JSON.parse(readFileSync(rec, 'utf8')).allocation.treated_ids);
    const rows = ['office,treat,y'];
    for (let g = 1; g <= 12; g++) {
      const id = `NAV${String(g).padStart(2, '0')}`;
      for (let i = 0; i < 3; i++)
        rows.push(`${id},${treated.has(id) ? 1 : 0},${(g * 7 + i * 3) % 11}`);
    }
    const data = join(dir, 'units.csv');
    writeFileSync(data, `${rows.join('\n')}\n`);
    const args = ['--outcome', 'y', '--treatment', 'treat', '--cluster', 'office', '--design', rec];
    const j = JSON.parse(await run('ri', data, ...args, '--json'));
    expect([j.design, j.evaluated, j.exact]).toEqual(['explicit', 92, true]);
    const tampered = JSON.parse(readFileSync(rec, 'utf8'));
    tampered.design.cutoff = 0.2;
    writeFileSync(rec, JSON.stringify(tampered));
    expect(await errorOf('ri', data, ...args)).toMatch(/^HASH_MISMATCH: /);
  });

  it('--design with a pair-matched record tests over the 2^6 within-pair allocations', async () => {
    const rec = join(dir, 'pairs.json');
    await run(
      'randomize',
      'test/fixtures/data/design-offices.csv',
      '--id',
      'office',
      '--treated',
      '6',
      '--pairs',
      'pair',
      '--seed',
      '8',
      '--out',
      rec,
      '--json',
    );
    const treated = new Set<string>(JSON.parse(readFileSync(rec, 'utf8')).allocation.treated_ids);
    const rows = ['office,treat,y'];
    for (let g = 1; g <= 12; g++) {
      const id = `NAV${String(g).padStart(2, '0')}`;
      rows.push(`${id},${treated.has(id) ? 1 : 0},${(g * 5) % 7}`);
    }
    const data = join(dir, 'pairs-units.csv');
    writeFileSync(data, `${rows.join('\n')}\n`);
    const j = JSON.parse(
      await run(
        'ri',
        data,
        '--outcome',
        'y',
        '--treatment',
        'treat',
        '--cluster',
        'office',
        '--design',
        rec,
        '--json',
      ),
    );
    expect([j.design, j.evaluated]).toEqual(['blocked', 64]);
    const flipped = rows.map((r, i) =>
      i === 1 ? r.replace(/,(\d),/, (_m, t) => `,${1 - Number(t)},`) : r,
    );
    writeFileSync(data, `${flipped.join('\n')}\n`);
    expect(
      await errorOf(
        'ri',
        data,
        '--outcome',
        'y',
        '--treatment',
        'treat',
        '--cluster',
        'office',
        '--design',
        rec,
      ),
    ).toMatch(/^DESIGN_MISMATCH: row 1/);
  });

  it('bad input: unknown columns, varying treatment, conflicting options', async () => {
    expect(
      await errorOf('ri', file, '--outcome', 'z', '--treatment', 'treat', '--cluster', 'cluster'),
    ).toMatch(/^UNKNOWN_COLUMN: .*'z'/);
    expect(
      await errorOf('ri', file, '--outcome', 'y', '--treatment', 'treat', '--cluster', 'block'),
    ).toMatch(/^TREATMENT_VARIES_IN_CLUSTER/);
    expect(await errorOf('ri', file, ...common, '--exact', '--draws', '10')).toMatch(
      /^CONFLICTING_OPTIONS/,
    );
    expect(await errorOf('ri', file, ...common, '--statistic', 'adjusted')).toMatch(
      /^BAD_OPTION: .*--covariates/,
    );
  });
});
