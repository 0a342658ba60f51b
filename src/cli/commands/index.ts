import type { Command } from 'commander';

/**
 * Register every sub-command. Each command lives in its own file under `commands/` and exports a
 * `register(program)` function; add new ones here.
 *
 * @example
 * registerCommands(new Command());
 */
export function registerCommands(_program: Command): void {}
