import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TiltakError } from '../stats/errors.ts';

/**
 * Name of the environment variable that holds the pseudonymisation key.
 *
 * @example
 * process.env[PSEUDONYM_KEY_ENV] = readFileSync('/secure/tiltak.key', 'utf8');
 */
export const PSEUDONYM_KEY_ENV = 'TILTAK_PSEUDONYM_KEY';

/**
 * Shortest key accepted, in bytes; HMAC-SHA-256 keys shorter than this are guessable.
 *
 * @example
 * randomBytes(MIN_KEY_BYTES * 2).toString('hex'); // a strong enough key
 */
export const MIN_KEY_BYTES = 16;

/**
 * A pseudonymisation key. The bytes stay in memory only: the key is never written next to the
 * data, so whoever holds a pseudonymised file cannot link it back to people.
 *
 * @example
 * const key: PseudonymKey = loadPseudonymKey({ keyFile: 'tiltak.key' });
 */
export interface PseudonymKey {
  readonly bytes: Buffer;
  /** Where the key came from, for messages (never the key itself). */
  readonly source: string;
}

/**
 * Load the key from `keyFile` when given, else from `TILTAK_PSEUDONYM_KEY`. Surrounding whitespace
 * (a trailing newline in a key file) is not part of the key. Throws `PSEUDONYM_KEY_MISSING` when
 * neither is set and `PSEUDONYM_KEY_WEAK` when the key is shorter than {@link MIN_KEY_BYTES}.
 *
 * @example
 * const key = loadPseudonymKey({ keyFile: '/secure/tiltak.key' });
 */
export function loadPseudonymKey(
  options: { keyFile?: string | undefined; env?: NodeJS.ProcessEnv } = {},
): PseudonymKey {
  const env = options.env ?? process.env;
  let text: string;
  let source: string;
  if (options.keyFile !== undefined) {
    source = `key file ${options.keyFile}`;
    try {
      text = readFileSync(options.keyFile, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new TiltakError(
        'PSEUDONYM_KEY_MISSING',
        `${options.keyFile}: cannot read the key file (${code ?? String(e)})`,
      );
    }
  } else {
    const v = env[PSEUDONYM_KEY_ENV];
    if (v === undefined || v.trim() === '')
      throw new TiltakError(
        'PSEUDONYM_KEY_MISSING',
        `no pseudonymisation key: set ${PSEUDONYM_KEY_ENV} or pass --key-file`,
      );
    text = v;
    source = `environment variable ${PSEUDONYM_KEY_ENV}`;
  }
  return pseudonymKey(text.trim(), source);
}

/**
 * Wrap key text as a {@link PseudonymKey}, checking its length.
 *
 * @example
 * const key = pseudonymKey('a-long-secret-from-the-vault-0001', 'test');
 */
export function pseudonymKey(text: string, source = 'inline key'): PseudonymKey {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length < MIN_KEY_BYTES)
    throw new TiltakError(
      'PSEUDONYM_KEY_WEAK',
      `${source}: the pseudonymisation key has ${bytes.length} bytes, at least ${MIN_KEY_BYTES} are needed`,
    );
  return { bytes, source };
}

/**
 * Pseudonym of a personal id: lower-case hex HMAC-SHA-256 of the trimmed id under `key`. The same
 * id and key always give the same pseudonym, so imports are repeatable and link across years;
 * another key gives unrelated pseudonyms.
 *
 * @example
 * pseudonymise('01019010046', key); // 64 hex characters
 */
export function pseudonymise(personalId: string, key: PseudonymKey): string {
  return createHmac('sha256', key.bytes).update(personalId.trim(), 'utf8').digest('hex');
}
