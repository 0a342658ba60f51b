import { z } from 'zod';

const id = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]*$/,
    'use lower-case letters, digits, "-" or "_", starting with a letter',
  );

/** A text in Norwegian Bokmål and English. */
const localised = z.strictObject({ nb: z.string().min(1), en: z.string().min(1) });

const item = z.strictObject({
  id,
  /**
   * Key under which a trial stores the item text. Copyrighted instruments ship only this key;
   * the trial fills it with the text it has licensed.
   */
  textKey: z.string().min(1),
  /** Item text, only for instruments whose texts Tiltak may ship (its own). */
  text: localised.optional(),
});

const scaleLabel = z.strictObject({
  value: z.number().int(),
  nb: z.string().min(1),
  en: z.string().min(1),
});

const missingCode = z.strictObject({
  code: z.number().int(),
  nb: z.string().min(1),
  en: z.string().min(1),
});

const subscale = z.strictObject({
  id,
  name: localised,
  items: z.array(z.string()).min(1),
  /** Fewest answered items for a score; fewer gives no score (null). */
  minAnswered: z.number().int().min(1),
});

/**
 * The zod schema of an instrument definition (a JSON file under `src/trial/instruments/`). Beyond
 * the shapes it checks what a typo would otherwise turn into silently wrong scores: item ids are
 * unique, subscales and reverse keys name existing items, missing codes lie outside the response
 * scale, every scale point has a label, and minimum-answered counts fit their scales.
 *
 * @example
 * const parsed = instrumentSchema.safeParse(JSON.parse(text));
 * if (!parsed.success) console.error(parsed.error.issues);
 */
export const instrumentSchema = z
  .strictObject({
    id,
    name: localised,
    version: z.string().min(1),
    /** Where the structure comes from (publication) or that it is Tiltak's own. */
    source: z.string().min(1),
    copyright: z.string().min(1),
    notes: z.array(z.string()).default([]),
    items: z.array(item).min(1),
    responseScale: z.strictObject({
      min: z.number().int(),
      max: z.number().int(),
      labels: z.array(scaleLabel),
    }),
    /** Item ids scored as min + max − answer. */
    reverseKeyed: z.array(z.string()),
    subscales: z.array(subscale),
    /** Codes that mean "no usable answer" (e.g. 8 = don't know, 9 = not answered). */
    missingCodes: z.array(missingCode),
    scoring: z.strictObject({
      /**
       * `mean` of answered items; `sum` of items (needs every item answered); `prorated_sum` = mean
       * × number of items, so that a scale with an item missing stays on the sum's metric.
       */
      method: z.enum(['mean', 'sum', 'prorated_sum']),
      /** Total over all items, or null when the instrument defines no total score. */
      total: z.strictObject({ minAnswered: z.number().int().min(1) }).nullable(),
    }),
  })
  .superRefine((ins, ctx) => {
    const ids = new Set<string>();
    ins.items.forEach((it, i) => {
      if (ids.has(it.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['items', i, 'id'],
          message: `item id '${it.id}' appears twice`,
        });
      }
      ids.add(it.id);
    });
    const { min, max, labels } = ins.responseScale;
    if (!(min < max)) {
      ctx.addIssue({
        code: 'custom',
        path: ['responseScale'],
        message: `min (${min}) must be below max (${max})`,
      });
    }
    for (let v = min; v <= max && max - min < 1000; v++) {
      if (!labels.some((l) => l.value === v)) {
        ctx.addIssue({
          code: 'custom',
          path: ['responseScale', 'labels'],
          message: `scale point ${v} has no label`,
        });
      }
    }
    labels.forEach((l, i) => {
      if (l.value < min || l.value > max) {
        ctx.addIssue({
          code: 'custom',
          path: ['responseScale', 'labels', i, 'value'],
          message: `label value ${l.value} is outside ${min}–${max}`,
        });
      }
    });
    const codes = new Set<number>();
    ins.missingCodes.forEach((m, i) => {
      if (m.code >= min && m.code <= max) {
        ctx.addIssue({
          code: 'custom',
          path: ['missingCodes', i, 'code'],
          message: `missing code ${m.code} lies inside the response scale ${min}–${max}`,
        });
      }
      if (codes.has(m.code)) {
        ctx.addIssue({
          code: 'custom',
          path: ['missingCodes', i, 'code'],
          message: `missing code ${m.code} appears twice`,
        });
      }
      codes.add(m.code);
    });
    ins.reverseKeyed.forEach((r, i) => {
      if (!ids.has(r)) {
        ctx.addIssue({
          code: 'custom',
          path: ['reverseKeyed', i],
          message: `reverse-keyed item '${r}' is not an item`,
        });
      }
    });
    const subIds = new Set<string>();
    ins.subscales.forEach((s, i) => {
      if (subIds.has(s.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['subscales', i, 'id'],
          message: `subscale id '${s.id}' appears twice`,
        });
      }
      subIds.add(s.id);
      const seen = new Set<string>();
      s.items.forEach((it, j) => {
        if (!ids.has(it)) {
          ctx.addIssue({
            code: 'custom',
            path: ['subscales', i, 'items', j],
            message: `subscale '${s.id}' names unknown item '${it}'`,
          });
        }
        if (seen.has(it)) {
          ctx.addIssue({
            code: 'custom',
            path: ['subscales', i, 'items', j],
            message: `subscale '${s.id}' lists item '${it}' twice`,
          });
        }
        seen.add(it);
      });
      checkMinAnswered(
        ctx,
        ['subscales', i, 'minAnswered'],
        s.minAnswered,
        s.items.length,
        ins.scoring.method,
        `subscale '${s.id}'`,
      );
    });
    if (ins.scoring.total !== null) {
      checkMinAnswered(
        ctx,
        ['scoring', 'total', 'minAnswered'],
        ins.scoring.total.minAnswered,
        ins.items.length,
        ins.scoring.method,
        'the total',
      );
    }
  });

function checkMinAnswered(
  ctx: z.RefinementCtx,
  path: (string | number)[],
  minAnswered: number,
  nItems: number,
  method: 'mean' | 'sum' | 'prorated_sum',
  what: string,
): void {
  if (minAnswered > nItems) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: `${what} has ${nItems} items but needs ${minAnswered} answered`,
    });
  }
  if (method === 'sum' && minAnswered !== nItems) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: `scoring 'sum' of ${what} needs all ${nItems} items answered (minAnswered ${minAnswered}); use 'prorated_sum' or 'mean' to allow missing items`,
    });
  }
}

/**
 * A validated instrument definition (the output of {@link instrumentSchema}).
 *
 * @example
 * const ins: Instrument = loadInstrument(json);
 * ins.subscales.map((s) => s.id); // ['task', 'bond', 'goal'] for WAI-SR
 */
export type Instrument = z.output<typeof instrumentSchema>;
