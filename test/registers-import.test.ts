import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDuck, sqlString } from '../src/registers/duckdb.ts';
import {
  importRegisterFile,
  RegisterRejectedError,
  writePseudonymisedParquet,
} from '../src/registers/import.ts';
import { pseudonymise, pseudonymKey } from '../src/registers/pseudonym.ts';
import { isTiltakError } from '../src/stats/errors.ts';

const HOLF = 'test/fixtures/data/registers-holf.csv';
const BAD = 'test/fixtures/data/registers-bad.csv';
const key = pseudonymKey('test-key-0123456789abcdef');
const dir = mkdtempSync(join(tmpdir(), 'tiltak-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rawIds(path: string): string[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[0]!);
}

async function rejection(path: string): Promise<RegisterRejectedError> {
  try {
    await importRegisterFile(path, key);
  } catch (e) {
    if (e instanceof RegisterRejectedError) return e;
    throw e;
  }
  throw new Error('expected the import to be rejected');
}

describe('importRegisterFile', () => {
  it('imports every row and carries only pseudonyms', async () => {
    const r = await importRegisterFile(HOLF, key);
    expect(r.summary).toEqual({ rows: 23, persons: 20, municipalities: 3, years: [2018, 2019] });
    expect(r.format).toBe('csv');
    expect(r.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
    const text = JSON.stringify(r);
    for (const id of rawIds(HOLF)) {
      expect(text).not.toContain(id);
      expect(r.rows.some((row) => row.pseudonym === pseudonymise(id, key))).toBe(true);
    }
    const first = r.rows.find(
      (row) => row.pseudonym === pseudonymise('01028110029', key) && row.municipality === '0301',
    )!;
    expect(first).toMatchObject({
      year: 2019,
      children_under_18: 2,
      child_ages: [3, 7],
      main_income_source: 5,
      grant_total: 96000,
      other_family_project: false,
    });
    expect(first.receipt).toEqual(Array(12).fill(true));
    expect(first.amounts).toEqual(Array(12).fill(8000));
  });

  it('rejects a file with bad rows whole, reporting every problem with masked ids', async () => {
    const e = await rejection(BAD);
    expect(e.code).toBe('REGISTER_REJECTED');
    expect(e.message.split('\n')).toHaveLength(1);
    expect(e.message).toContain('9 bad rows with 9 problems');
    expect(e.badRows).toEqual([
      {
        row: 2,
        column: 'personal_id',
        value: '010281*****',
        reason: 'invalid personal id: second check digit should be 9, is 8',
      },
      {
        row: 3,
        column: 'personal_id',
        value: '310281*****',
        reason: 'invalid personal id: impossible birth date day 31 of 1981-02',
      },
      {
        row: 4,
        column: 'personal_id',
        value: '010281*****',
        reason: 'duplicate: same person, municipality and year as row 1',
      },
      { row: 5, column: 'm03', value: '2', reason: 'flag must be 0 or 1' },
      {
        row: 6,
        column: 'main_income_source',
        value: '12',
        reason: 'unknown main income source code 12 (known: 1, 2, 3, 4, 5, 6, 7, 8, 9)',
      },
      { row: 7, column: 'amount_05', value: '-100', reason: 'negative amount' },
      { row: 8, column: 'child_ages', value: '3|18', reason: 'child age 18 out of range 0–17' },
      {
        row: 10,
        column: 'child_ages',
        value: '3|7',
        reason: '2 ages listed but children_under_18 is 3',
      },
      {
        row: 12,
        column: 'personal_id',
        value: '1234*****',
        reason: 'invalid personal id: must be exactly 11 digits',
      },
    ]);
    const report = JSON.stringify(e.badRows) + e.message;
    for (const id of rawIds(BAD)) if (id.length === 11) expect(report).not.toContain(id);
  });

  it('checks across columns: birth after the register year, money without receipt', async () => {
    const lines = readFileSync(HOLF, 'utf8').trim().split('\n');
    const born2005 = '15050590086';
    const row = lines[1]!.split(',');
    row[0] = born2005;
    row[2] = '2004';
    const other = lines[2]!.split(',');
    other[2] = '19x9';
    // F3 receives in months 1–5 only; money in month 9 contradicts its receipt flag.
    const third = lines[3]!.split(',');
    const header = lines[0]!.split(',');
    third[header.indexOf('amount_09')] = '500';
    third[header.indexOf('sex')] = '';
    const f = join(dir, 'late.csv');
    writeFileSync(f, `${[lines[0], row.join(','), other.join(','), third.join(',')].join('\n')}\n`);
    const e = await rejection(f);
    expect(e.badRows.map((b) => [b.row, b.column, b.reason])).toEqual([
      [1, 'personal_id', 'birth year 2005 is after the register year 2004'],
      [2, 'year', 'not a whole non-negative number'],
      [3, 'sex', 'missing value'],
    ]);
    third[header.indexOf('sex')] = '2';
    writeFileSync(f, `${[lines[0], third.join(',')].join('\n')}\n`);
    expect((await rejection(f)).badRows).toEqual([
      {
        row: 1,
        column: 'amount_09',
        value: '500',
        reason: 'amount in month 09 but receipt flag m09 is 0',
      },
    ]);
  });

  it('reports missing and unknown columns before reading rows', async () => {
    const lines = readFileSync(HOLF, 'utf8').trim().split('\n');
    const f = join(dir, 'cols.csv');
    const fix = (l: string) => l.split(',').slice(0, -1).concat('x').join(',');
    writeFileSync(f, `${lines.map(fix).join('\n')}\n`);
    await expect(importRegisterFile(f, key)).rejects.toMatchObject({
      code: 'REGISTER_COLUMNS',
      message: expect.stringContaining(
        'missing columns: child_welfare_case; unknown columns: x',
      ) as string,
    });
    await expect(importRegisterFile(join(dir, 'absent.csv'), key)).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
  });

  it('is idempotent: the same file and key give the same rows and the same Parquet bytes', async () => {
    const a = await importRegisterFile(HOLF, key);
    const b = await importRegisterFile(HOLF, key);
    expect(b).toEqual(a);
    const pa = join(dir, 'a.parquet');
    const pb = join(dir, 'b.parquet');
    await writePseudonymisedParquet(a.rows, pa);
    await writePseudonymisedParquet(b.rows, pb);
    expect(readFileSync(pa).equals(readFileSync(pb))).toBe(true);
    const other = await importRegisterFile(HOLF, pseudonymKey('another-key-0123456789abcdef'));
    expect(other.rows.map((r) => r.pseudonym).sort()).not.toEqual(
      a.rows.map((r) => r.pseudonym).sort(),
    );
  });

  it('reads Parquet input, including ids stored as integers', async () => {
    const csvResult = await importRegisterFile(HOLF, key);
    const db = await openDuck();
    const out = join(dir, 'raw.parquet');
    try {
      await db.connection.run(
        `COPY (SELECT * REPLACE (CAST(personal_id AS BIGINT) AS personal_id) FROM read_csv(${sqlString(
          HOLF,
        )}, all_varchar = true, delim = ',')) TO ${sqlString(out)} (FORMAT parquet)`,
      );
    } finally {
      db.close();
    }
    const r = await importRegisterFile(out, key);
    expect(r.format).toBe('parquet');
    expect(r.rows).toEqual(csvResult.rows);
  });

  it('writes the pseudonymised Parquet with the documented columns and no ids', async () => {
    const r = await importRegisterFile(HOLF, key);
    const out = join(dir, 'pseudo.parquet');
    await writePseudonymisedParquet(r.rows, out);
    expect(existsSync(`${out}.partial-${process.pid}`)).toBe(false);
    const db = await openDuck();
    try {
      const rows = (
        await db.connection.runAndReadAll(
          `SELECT pseudonym, child_ages, m01, amount_01 FROM read_parquet(${sqlString(out)})`,
        )
      ).getRowObjectsJS();
      expect(rows).toHaveLength(23);
      expect(rows.map((x) => x.pseudonym)).toEqual(r.rows.map((x) => x.pseudonym));
      expect(rows[0]!.child_ages).toEqual(r.rows[0]!.child_ages);
    } finally {
      db.close();
    }
    const bytes = readFileSync(out).toString('latin1');
    for (const id of rawIds(HOLF)) expect(bytes).not.toContain(id);
  });

  it('reads semicolon files and reports rows of the wrong width as bad rows', async () => {
    const lines = readFileSync(HOLF, 'utf8').trim().split('\n');
    const semi = lines.map((l) => l.replaceAll(',', ';'));
    semi[2] = `${semi[2]};1`;
    semi[4] = semi[4]!.split(';').slice(0, 10).join(';');
    const f = join(dir, 'semi.csv');
    writeFileSync(f, `\ufeff${semi.join('\n')}\n`);
    const e = await rejection(f);
    expect(e.badRows).toEqual([
      { row: 2, column: '(row)', value: '42 cells', reason: 'the row has 42 cells, the header 41' },
      { row: 4, column: '(row)', value: '10 cells', reason: 'the row has 10 cells, the header 41' },
    ]);
    const ok = join(dir, 'semi-ok.csv');
    writeFileSync(ok, `${lines.map((l) => l.replaceAll(',', ';')).join('\n')}\n`);
    expect((await importRegisterFile(ok, key)).rows).toEqual(
      (await importRegisterFile(HOLF, key)).rows,
    );
  });

  it('reports broken CSV quoting without echoing ids', async () => {
    const lines = readFileSync(HOLF, 'utf8').trim().split('\n');
    const f = join(dir, 'quote.csv');
    writeFileSync(f, `${lines[0]}\n"01028110029,0301,2019\n`);
    const err = await importRegisterFile(f, key).catch((x: unknown) => x);
    expect(isTiltakError(err, 'CSV_SYNTAX')).toBe(true);
    expect((err as Error).message).not.toContain('01028110029');
  });

  it('refuses an empty file', async () => {
    const f = join(dir, 'empty.csv');
    writeFileSync(f, '');
    await expect(importRegisterFile(f, key)).rejects.toSatisfy((e) =>
      isTiltakError(e, 'EMPTY_FILE'),
    );
  });
});
