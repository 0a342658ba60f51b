// Run tiltak commands in-process, as the CLI tests do: a commander program with the commands'
// `register` functions, `exitOverride` so that a failure throws instead of exiting, and stdout
// captured into a string.
import { Command } from 'commander';
import { vi } from 'vitest';
import { isTiltakError } from '../../src/stats/errors.ts';

/**
 * Parse `args` (after `tiltak`) with the given commands registered and return what they wrote to
 * stdout; errors propagate.
 *
 * @example
 * const out = await runCli([register], ['boot', 'data.csv', '--json']);
 */
export async function runCli(
  registers: ReadonlyArray<(program: Command) => void>,
  args: readonly string[],
): Promise<string> {
  const program = new Command().exitOverride();
  for (const r of registers) r(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'tiltak', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

/**
 * The error `run` ends with, as `CODE: message` for a TiltakError, `other: …` for anything else,
 * and `no error` when it succeeds.
 *
 * @example
 * expect(await errorText(() => run('--treated', 'x'))).toMatch(/^BAD_OPTION/);
 */
export async function errorText(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (e) {
    return isTiltakError(e) ? `${e.code}: ${e.message}` : `other: ${String(e)}`;
  }
  return 'no error';
}
