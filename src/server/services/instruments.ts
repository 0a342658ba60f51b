import type { Kysely } from 'kysely';
import { createInstrument, type Database } from '../../store/index.ts';
import {
  BUILTIN_INSTRUMENTS,
  type BuiltinInstrumentId,
  loadBuiltinInstrument,
} from '../../trial/instruments/load.ts';
import type { Instrument } from '../../trial/instruments/schema.ts';

/**
 * Instruments a family answers in each wave.
 *
 * @example
 * FAMILY_INSTRUMENTS; // ['wai-sr']
 */
export const FAMILY_INSTRUMENTS: readonly BuiltinInstrumentId[] = ['wai-sr'];

const cache = new Map<string, Instrument>();
// Store ids of instruments already registered, per database (instruments are never deleted).
const storedIds = new WeakMap<Kysely<Database>, Map<string, string>>();

/**
 * A built-in instrument definition (bilingual labels, missing codes, scoring), cached.
 *
 * @example
 * builtinInstrument('wai-sr').items.length; // 12
 */
export function builtinInstrument(key: BuiltinInstrumentId): Instrument {
  let ins = cache.get(key);
  if (ins === undefined) {
    ins = loadBuiltinInstrument(key);
    cache.set(key, ins);
  }
  return ins;
}

/**
 * True when `key` names a built-in instrument.
 *
 * @example
 * isBuiltinInstrument('wai-sr'); // true
 */
export function isBuiltinInstrument(key: string): key is BuiltinInstrumentId {
  return (BUILTIN_INSTRUMENTS as readonly string[]).includes(key);
}

/**
 * The bilingual name of a built-in instrument.
 *
 * @example
 * instrumentName('wai-sr').en; // 'Working Alliance Inventory – Short Revised (WAI-SR)'
 */
export function instrumentName(key: BuiltinInstrumentId): { nb: string; en: string } {
  return builtinInstrument(key).name;
}

/**
 * The store id of a built-in instrument, registering it in the store (audited) the first time.
 * The store keeps the structure the repositories check answers against; the bilingual labels
 * stay in the shipped definition.
 *
 * @example
 * const id = await storedInstrumentId(db, 'system:web', 'wai-sr');
 */
export async function storedInstrumentId(
  db: Kysely<Database>,
  actor: string,
  key: BuiltinInstrumentId,
): Promise<string> {
  let known = storedIds.get(db);
  if (known === undefined) {
    known = new Map();
    storedIds.set(db, known);
  }
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  const ins = builtinInstrument(key);
  const found = await db
    .selectFrom('instrument')
    .select('id')
    .where('key', '=', ins.id)
    .where('version', '=', ins.version)
    .executeTakeFirst();
  if (found !== undefined) {
    known.set(key, found.id);
    return found.id;
  }
  const labels = [...ins.responseScale.labels].sort((a, b) => a.value - b.value);
  const created = await createInstrument(db, actor, {
    key: ins.id,
    name: ins.name.en,
    version: ins.version,
    items: ins.items.map((it) =>
      it.text === undefined ? { id: it.id } : { id: it.id, text: it.text.en },
    ),
    responseScale: {
      min: ins.responseScale.min,
      max: ins.responseScale.max,
      labels: labels.map((l) => l.en),
    },
    reverseKeyed: ins.reverseKeyed,
    subscales: Object.fromEntries(ins.subscales.map((s) => [s.id, s.items])),
    missingCodes: ins.missingCodes.map((m) => m.code),
  });
  // Not remembered here: the caller's transaction may still roll back.
  return created.id;
}
