import type { Command } from 'commander';
import { verifyAuditChain } from '../../store/audit.ts';
import { type OpenStoreOptions, openStore } from '../../store/open-store.ts';

interface StoreFlags {
  dataDir?: string;
  databaseUrl?: string;
  json?: boolean;
}

/**
 * Register `tiltak audit`, with `tiltak audit verify [--json]`: recompute the audit log's hash
 * chain and report ok, or the first broken sequence number and why (exit code 1 when broken).
 * The store is PostgreSQL when --database-url or DATABASE_URL is given, else PGlite at --data-dir
 * (default ./data/pglite).
 *
 * @example
 * register(program);
 * // $ tiltak audit verify --json
 * // {"ok":true,"entries":42,"headHash":"…"}
 */
export function register(program: Command): void {
  const audit = program.command('audit').description('Inspect and verify the audit log.');
  audit
    .command('verify')
    .description('Verify the hash chain of the audit log; exit code 1 when it is broken.')
    .option('--data-dir <dir>', 'PGlite data directory (default ./data/pglite)')
    .option('--database-url <url>', 'PostgreSQL URL (default $DATABASE_URL)')
    .option('--json', 'print one JSON object')
    .action(async (flags: StoreFlags) => {
      const options: OpenStoreOptions = {
        ...(flags.databaseUrl === undefined ? {} : { databaseUrl: flags.databaseUrl }),
        ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
      };
      const store = await openStore(options);
      try {
        const result = await verifyAuditChain(store);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result)}\n`);
        } else if (result.ok) {
          process.stdout.write(
            `audit chain ok: ${result.entries} entries, head ${result.headHash}\n`,
          );
        } else {
          process.stdout.write(
            `audit chain BROKEN at entry ${result.brokenAt}: ${result.reason} (${result.entries} entries verified before it)\n`,
          );
        }
        if (!result.ok) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
