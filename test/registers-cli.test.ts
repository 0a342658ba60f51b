import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { register } from '../src/cli/commands/registers.ts';
import { PSEUDONYM_KEY_ENV } from '../src/registers/pseudonym.ts';
import { isTiltakError } from '../src/stats/errors.ts';
import { createOffice, createTrial, listAuditEntries, openStore } from '../src/store/index.ts';

const HOLF = 'test/fixtures/data/registers-holf.csv';
const BAD = 'test/fixtures/data/registers-bad.csv';
const dir = mkdtempSync(join(tmpdir(), 'tiltak-cli-'));
const keyFile = join(dir, 'key');
writeFileSync(keyFile, 'test-key-0123456789abcdef\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

async function run(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  register(program);
  await program.parseAsync(['node', 'tiltak', ...args]);
}

async function runError(...args: string[]): Promise<{ code: string; message: string }> {
  try {
    await run(...args);
  } catch (e) {
    if (isTiltakError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an error');
}

describe('tiltak import registers', () => {
  it('imports, writes Parquet and prints one JSON object', async () => {
    const pq = join(dir, 'pseudo.parquet');
    await run('import', 'registers', HOLF, '--key-file', keyFile, '--out', pq, '--json');
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      status: 'imported',
      rows: 23,
      persons: 20,
      municipalities: 3,
      years: [2018, 2019],
      out: pq,
    });
    expect(existsSync(pq)).toBe(true);
  });

  it('takes the key from the environment and fails without one', async () => {
    vi.stubEnv(PSEUDONYM_KEY_ENV, 'test-key-0123456789abcdef');
    await run('import', 'registers', HOLF);
    expect(out).toMatch(/^Imported 23 rows: 20 persons, 3 municipalities, years 2018, 2019\n$/);
    vi.stubEnv(PSEUDONYM_KEY_ENV, '');
    expect((await runError('import', 'registers', HOLF)).code).toBe('PSEUDONYM_KEY_MISSING');
  });

  it('rejects a bad file, listing every bad row and writing nothing', async () => {
    const pq = join(dir, 'bad.parquet');
    const e = await runError('import', 'registers', BAD, '--key-file', keyFile, '--out', pq);
    expect(e.code).toBe('REGISTER_REJECTED');
    expect(err.trim().split('\n')).toHaveLength(9);
    expect(err).toContain("row 12, column personal_id, value '1234*****'");
    expect(err).not.toContain('01028110028');
    expect(existsSync(pq)).toBe(false);
    out = '';
    await runError('import', 'registers', BAD, '--key-file', keyFile, '--json');
    const report = JSON.parse(out.trim());
    expect(report.status).toBe('rejected');
    expect(report.badRows).toHaveLength(9);
  });
});

describe('tiltak screen', () => {
  it('screens a pseudonymised Parquet file with the HOLF rules', async () => {
    const pq = join(dir, 'screen-in.parquet');
    await run('import', 'registers', HOLF, '--key-file', keyFile, '--out', pq);
    out = '';
    const results = join(dir, 'results.parquet');
    await run('screen', pq, '--json', '--out', results);
    const s = JSON.parse(out.trim());
    expect(s).toMatchObject({ status: 'screened', asOf: '2019-12', families: 20, eligible: 6 });
    expect(s.exclusionsByRule.parent_in_treatment).toBe(2);
    expect(existsSync(results)).toBe(true);
  });

  it('screens a raw file with a key and prints reasons in Bokmål', async () => {
    await run('screen', HOLF, '--key-file', keyFile, '--as-of', '2019-06', '--lang', 'nb');
    expect(out).toContain('12 months ending 2019-06');
    expect(out).toContain('Eligible: 5');
    expect(out).toContain('Deltar i et annet helhetlig familieprosjekt.');
  });

  it('uses a rule set from a file and reports invalid ones', async () => {
    const rules = join(dir, 'rules.json');
    writeFileSync(
      rules,
      JSON.stringify({
        id: 'kvp',
        version: '1',
        title: { nb: 'KVP', en: 'KVP' },
        inclusion: [
          {
            id: 'in_kvp',
            reason: { nb: 'Ikke i KVP.', en: 'Not in the qualification programme.' },
            when: { field: 'kvp_participant', op: '=', value: true },
          },
        ],
        exclusion: [],
      }),
    );
    await run('screen', HOLF, '--key-file', keyFile, '--rules', rules, '--json');
    expect(JSON.parse(out.trim())).toMatchObject({ families: 20, eligible: 1 });
    writeFileSync(rules, '{"id": "kvp"');
    expect((await runError('screen', HOLF, '--key-file', keyFile, '--rules', rules)).code).toBe(
      'RULESET_INVALID',
    );
    expect((await runError('screen', HOLF, '--key-file', keyFile, '--as-of', '2019-13')).code).toBe(
      'BAD_MONTH',
    );
  });
});

describe('tiltak screen --store', () => {
  const dataDir = join(dir, 'store');

  it('stores the identified families of the trial’s offices with their decisions, once', async () => {
    const store = await openStore({ dataDir });
    try {
      const trial = await createTrial(store.db, 'stat:anne', {
        name: 'HOLF',
        startDate: '2020-01-01',
        arms: [
          { key: 'holf', name: 'HOLF' },
          { key: 'control', name: 'control' },
        ],
      });
      for (const [code, municipality] of [
        ['oslo-a', '0301'],
        ['oslo-b', '0301'],
        ['bergen', '4601'],
      ] as const)
        await createOffice(store.db, 'stat:anne', {
          trialId: trial.id,
          code,
          name: code,
          covariates: { municipality },
        });
    } finally {
      await store.close();
    }
    const args = ['screen', HOLF, '--key-file', keyFile, '--store', '--data-dir', dataDir];
    // Two offices serve Oslo: without a map the run is refused and nothing is stored.
    const ambiguous = await runError(...args, '--json');
    expect(ambiguous.code).toBe('AMBIGUOUS_OFFICE');
    expect(ambiguous.message).toContain('0301');
    const map = join(dir, 'offices.csv');
    writeFileSync(map, 'municipality;office\n0301;oslo-a\n');
    out = '';
    await run(...args, '--office-map', map, '--json');
    const first = JSON.parse(out.trim());
    const s = first.stored;
    // Every family is accounted for: stored, outside the offices (5001 has none), or not included.
    expect(s.identified + s.outsideOffices).toBe(first.meetingInclusion);
    expect(s.notIncluded).toBe(first.families - first.meetingInclusion);
    expect(s.outsideOffices).toBeGreaterThan(0);
    expect(s).toMatchObject({ trial: 'HOLF', created: s.identified, updated: 0, unchanged: 0 });
    expect(s.byOffice.map((o: { office: string }) => o.office)).toEqual(['bergen', 'oslo-a']);
    const check = await openStore({ dataDir });
    try {
      const families = await check.db.selectFrom('family').select('id').execute();
      expect(families).toHaveLength(s.identified);
      const eligible = await check.db
        .selectFrom('eligibility')
        .select('family_id')
        .where('eligible', '=', true)
        .execute();
      expect(eligible).toHaveLength(
        s.byOffice.reduce((n: number, o: { eligible: number }) => n + o.eligible, 0),
      );
      const excluded = await check.db
        .selectFrom('eligibility')
        .select(['rule', 'reasons'])
        .where('eligible', '=', false)
        .execute();
      for (const e of excluded) {
        expect(e.rule).toMatch(/^holf@.+:/);
        expect((e.reasons as string[]).length).toBeGreaterThan(0);
      }
      expect(
        (await listAuditEntries(check.db, { entity: 'family' })).every((a) =>
          a.actor.startsWith('cli'),
        ),
      ).toBe(true);
    } finally {
      await check.close();
    }
    out = '';
    await run(...args, '--office-map', map);
    expect(out).toContain(
      `${s.identified} identified families (0 new, 0 with a changed decision, ${s.identified} unchanged)`,
    );
    writeFileSync(map, 'municipality,office\n0301,nowhere\n');
    expect((await runError(...args, '--office-map', map)).code).toBe('UNKNOWN_OFFICE');
    writeFileSync(map, 'municipality,office\n301,oslo-a\n');
    const bad = await runError(...args, '--office-map', map);
    expect(bad.message).toMatch(/row 2, column municipality: '301'/);
  }, 60_000);
});
