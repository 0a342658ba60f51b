import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../src/cli/commands/audit.ts';
import { openStore } from '../src/store/index.ts';
import { seedTrial } from './store-backends.ts';

async function run(args: string[]): Promise<{ stdout: string; exitCode: number | undefined }> {
  const program = new Command().exitOverride();
  register(program);
  let stdout = '';
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'tiltak', ...args]);
  } finally {
    process.stdout.write = original;
  }
  const exitCode = process.exitCode;
  return { stdout, exitCode: exitCode === undefined ? undefined : Number(exitCode) };
}

describe('tiltak audit verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiltak-cli-audit-'));
  const dataDir = join(dir, 'db');

  beforeAll(async () => {
    const store = await openStore({ dataDir });
    await seedTrial(store);
    await store.close();
  });
  afterEach(() => {
    process.exitCode = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON object and leaves the exit code alone when the chain is intact', async () => {
    const { stdout, exitCode } = await run(['audit', 'verify', '--json', '--data-dir', dataDir]);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ ok: true, entries: 6 });
    expect(exitCode).toBeUndefined();
  });

  it('reports the first broken entry and sets exit code 1 after tampering', async () => {
    const store = await openStore({ dataDir });
    await store.db.transaction().execute(async (trx) => {
      await sql`alter table audit_log disable trigger audit_log_no_update_delete`.execute(trx);
      await sql`update audit_log set actor = 'mallory' where seq = 4`.execute(trx);
      await sql`alter table audit_log enable trigger audit_log_no_update_delete`.execute(trx);
    });
    await store.close();

    const json = await run(['audit', 'verify', '--json', '--data-dir', dataDir]);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      entries: 3,
      brokenAt: 4,
      reason: 'hash does not match the entry content',
    });
    expect(json.exitCode).toBe(1);

    const text = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(text.stdout).toMatch(/^audit chain BROKEN at entry 4: hash does not match/);
    expect(text.exitCode).toBe(1);
  });

  it('throws a TiltakError for a bad database URL', async () => {
    await expect(
      run(['audit', 'verify', '--database-url', 'http://example/db']),
    ).rejects.toMatchObject({
      code: 'BAD_DATABASE_URL',
    });
  });
});
