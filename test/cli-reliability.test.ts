import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { register } from '../src/cli/commands/reliability.ts';
import { isTiltakError } from '../src/stats/errors.ts';
import { runCli } from './helpers/cli.ts';

interface Case {
  label: string;
  items: string[];
  total: Record<string, number>;
  alpha_drop: Record<string, number[]>;
  item_stats: Record<string, number[]>;
}
interface OmegaCase {
  label: string;
  psych_omega_tot: number;
}
const fx = JSON.parse(
  readFileSync(new URL('./fixtures/r/reliability.json', import.meta.url), 'utf8'),
) as { cases: Case[]; omega: OmegaCase[] };
const bfi = new URL('./fixtures/data/reliability-bfi.csv', import.meta.url).pathname;

const run = (...args: string[]): Promise<string> => runCli([register], args);

async function errorOf(...args: string[]): Promise<{ code: string; message: string }> {
  try {
    await run(...args);
  } catch (e) {
    if (isTiltakError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an error');
}

const dir = mkdtempSync(join(tmpdir(), 'tiltak-reliability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('tiltak reliability --json', () => {
  it('prints one JSON object that agrees with psych::alpha and psych::omega', async () => {
    const out = await run(
      'reliability',
      bfi,
      '--items',
      'A1,A2,A3,A4,A5',
      '--keys',
      '-A1',
      '--json',
    );
    expect(out.trim().split('\n')).toHaveLength(1);
    const j = JSON.parse(out);
    const c = fx.cases.find((x) => x.label === 'bfi A1-A5, A1 reversed, pairwise missing')!;
    // Same kernel as test/reliability-alpha.test.ts (worst observed 1.2e-13); JSON keeps all digits.
    expect(rel(j.raw_alpha, c.total.raw_alpha!)).toBeLessThan(1e-10);
    expect(rel(j.std_alpha, c.total.std_alpha!)).toBeLessThan(1e-10);
    expect(j.n_obs).toBe(2800);
    expect(j.items.map((it: { item: string }) => it.item)).toEqual(c.items);
    expect(j.items[0].key).toBe(-1);
    j.items.forEach((it: Record<string, number>, i: number) => {
      expect(rel(it.r_drop!, c.item_stats.r_drop![i]!)).toBeLessThan(1e-10);
      expect(rel(it.raw_alpha_if_dropped!, c.alpha_drop.raw_alpha![i]!)).toBeLessThan(1e-10);
      expect(rel(it.std_alpha_if_dropped!, c.alpha_drop.std_alpha![i]!)).toBeLessThan(1e-10);
    });
    // One-factor omega against psych's own optimiser: see test/reliability-omega.test.ts.
    const o = fx.omega.find((x) => x.label === c.label)!;
    expect(rel(j.omega_total, o.psych_omega_tot)).toBeLessThan(1e-7);
    expect(j.warnings).toEqual([]);
  });

  it('reads a semicolon file with decimal commas and accepts explicit + keys', async () => {
    const f = write('semi.csv', 'a;b;c\n1,5;2;2\n2;2;3\n3;4;3\n4;5;5\n2;1;2\n');
    const j = JSON.parse(await run('reliability', f, '--items', 'a,b,c', '--keys', 'a', '--json'));
    // Reference from psych::alpha(data.frame(a = c(1.5,2,3,4,2), b = c(2,2,4,5,1), c = c(2,3,3,5,2))).
    // Closed form on 15 numbers: 5e-13 absolute leaves room for summation order only.
    expect(j.raw_alpha).toBeCloseTo(0.9408602150537635, 12);
    expect(j.items.map((it: { key: number }) => it.key)).toEqual([1, 1, 1]);
  });

  it('warns when unkeyed items run against the scale', async () => {
    const j = JSON.parse(await run('reliability', bfi, '--items', 'A1,A2,A3', '--json'));
    expect(j.warnings.map((w: { code: string }) => w.code)).toContain('NEGATIVE_ITEM');
  });
});

describe('tiltak reliability table', () => {
  it('prints alpha, r.drop and alpha if dropped per item', async () => {
    const out = await run('reliability', bfi, '--items', 'A1,A2,A3,A4,A5', '--keys', '-A1');
    const c = fx.cases.find((x) => x.label === 'bfi A1-A5, A1 reversed, pairwise missing')!;
    expect(out).toContain(`raw alpha            ${c.total.raw_alpha!.toFixed(3)}`);
    expect(out).toContain(`standardised alpha   ${c.total.std_alpha!.toFixed(3)}`);
    const a1 = out.split('\n').find((l) => l.trimStart().startsWith('A1 '))!;
    expect(a1.trim().split(/\s+/)).toEqual([
      'A1',
      '-',
      String(c.item_stats.n![0]),
      c.item_stats.mean![0]!.toFixed(3),
      c.item_stats.sd![0]!.toFixed(3),
      c.item_stats.r_drop![0]!.toFixed(3),
      c.alpha_drop.raw_alpha![0]!.toFixed(3),
      c.alpha_drop.std_alpha![0]!.toFixed(3),
    ]);
  });
});

describe('tiltak reliability bad input', () => {
  it('names an unknown column', async () => {
    const e = await errorOf('reliability', bfi, '--items', 'A1,A2,A9');
    expect(e.code).toBe('UNKNOWN_COLUMN');
    expect(e.message).toContain("no column 'A9'");
    const k = await errorOf('reliability', bfi, '--items', 'A1,A2', '--keys', '-C1');
    expect(k.code).toBe('UNKNOWN_COLUMN');
    expect(k.message).toContain("'C1'");
  });

  it('names the row and value of a non-numeric cell', async () => {
    const f = write('bad.csv', 'a,b,c\n1,2,3\n2,NA,3\n3,fire,4\n4,5,5\n');
    const e = await errorOf('reliability', f, '--items', 'a,b,c');
    expect(e.code).toBe('NON_NUMERIC');
    expect(e.message).toBe(`${f}: column 'b' row 3 has non-numeric value 'fire'`);
  });

  it('refuses fewer than two items', async () => {
    const e = await errorOf('reliability', bfi, '--items', 'A1');
    expect(e.code).toBe('TOO_FEW_ITEMS');
  });

  it('refuses a constant item', async () => {
    const f = write('const.csv', 'a,b,c\n1,3,3\n2,3,4\n3,3,4\n4,NA,5\n');
    const e = await errorOf('reliability', f, '--items', 'a,b,c');
    expect(e.code).toBe('CONSTANT_ITEM');
    expect(e.message).toContain("item 'b' has no variance");
  });

  it('refuses a bad --range', async () => {
    const e = await errorOf('reliability', bfi, '--items', 'A1,A2', '--range', '5,1');
    expect(e.code).toBe('BAD_ARGUMENT');
  });
});
