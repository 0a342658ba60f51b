import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadPseudonymKey,
  PSEUDONYM_KEY_ENV,
  pseudonymise,
  pseudonymKey,
} from '../src/registers/pseudonym.ts';
import { isTiltakError } from '../src/stats/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'tiltak-pseudonym-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pseudonymise', () => {
  const key = pseudonymKey('test-key-0123456789abcdef');

  it('is HMAC-SHA-256 of the id under the key', () => {
    // Reference from Python: hmac.new(b'test-key-0123456789abcdef', b'01028110029', sha256).hexdigest()
    expect(pseudonymise('01028110029', key)).toBe(
      'c4ad91ffed1fb262b6f1975d8cba1f30abd5031383aed7196bb1c9c69b9faf55',
    );
  });

  it('is deterministic under one key and ignores surrounding blanks', () => {
    expect(pseudonymise('01028110029', key)).toBe(pseudonymise(' 01028110029\t', key));
    expect(pseudonymise('01028110029', pseudonymKey('test-key-0123456789abcdef'))).toBe(
      pseudonymise('01028110029', key),
    );
  });

  it('depends on the key and on the id', () => {
    const other = pseudonymKey('another-key-0123456789abcdef');
    // Reference from Python with the other key.
    expect(pseudonymise('01028110029', other)).toBe(
      '0dfeacf0e59786a06fa9694a6140ac32d75613b8479f5f53095fb6d4b8a93b6c',
    );
    expect(pseudonymise('01028110029', key)).not.toBe(pseudonymise('02038210079', key));
  });
});

describe('loadPseudonymKey', () => {
  it('reads the environment variable', () => {
    const k = loadPseudonymKey({ env: { [PSEUDONYM_KEY_ENV]: 'test-key-0123456789abcdef' } });
    expect(pseudonymise('01028110029', k)).toMatch(/^c4ad91ff/);
    expect(k.source).not.toContain('test-key');
  });

  it('prefers a key file and strips its trailing newline', () => {
    const f = join(dir, 'key');
    writeFileSync(f, 'test-key-0123456789abcdef\n');
    const k = loadPseudonymKey({ keyFile: f, env: { [PSEUDONYM_KEY_ENV]: 'x'.repeat(40) } });
    expect(pseudonymise('01028110029', k)).toMatch(/^c4ad91ff/);
  });

  it('fails clearly when no key is given, the file is missing, or the key is short', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return isTiltakError(e) ? e.code : 'OTHER';
      }
      return undefined;
    };
    expect(code(() => loadPseudonymKey({ env: {} }))).toBe('PSEUDONYM_KEY_MISSING');
    expect(code(() => loadPseudonymKey({ env: { [PSEUDONYM_KEY_ENV]: '  ' } }))).toBe(
      'PSEUDONYM_KEY_MISSING',
    );
    expect(code(() => loadPseudonymKey({ keyFile: join(dir, 'nope'), env: {} }))).toBe(
      'PSEUDONYM_KEY_MISSING',
    );
    expect(code(() => loadPseudonymKey({ env: { [PSEUDONYM_KEY_ENV]: 'short' } }))).toBe(
      'PSEUDONYM_KEY_WEAK',
    );
  });
});
