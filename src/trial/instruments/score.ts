import { TiltakError } from '../../stats/errors.ts';
import type { Instrument } from './schema.ts';

/**
 * One respondent's answers, by item id. `null`, `undefined` or an absent id = not answered.
 *
 * @example
 * const a: Answers = { wai01: 4, wai02: 8, wai03: null };
 */
export type Answers = Readonly<Record<string, number | null | undefined>>;

/**
 * The score of one scale (a subscale or the total).
 *
 * @example
 * const s: ScaleScore = { id: 'bond', score: 3.5, answered: 4, nItems: 4, minAnswered: 3 };
 */
export interface ScaleScore {
  readonly id: string;
  /** Mean, sum or prorated sum (per the instrument's rule); null when too few items are answered. */
  readonly score: number | null;
  /** Items with a usable answer. */
  readonly answered: number;
  readonly nItems: number;
  /** Fewest answered items for a score. */
  readonly minAnswered: number;
}

/**
 * Result of {@link scoreResponse}.
 *
 * @example
 * const r: ResponseScore = scoreResponse(wai, answers);
 * r.total?.score; // null when fewer than 9 of 12 items are answered
 */
export interface ResponseScore {
  readonly instrument: string;
  readonly method: 'mean' | 'sum' | 'prorated_sum';
  /** Null when the instrument defines no total. */
  readonly total: ScaleScore | null;
  readonly subscales: readonly ScaleScore[];
  /** Items with a usable answer, over the whole instrument. */
  readonly answered: number;
  /** Items without a usable answer, with the missing code given (null when simply left empty). */
  readonly missing: ReadonlyArray<{ readonly item: string; readonly code: number | null }>;
  /** Item values after reverse-keying, NaN when missing; in the instrument's item order. */
  readonly itemValues: Readonly<Record<string, number>>;
}

/**
 * Score one respondent: validate each answer (an integer on the response scale or a missing code),
 * treat missing codes and empty answers as missing, reverse-key, and compute each subscale and the
 * total by the instrument's rule. A scale with fewer answered items than its `minAnswered` gets a
 * null score rather than one built on too little.
 *
 * Throws `UNKNOWN_ITEM` for an answer to an item the instrument lacks, and `OUT_OF_RANGE` for a
 * value that is neither on the scale nor a missing code, naming the item and the value.
 *
 * @example
 * const s = scoreResponse(loadBuiltinInstrument('wai-sr'), { wai01: 4, wai02: 5, wai10: 9, wai12: 3 });
 * s.subscales[0]; // { id: 'task', score: 4, answered: 3, nItems: 4, minAnswered: 3 }
 */
export function scoreResponse(instrument: Instrument, answers: Answers): ResponseScore {
  const { min, max } = instrument.responseScale;
  const missingCodes = new Set(instrument.missingCodes.map((m) => m.code));
  const reverse = new Set(instrument.reverseKeyed);
  const itemIds = new Set(instrument.items.map((it) => it.id));
  for (const key of Object.keys(answers)) {
    if (!itemIds.has(key)) {
      throw new TiltakError('UNKNOWN_ITEM', `instrument '${instrument.id}' has no item '${key}'`, {
        item: key,
      });
    }
  }
  const values: Record<string, number> = {};
  const missing: { item: string; code: number | null }[] = [];
  for (const it of instrument.items) {
    const v = answers[it.id];
    if (v === null || v === undefined || Number.isNaN(v)) {
      values[it.id] = Number.NaN;
      missing.push({ item: it.id, code: null });
      continue;
    }
    if (missingCodes.has(v)) {
      values[it.id] = Number.NaN;
      missing.push({ item: it.id, code: v });
      continue;
    }
    if (!Number.isInteger(v) || v < min || v > max) {
      const codes = [...missingCodes].join(', ');
      throw new TiltakError(
        'OUT_OF_RANGE',
        `item '${it.id}' of '${instrument.id}' has answer ${v}; expected a whole number ${min}–${max}${codes === '' ? '' : ` or a missing code (${codes})`}`,
        { item: it.id, value: v },
      );
    }
    values[it.id] = reverse.has(it.id) ? min + max - v : v;
  }
  const method = instrument.scoring.method;
  const scale = (id: string, items: readonly string[], minAnswered: number): ScaleScore => {
    let sum = 0;
    let answered = 0;
    for (const it of items) {
      const v = values[it]!;
      if (Number.isNaN(v)) continue;
      sum += v;
      answered++;
    }
    let score: number | null = null;
    if (answered >= minAnswered && answered > 0) {
      const mean = sum / answered;
      score = method === 'mean' ? mean : method === 'sum' ? sum : mean * items.length;
    }
    return { id, score, answered, nItems: items.length, minAnswered };
  };
  const allItems = instrument.items.map((it) => it.id);
  const total =
    instrument.scoring.total === null
      ? null
      : scale('total', allItems, instrument.scoring.total.minAnswered);
  return {
    instrument: instrument.id,
    method,
    total,
    subscales: instrument.subscales.map((s) => scale(s.id, s.items, s.minAnswered)),
    answered: allItems.length - missing.length,
    missing,
    itemValues: values,
  };
}
