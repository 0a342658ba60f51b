import { describe, expect, it } from 'vitest';
import { monthsBetween, standardWaves, validateWaves, waveForDate } from '../src/trial/waves.ts';

describe('trial waves', () => {
  it('has T1 baseline and T2..T5 at +12..+48 months with windows around each target', () => {
    const waves = standardWaves();
    expect(waves.map((w) => [w.key, w.targetMonths, w.startMonths, w.endMonths])).toEqual([
      ['T1', 0, -3, 1],
      ['T2', 12, 9, 15],
      ['T3', 24, 21, 27],
      ['T4', 36, 33, 39],
      ['T5', 48, 45, 51],
    ]);
    expect(() => validateWaves(waves)).not.toThrow();
    expect(standardWaves(6)[1]).toMatchObject({ startMonths: 6, endMonths: 18 });
    expect(() => standardWaves(7)).toThrow(/cannot overlap/);
  });

  it('rejects overlapping, out-of-order, duplicate and target-less windows', () => {
    const [t1, t2] = standardWaves();
    expect(() => validateWaves([t1!, { ...t2!, startMonths: 0 }])).toThrow(/before 'T1' ends/);
    expect(() => validateWaves([t2!, t1!])).toThrow(/before 'T2' ends/);
    expect(() => validateWaves([t1!, t1!])).toThrow(/appears twice/);
    expect(() => validateWaves([{ ...t2!, startMonths: 13 }])).toThrow(/does not contain/);
    expect(() => validateWaves([])).toThrow(/at least one wave/);
  });

  it('counts whole months by anniversary day, both directions', () => {
    expect(monthsBetween('2017-01-15', '2018-01-14')).toBe(11);
    expect(monthsBetween('2017-01-15', '2018-01-15')).toBe(12);
    expect(monthsBetween('2017-01-31', '2017-02-28')).toBe(0);
    expect(monthsBetween('2017-01-15', '2016-10-20')).toBe(-2);
    expect(monthsBetween('2017-01-15', '2016-10-15')).toBe(-3);
    expect(() => monthsBetween('2017-02-30', '2018-01-01')).toThrow(/not a valid ISO date/);
  });

  it('maps a measurement date to its wave, or to none between windows', () => {
    const waves = standardWaves();
    const start = '2017-01-15';
    expect(waveForDate(waves, start, '2016-11-01')?.key).toBe('T1');
    expect(waveForDate(waves, start, '2017-02-14')?.key).toBe('T1');
    expect(waveForDate(waves, start, '2017-02-15')).toBeNull();
    expect(waveForDate(waves, start, '2018-03-01')?.key).toBe('T2');
    expect(waveForDate(waves, start, '2018-04-15')).toBeNull();
    expect(waveForDate(waves, start, '2021-01-20')?.key).toBe('T5');
  });
});
