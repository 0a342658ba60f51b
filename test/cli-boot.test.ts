import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../src/cli/commands/boot.ts';
import { runCli } from './helpers/cli.ts';

const fx = JSON.parse(readFileSync(new URL('./fixtures/r/boot.json', import.meta.url), 'utf8'));
const small = new URL('./fixtures/data/boot-small.csv', import.meta.url).pathname;
const large = new URL('./fixtures/data/boot-large.csv', import.meta.url).pathname;

const run = (args: string[]): Promise<string> => runCli([register], args);

afterEach(() => vi.restoreAllMocks());

describe('tiltak boot', () => {
  it('--json prints one object whose numbers agree with R', async () => {
    const out = await run([
      'boot',
      small,
      '--formula',
      'y ~ treat + x1',
      '--cluster',
      'office',
      '--param',
      'treat',
      '--json',
    ]);
    expect(out.trim().split('\n')).toHaveLength(1);
    const j = JSON.parse(out);
    expect(j.term).toBe('treat');
    // Closed form against sandwich::vcovCL(type = "HC1", cadjust = TRUE): 1e-10 relative.
    expect(Math.abs(j.std_error / fx.small.std_error[1] - 1)).toBeLessThan(1e-10);
    expect(Math.abs(j.statistic / fx.small.t[1] - 1)).toBeLessThan(1e-10);
    // 10 clusters, 9999 reps: all 1024 sign vectors, so the p-value is exact (tie-aware count).
    expect(j.enumerated).toBe(true);
    expect(j.reps).toBe(1024);
    expect(j.p_value).toBe(fx.enum_treat_0.p_value_exact);
    expect(j.n_clusters).toBe(10);
    expect(j.conf_low).toBeLessThan(j.estimate);
    expect(j.conf_high).toBeGreaterThan(j.estimate);
    expect(j.warnings.some((w: string) => w.startsWith('FEW_CLUSTERS'))).toBe(true);
  });

  it('prints a readable report and is reproducible with --seed', async () => {
    const args = [
      'boot',
      large,
      '-f',
      'y ~ treat + x1',
      '--cluster',
      'office',
      '--param',
      'treat',
      '--weights',
      'webb',
      '--reps',
      '999',
      '--seed',
      '42',
    ];
    const a = await run(args);
    const b = await run(args);
    expect(a).toBe(b);
    expect(a).toContain('Wild cluster bootstrap');
    expect(a).toMatch(/G = 29/);
    expect(a).toMatch(/999 webb draws, seed 42/);
    expect(a).toMatch(/95% CI by test inversion: \[/);
  });

  it('throws TiltakError on bad input', async () => {
    await expect(
      run(['boot', small, '-f', 'y ~ treat + x1', '--cluster', 'office', '--param', 'arm']),
    ).rejects.toThrow(/--param 'arm' is not a coefficient/);
    await expect(
      run(['boot', small, '-f', 'y ~ treat + x1', '--cluster', 'kontor', '--param', 'treat']),
    ).rejects.toThrow(/unknown cluster column 'kontor'/);
    await expect(
      run([
        'boot',
        small,
        '-f',
        'y ~ treat',
        '--cluster',
        'office',
        '--param',
        'treat',
        '--weights',
        'gauss',
      ]),
    ).rejects.toThrow(/--weights/);
    await expect(
      run([
        'boot',
        small,
        '-f',
        'y ~ treat',
        '--cluster',
        'office',
        '--param',
        'treat',
        '--reps',
        '1.5',
      ]),
    ).rejects.toThrow(/--reps/);
    await expect(run(['boot', small, '-f', 'y ~ treat'])).rejects.toMatchObject({
      code: 'BAD_OPTION',
    });
  });
});
