import type { Kysely } from 'kysely';
import { z } from 'zod';
import { TiltakError } from '../../stats/errors.ts';
import type { Instrument } from '../../trial/types.ts';
import { writeAudited } from '../audit.ts';
import { newId } from '../ids.ts';
import type { Database } from '../schema.ts';
import { parseInput } from '../validate.ts';
import { nonEmpty } from './zod-types.ts';

const instrumentSchema = z
  .object({
    key: z
      .string()
      .regex(/^[a-z0-9_-]+$/, 'instrument keys are lower-case letters, digits, - and _'),
    name: nonEmpty,
    version: nonEmpty,
    items: z
      .array(z.object({ id: nonEmpty, text: z.string().optional() }))
      .min(1, 'an instrument has at least one item'),
    responseScale: z.object({
      min: z.number().int(),
      max: z.number().int(),
      labels: z.array(z.string()).optional(),
    }),
    reverseKeyed: z.array(nonEmpty).default([]),
    subscales: z.record(z.string(), z.array(nonEmpty).min(1)).default({}),
    missingCodes: z.array(z.number().int()).default([]),
  })
  .superRefine((d, ctx) => {
    const ids = new Set<string>();
    for (const it of d.items) {
      if (ids.has(it.id))
        ctx.addIssue({ code: 'custom', path: ['items'], message: `item '${it.id}' appears twice` });
      ids.add(it.id);
    }
    const { min, max, labels } = d.responseScale;
    if (min >= max)
      ctx.addIssue({ code: 'custom', path: ['responseScale'], message: 'min must be below max' });
    if (labels !== undefined && labels.length !== max - min + 1)
      ctx.addIssue({
        code: 'custom',
        path: ['responseScale', 'labels'],
        message: `expected ${max - min + 1} labels, one per scale point`,
      });
    for (const r of d.reverseKeyed)
      if (!ids.has(r))
        ctx.addIssue({ code: 'custom', path: ['reverseKeyed'], message: `unknown item '${r}'` });
    for (const [name, members] of Object.entries(d.subscales))
      for (const m of members)
        if (!ids.has(m))
          ctx.addIssue({
            code: 'custom',
            path: ['subscales', name],
            message: `unknown item '${m}'`,
          });
    for (const c of d.missingCodes)
      if (c >= min && c <= max)
        ctx.addIssue({
          code: 'custom',
          path: ['missingCodes'],
          message: `missing code ${c} lies inside the response scale ${min}..${max}`,
        });
  });

/**
 * An instrument definition as given to {@link createInstrument}.
 *
 * @example
 * const d: InstrumentInput = { key: 'competence', name: 'Professional competence', version: '1', items, responseScale: { min: 1, max: 5 } };
 */
export type InstrumentInput = z.input<typeof instrumentSchema>;

/**
 * Store an instrument. Reverse-keyed items and subscales must name known items, and missing codes
 * must lie outside the response scale so they can never be mistaken for an answer.
 *
 * @example
 * const wai = await createInstrument(store.db, 'admin', { key: 'wai-sr', name: 'WAI-SR', version: '1', items, responseScale: { min: 1, max: 5 }, subscales });
 */
export async function createInstrument(
  db: Kysely<Database>,
  actor: string,
  input: InstrumentInput,
): Promise<Instrument> {
  const p = parseInput(instrumentSchema, input, 'instrument');
  const instrument: Instrument = {
    id: newId(),
    ...p,
    items: p.items.map((it) =>
      it.text === undefined ? { id: it.id } : { id: it.id, text: it.text },
    ),
    responseScale:
      p.responseScale.labels === undefined
        ? { min: p.responseScale.min, max: p.responseScale.max }
        : { min: p.responseScale.min, max: p.responseScale.max, labels: p.responseScale.labels },
  };
  return writeAudited(db, { actor, action: 'create', entity: 'instrument' }, async (trx) => {
    const clash = await trx
      .selectFrom('instrument')
      .select('id')
      .where('key', '=', p.key)
      .where('version', '=', p.version)
      .executeTakeFirst();
    if (clash !== undefined)
      throw new TiltakError(
        'DUPLICATE',
        `instrument '${p.key}' version '${p.version}' already exists`,
      );
    const { id, key, name, version, ...definition } = instrument;
    await trx
      .insertInto('instrument')
      .values({ id, key, name, version, definition: JSON.stringify(definition) })
      .execute();
    return { entityId: id, before: null, after: instrument, result: instrument };
  });
}

/**
 * An instrument by id, or `undefined`.
 *
 * @example
 * const wai = await getInstrument(store.db, id);
 */
export async function getInstrument(
  db: Kysely<Database>,
  id: string,
): Promise<Instrument | undefined> {
  const r = await db.selectFrom('instrument').selectAll().where('id', '=', id).executeTakeFirst();
  if (r === undefined) return undefined;
  const def = r.definition as unknown as Omit<Instrument, 'id' | 'key' | 'name' | 'version'>;
  return { id: r.id, key: r.key, name: r.name, version: r.version, ...def };
}
