import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pAdjust } from '../src/stats/inference/multiplicity.ts';

// Reference: R's p.adjust (test/fixtures/r/multiplicity.R). Tolerance 1e-15 absolute: the same
// products and running maxima/minima in double precision.
const ref: Record<
  string,
  Record<'p' | 'holm' | 'BH' | 'bonferroni', Array<number | null>>
> = JSON.parse(readFileSync('test/fixtures/r/multiplicity.json', 'utf8'));
const num = (a: Array<number | null>) => a.map((v) => (v === null ? Number.NaN : v));

describe('pAdjust agrees with R p.adjust', () => {
  for (const [name, c] of Object.entries(ref)) {
    for (const method of ['holm', 'BH', 'bonferroni'] as const) {
      it(`${name} / ${method}`, () => {
        const got = pAdjust(num(c.p), method);
        num(c[method]).forEach((want, i) => {
          if (Number.isNaN(want)) expect(got[i]).toBeNaN();
          else expect(Math.abs(got[i]! - want)).toBeLessThan(1e-15);
        });
      });
    }
  }
  it('rejects values outside [0, 1]', () => {
    expect(() => pAdjust([0.2, 1.3], 'holm')).toThrow(/position 2/);
  });
});
