import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register } from '../src/cli/commands/serve.ts';

function program(): Command {
  const p = new Command().exitOverride();
  register(p);
  return p;
}

describe('tiltak serve', () => {
  it('is registered with its options', () => {
    const serve = program().commands.find((c) => c.name() === 'serve')!;
    const flags = serve.options.map((o) => o.long);
    expect(flags).toEqual(
      expect.arrayContaining(['--port', '--host', '--demo', '--demo-logins', '--no-build']),
    );
    expect(serve.options.find((o) => o.long === '--host')!.defaultValue).toBe('127.0.0.1');
  });

  it('refuses a bad port or family count before opening anything', async () => {
    await expect(
      program().parseAsync(['node', 'tiltak', 'serve', '--port', 'eighty']),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      program().parseAsync(['node', 'tiltak', 'serve', '--port', '70000']),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      program().parseAsync(['node', 'tiltak', 'serve', '--demo', '--families', '0']),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
