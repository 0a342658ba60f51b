import { Command, CommanderError } from 'commander';
import { isTiltakError } from '../stats/errors.ts';
import { registerCommands } from './commands/index.ts';

/**
 * Entry point of the `tiltak` command line. Returns the process exit code instead of exiting, so
 * tests can call it in-process.
 *
 * @example
 * process.exitCode = await main(process.argv);
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command();
  program
    .name('tiltak')
    .description(
      'Cluster-randomised trials for labour and welfare offices, with analysis that agrees with R.',
    )
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (e) {
    return reportError(e);
  }
}

/**
 * Turn any thrown value into a one-line message on stderr and an exit code: 2 for usage errors,
 * 1 for everything else. Stack traces are shown only with TILTAK_DEBUG=1.
 *
 * @example
 * return reportError(new Error('boom')); // prints "tiltak: boom", returns 1
 */
export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0)
      return 0;
    return 2;
  }
  if (isTiltakError(e)) {
    process.stderr.write(`tiltak: error [${e.code}]: ${e.message}\n`);
  } else {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`tiltak: internal error: ${msg}\n`);
  }
  if (process.env.TILTAK_DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return 1;
}
