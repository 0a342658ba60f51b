import { readFileSync } from 'node:fs';
import { TiltakError } from '../../stats/errors.ts';
import { type Instrument, instrumentSchema } from './schema.ts';

/**
 * Validate an instrument definition (parsed JSON, or JSON text) against {@link instrumentSchema}.
 * Throws `BAD_INSTRUMENT` with every problem on one line, each as `path: message`, so an editor of
 * the JSON file sees all of them at once.
 *
 * @example
 * const wai = loadInstrument(readFileSync('wai-sr.json', 'utf8'));
 * wai.items.length; // 12
 */
export function loadInstrument(json: unknown, source = '<instrument>'): Instrument {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new TiltakError(
        'BAD_INSTRUMENT',
        `${source}: not valid JSON (${e instanceof Error ? e.message : String(e)})`,
      );
    }
  }
  const parsed = instrumentSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`,
    );
    throw new TiltakError('BAD_INSTRUMENT', `${source}: ${problems.join('; ')}`, { problems });
  }
  return parsed.data;
}

/**
 * Instruments shipped with Tiltak, by id.
 *
 * @example
 * BUILTIN_INSTRUMENTS.map(loadBuiltinInstrument);
 */
export const BUILTIN_INSTRUMENTS = ['wai-sr', 'professional-competence'] as const;

/**
 * Id of an instrument shipped with Tiltak.
 *
 * @example
 * const id: BuiltinInstrumentId = 'wai-sr';
 */
export type BuiltinInstrumentId = (typeof BUILTIN_INSTRUMENTS)[number];

/**
 * Load and validate one of the instruments shipped in this folder.
 *
 * @example
 * const wai = loadBuiltinInstrument('wai-sr');
 * wai.subscales.find((s) => s.id === 'bond')?.items; // ['wai03', 'wai05', 'wai07', 'wai09']
 */
export function loadBuiltinInstrument(id: BuiltinInstrumentId): Instrument {
  if (!(BUILTIN_INSTRUMENTS as readonly string[]).includes(id)) {
    throw new TiltakError(
      'UNKNOWN_INSTRUMENT',
      `no built-in instrument '${id}'; known: ${BUILTIN_INSTRUMENTS.join(', ')}`,
    );
  }
  const url = new URL(`./${id}.json`, import.meta.url);
  return loadInstrument(readFileSync(url, 'utf8'), `${id}.json`);
}
