import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../src/cli/commands/randomize.ts';
import { verifyAllocationRecord } from '../src/design/record.ts';
import { errorText, runCli } from './helpers/cli.ts';

const run = (...args: string[]): Promise<string> => runCli([register], ['randomize', ...args]);

const errorOf = (...args: string[]): Promise<string> => errorText(() => run(...args));

const file = 'test/fixtures/data/design-offices.csv';
const dir = mkdtempSync(join(tmpdir(), 'tiltak-randomize-'));

afterEach(() => vi.restoreAllMocks());

describe('tiltak randomize', () => {
  it('constrained --json: one JSON object with the accepted space, scores, balance and validity', async () => {
    const out = join(dir, 'alloc.json');
    const text = await run(
      file,
      '--id',
      'office',
      '--treated',
      '6',
      '--balance',
      'caseload,urban,income',
      '--seed',
      '77',
      '--out',
      out,
      '--json',
    );
    expect(text.trim().split('\n')).toHaveLength(1);
    const j = JSON.parse(text);
    expect(j.scheme).toBe('constrained');
    expect([j.total_schemes, j.accepted_schemes, j.enumerated]).toEqual([924, 92, true]);
    expect(j.treated_ids).toHaveLength(6);
    expect(j.chosen_score).toBeLessThanOrEqual(j.score_distribution.cutoff_score + 1e-12);
    expect(j.balance.map((b: { term: string }) => b.term)).toEqual([
      'caseload',
      'urbanland',
      'urbantett',
      'income',
    ]);
    expect(j.validity.pairs).toBe(66);
    const rec = verifyAllocationRecord(JSON.parse(readFileSync(out, 'utf8')), { regenerate: true });
    expect(rec.sha256).toBe(j.record_sha256);
    expect(rec.allocation.treated_ids).toEqual(j.treated_ids);
    // Same seed, same allocation.
    const again = JSON.parse(
      await run(
        file,
        '--id',
        'office',
        '--treated',
        '6',
        '--balance',
        'caseload,urban,income',
        '--seed',
        '77',
        '--json',
      ),
    );
    expect(again.treated_ids).toEqual(j.treated_ids);
  });

  it('stratified and pairs produce readable reports', async () => {
    const s = await run(
      file,
      '--id',
      'office',
      '--treated',
      '6',
      '--strata',
      'region',
      '--seed',
      '1',
    );
    expect(s).toMatch(/Randomisation: stratified, 6 of 12/);
    expect(s).toMatch(/stratum Øst: 2 of 5 treated/);
    const p = JSON.parse(
      await run(
        file,
        '--id',
        'office',
        '--treated',
        '6',
        '--pairs',
        'pair',
        '--seed',
        '1',
        '--json',
      ),
    );
    expect(p.total_schemes).toBe(64);
  });

  it('bad input: one-line TiltakErrors naming the problem', async () => {
    expect(await errorOf(file, '--id', 'office', '--treated', '13', '--seed', '1')).toMatch(
      /^BAD_TREATED: .*13.*12 clusters/,
    );
    expect(await errorOf(file, '--id', 'kontor', '--treated', '6')).toMatch(
      /^UNKNOWN_COLUMN: .*'kontor'/,
    );
    expect(
      await errorOf(file, '--id', 'office', '--treated', '6', '--balance', 'caseload,size'),
    ).toMatch(/^UNKNOWN_COLUMN: .*'size'/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'id,k,c,s\na,1,x,1\nb,2,x,1\nc,NA,x,2\nd,4,x,2\n');
    expect(await errorOf(bad, '--id', 'id', '--treated', '2', '--balance', 'k')).toMatch(
      /^MISSING_VALUE: .*'k'.*row 3/,
    );
    expect(await errorOf(bad, '--id', 'id', '--treated', '2', '--balance', 'c')).toMatch(
      /^CONSTANT_COLUMN: .*'c'/,
    );
    const strata = join(dir, 'strata.csv');
    writeFileSync(strata, 'id,s\na,1\nb,1\nc,1\nd,2\n');
    expect(await errorOf(strata, '--id', 'id', '--treated', '2', '--strata', 's')).toMatch(
      /^STRATUM_TOO_SMALL: stratum '2'/,
    );
  });
});

const anchors = '../shared/data/anchors';
describe.skipIf(!existsSync(`${anchors}/dickinson_design.csv`))(
  'tiltak randomize on cvcrand Dickinson (skipped when ../shared/data/anchors is absent)',
  () => {
    it('reports cvcrand counts and, on cvcrand scale, its score summary', async () => {
      const j = JSON.parse(
        await run(
          `${anchors}/dickinson_design.csv`,
          '--id',
          'county',
          '--treated',
          '8',
          '--balance',
          'location,inciis,uptodateonimmunizations,hispanic,incomecat',
          '--seed',
          '1',
          '--json',
        ),
      );
      expect([j.total_schemes, j.accepted_schemes, j.cvcrand_scale]).toEqual([12_870, 1_287, 16]);
      const d = j.score_distribution;
      // cvcrand prints three decimals.
      expect(d.cutoff_score * 16).toBeCloseTo(7.638, 3);
      expect(d.median * 16).toBeCloseTo(20.578, 3);
      expect(d.sd * 16).toBeCloseTo(15.775, 3);
    });
  },
);
