import { describe, expect, it } from 'vitest';
import { choose, revolvingDoor } from '../src/stats/combinatorics/revolving-door.ts';

describe('revolvingDoor', () => {
  it('visits every k-subset exactly once, one element out and one in per step (n <= 11)', () => {
    for (let n = 0; n <= 11; n++) {
      for (let k = 0; k <= n; k++) {
        const cur = new Set<number>(Array.from({ length: k }, (_, i) => i));
        const seen = new Set<string>([[...cur].join(',')]);
        revolvingDoor(n, k, (out, into) => {
          expect(cur.has(out)).toBe(true);
          expect(cur.has(into)).toBe(false);
          expect(into >= 0 && into < n).toBe(true);
          cur.delete(out);
          cur.add(into);
          seen.add([...cur].sort((a, b) => a - b).join(','));
        });
        expect(seen.size).toBe(choose(n, k));
      }
    }
  });

  it('rejects impossible sizes', () => {
    expect(() => revolvingDoor(3, 4, () => {})).toThrow(RangeError);
  });
});

describe('choose', () => {
  it('matches closed forms', () => {
    expect(choose(29, 15)).toBe(77_558_760);
    expect(choose(16, 8)).toBe(12_870);
    expect(choose(5, 7)).toBe(0);
  });
});
