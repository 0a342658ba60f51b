import type { Command } from 'commander';
import { buildApp } from '../../server/app.ts';
import { buildWeb } from '../../server/build-web.ts';
import { prepareDemoStore } from '../../server/demo-store.ts';
import { seedDemoUsers } from '../../server/seed-demo-users.ts';
import { TiltakError } from '../../stats/errors.ts';
import { type OpenStoreOptions, openStore } from '../../store/open-store.ts';

interface ServeFlags {
  port: string;
  host: string;
  dataDir?: string;
  databaseUrl?: string;
  demo?: boolean;
  memory?: boolean;
  seed: string;
  demoLogins?: boolean;
  build?: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Register `tiltak serve [--port N] [--host 127.0.0.1]`: build the UI if needed, open the store,
 * and serve the web application and its API. `--demo` serves the store-backed demo trial: when
 * the store (./data/pglite by default) has no demo trial it is built (`buildDemoTrial`, about a
 * minute), its HOLF plan locked and run, and one demo login per role created and printed;
 * `--memory` keeps that store in memory. `--demo-logins` only creates and prints the logins.
 *
 * Cookies are marked Secure except on plain http to a loopback address (browsers drop Secure
 * cookies there); anywhere else, put the server behind HTTPS. TILTAK_COOKIE_SECRET (32+ random
 * characters) keeps CSRF cookies valid across restarts.
 *
 * @example
 * register(program);
 * // $ tiltak serve --demo
 * // Tiltak is running at http://127.0.0.1:8080/
 */
export function register(program: Command): void {
  program
    .command('serve')
    .description('Serve the web application (trial workspace) and its API.')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'PGlite data directory (default ./data/pglite)')
    .option('--database-url <url>', 'PostgreSQL URL (default $DATABASE_URL)')
    .option(
      '--demo',
      'serve the demo trial, building it into the store first when it is not there, with demo logins',
    )
    .option('--memory', 'with --demo: build the demo into an in-memory store (gone on exit)')
    .option('--seed <n>', 'seed of the demo trial when it is built', '2016')
    .option('--demo-logins', 'create and print one demo account per role (never in production)')
    .option('--no-build', 'do not build the UI (serve the API and an existing web/dist only)')
    .action(async (flags: ServeFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new TiltakError('INVALID_INPUT', `--port must be a port number, got '${flags.port}'`);
      const seed = Number(flags.seed);
      if (!Number.isSafeInteger(seed) || seed < 0)
        throw new TiltakError(
          'INVALID_INPUT',
          `--seed must be a whole number, got '${flags.seed}'`,
        );
      if (flags.memory && !flags.demo)
        throw new TiltakError('INVALID_INPUT', '--memory is only for --demo');
      const webRoot = flags.build === false ? undefined : await buildWeb();
      const options: OpenStoreOptions = flags.memory
        ? { memory: true }
        : {
            ...(flags.databaseUrl === undefined ? {} : { databaseUrl: flags.databaseUrl }),
            ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
          };
      const store = await openStore(options);
      let trialId: string | undefined;
      const logins = [];
      if (flags.demo) {
        const demo = await prepareDemoStore(store, {
          seed,
          onProgress: (stage, detail) => process.stderr.write(`tiltak: demo ${stage}: ${detail}\n`),
        });
        process.stderr.write(
          demo.built
            ? `tiltak: built the demo trial in ${store.location}\n`
            : `tiltak: serving the demo trial already in ${store.location}\n`,
        );
        trialId = demo.trialId;
        logins.push(...demo.logins);
      }
      const app = await buildApp({
        store,
        ...(trialId === undefined ? {} : { trialId }),
        secureCookies: !LOOPBACK.has(flags.host),
        // A fixed secret keeps CSRF cookies valid across restarts; random per process otherwise.
        ...(process.env.TILTAK_COOKIE_SECRET
          ? { cookieSecret: process.env.TILTAK_COOKIE_SECRET }
          : {}),
        ...(webRoot === undefined ? {} : { webRoot }),
        logger: { level: 'warn' },
        warmAnalysis: true,
      });
      if (!flags.demo && flags.demoLogins) {
        const offices = await store.db.selectFrom('office').select('id').orderBy('code').execute();
        if (offices.length < 2)
          throw new TiltakError('NOT_FOUND', 'demo logins need a trial with at least two offices');
        logins.push(...(await seedDemoUsers(store, [offices[0]!.id, offices[1]!.id])));
      }
      const address = await app.listen({ port, host: flags.host });
      process.stdout.write(`Tiltak is running at ${address.replace('[::1]', 'localhost')}/\n`);
      if (logins.length > 0) {
        process.stdout.write('Demo logins (username / password, role):\n');
        for (const l of logins)
          process.stdout.write(`  ${l.username.padEnd(13)} ${l.password.padEnd(24)} ${l.role}\n`);
      }
      const stop = async () => {
        await app.close();
        await store.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
