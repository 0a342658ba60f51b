import { TiltakError } from '../stats/errors.ts';
import type { Wave, WaveKey } from './types.ts';

const WAVE_KEYS: readonly WaveKey[] = ['T1', 'T2', 'T3', 'T4', 'T5'];

/**
 * The standard five waves: T1 baseline, T2 +12, T3 +24, T4 +36, T5 +48 months. Each follow-up
 * window runs `halfWidthMonths` either side of its target; the baseline window runs from
 * `halfWidthMonths` before the start up to the start, since baseline must precede follow-up.
 *
 * @example
 * standardWaves()[1]; // { key: 'T2', label: '+12 months', targetMonths: 12, startMonths: 9, endMonths: 15 }
 */
export function standardWaves(halfWidthMonths = 3): Wave[] {
  if (!Number.isInteger(halfWidthMonths) || halfWidthMonths < 1 || halfWidthMonths > 6)
    throw new TiltakError(
      'BAD_WAVE_WINDOW',
      `halfWidthMonths must be an integer in 1..6 so windows of yearly waves cannot overlap, got ${halfWidthMonths}`,
    );
  return WAVE_KEYS.map((key, i) => {
    const target = 12 * i;
    return i === 0
      ? { key, label: 'baseline', targetMonths: 0, startMonths: -halfWidthMonths, endMonths: 1 }
      : {
          key,
          label: `+${target} months`,
          targetMonths: target,
          startMonths: target - halfWidthMonths,
          endMonths: target + halfWidthMonths,
        };
  });
}

/**
 * Check that waves have known, unique keys, windows that contain their target, and that the
 * windows are in order and do not overlap (so a measurement belongs to at most one wave).
 *
 * @example
 * validateWaves(standardWaves()); // passes
 * validateWaves([{ key: 'T2', label: 'x', targetMonths: 12, startMonths: 13, endMonths: 15 }]); // throws BAD_WAVE_WINDOW
 */
export function validateWaves(waves: readonly Wave[]): void {
  if (waves.length === 0)
    throw new TiltakError('BAD_WAVE_WINDOW', 'a trial needs at least one wave');
  const seen = new Set<string>();
  waves.forEach((w, i) => {
    if (!WAVE_KEYS.includes(w.key))
      throw new TiltakError('BAD_WAVE_WINDOW', `unknown wave key '${w.key}' (expected T1..T5)`);
    if (seen.has(w.key)) throw new TiltakError('BAD_WAVE_WINDOW', `wave '${w.key}' appears twice`);
    seen.add(w.key);
    const ints = [w.targetMonths, w.startMonths, w.endMonths];
    if (!ints.every(Number.isInteger))
      throw new TiltakError('BAD_WAVE_WINDOW', `wave '${w.key}' offsets must be whole months`);
    if (!(w.startMonths <= w.targetMonths && w.targetMonths < w.endMonths))
      throw new TiltakError(
        'BAD_WAVE_WINDOW',
        `wave '${w.key}' window [${w.startMonths}, ${w.endMonths}) does not contain its target ${w.targetMonths}`,
      );
    const prev = waves[i - 1];
    if (prev && w.startMonths < prev.endMonths)
      throw new TiltakError(
        'BAD_WAVE_WINDOW',
        `wave '${w.key}' window starts at ${w.startMonths}, before '${prev.key}' ends at ${prev.endMonths}`,
      );
  });
}

/**
 * Whole months from `start` to `date` (ISO `YYYY-MM-DD`), counting a month only once its day of
 * month is reached, as follow-up anniversaries are counted.
 *
 * @example
 * monthsBetween('2017-01-15', '2018-01-14'); // 11
 * monthsBetween('2017-01-15', '2018-01-15'); // 12
 */
export function monthsBetween(start: string, date: string): number {
  const a = parseIsoDate(start);
  const b = parseIsoDate(date);
  let months = (b.y - a.y) * 12 + (b.m - a.m);
  if (months > 0 && b.d < a.d) months -= 1;
  else if (months < 0 && b.d > a.d) months += 1;
  return months;
}

/**
 * The wave whose window contains a measurement taken on `date` for a family whose follow-up
 * started on `start`, or `null` when the date falls between windows.
 *
 * @example
 * waveForDate(standardWaves(), '2017-01-15', '2018-03-01')?.key; // 'T2'
 */
export function waveForDate(waves: readonly Wave[], start: string, date: string): Wave | null {
  const m = monthsBetween(start, date);
  return waves.find((w) => m >= w.startMonths && m < w.endMonths) ?? null;
}

function parseIsoDate(s: string): { y: number; m: number; d: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const y = Number(match?.[1]);
  const m = Number(match?.[2]);
  const d = Number(match?.[3]);
  const check = new Date(Date.UTC(y, m - 1, d));
  if (!match || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d)
    throw new TiltakError('BAD_DATE', `'${s}' is not a valid ISO date (YYYY-MM-DD)`);
  return { y, m, d };
}
