import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { register } from '../src/cli/commands/power.ts';
import { runCli } from './helpers/cli.ts';

const fx = JSON.parse(readFileSync(new URL('./fixtures/r/power.json', import.meta.url), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'tiltak-power-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]): Promise<string> => runCli([register], args);

describe('tiltak power', () => {
  it('--json: power of the clusterPower documentation example', async () => {
    const out = await run([
      'power',
      '--clusters',
      '16',
      '--size',
      '10',
      '--effect',
      '1',
      '--icc',
      '0.1',
      '--variance',
      '5',
      '--json',
    ]);
    expect(out.trim().split('\n')).toHaveLength(1);
    const j = JSON.parse(out);
    expect(j.solved_for).toBe('power');
    // Same formula as the verbatim R re-implementation: 1e-12 absolute.
    expect(Math.abs(j.power - fx.published.normal_power_16)).toBeLessThan(1e-12);
    expect(j.curve.length).toBeGreaterThan(10);
    expect(j.simulation).toBeNull();
  });

  it('solves for clusters, writes the SVG curve and checks by simulation', async () => {
    const svg = join(dir, 'curve.svg');
    const out = await run([
      'power',
      '--solve',
      'clusters',
      '--power',
      '0.8',
      '--size',
      '10',
      '--effect',
      '1',
      '--icc',
      '0.1',
      '--variance',
      '5',
      '--simulate',
      '--sim-reps',
      '400',
      '--seed',
      '3',
      '--svg',
      svg,
      '--json',
    ]);
    const j = JSON.parse(out);
    expect(Math.abs(j.n_clusters - fx.published.normal_nclusters)).toBeLessThan(2e-4);
    expect(j.ceiling.value).toBe(16);
    // Simulated at 16 clusters: exact two-sided power ~0.80; 400 trials, MCSE 0.02, 4 MCSE.
    expect(Math.abs(j.simulation.power - j.ceiling.power)).toBeLessThan(0.08);
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/>Clusters per arm<\/text>/);
    expect(text).toMatch(/>Power<\/text>/);
    expect(text).toMatch(/>simulated<\/text>/);
  });

  it('--analysis ols-cr2 runs the CR2 analysis in the simulation', async () => {
    const j = JSON.parse(
      await run([
        'power',
        '--clusters',
        '8',
        '--size',
        '12',
        '--cv',
        '0.5',
        '--effect',
        '0.5',
        '--icc',
        '0.05',
        '--simulate',
        '--analysis',
        'ols-cr2',
        '--sim-reps',
        '200',
        '--json',
      ]),
    );
    expect(j.simulation.analysis).toBe('OLS with CR2, Satterthwaite df');
    expect(j.simulation.reps).toBe(200);
    // Analytic ~0.73 here; 200 trials have MCSE ~0.03, and the CR2 analysis is not the one the
    // Taylor formula models exactly: within 0.15.
    expect(Math.abs(j.simulation.power - j.power)).toBeLessThan(0.15);
  });

  it('binary detectable p2 and a readable report', async () => {
    const out = await run([
      'power',
      '--outcome',
      'binary',
      '--solve',
      'effect',
      '--power',
      '0.8',
      '--clusters',
      '38',
      '--size',
      '10',
      '--p1',
      '0.1',
      '--icc',
      '0.1',
    ]);
    const ref = fx.binary.find(
      (c: { solve: string; pooled: boolean; CV: number }) =>
        c.solve === 'p2' && !c.pooled && c.CV === 0,
    ).value;
    expect(out).toContain(`p2 ${ref.toFixed(4)}  <- solved`);
    expect(out).toContain('Power of a two-arm cluster-randomised trial (binary outcome');
  });

  it('baseline adjustment and waves raise power', async () => {
    const base = [
      'power',
      '--clusters',
      '14',
      '--size',
      '21',
      '--effect',
      '0.25',
      '--icc',
      '0.06',
      '--json',
    ];
    const plain = JSON.parse(await run(base));
    const adj = JSON.parse(
      await run([
        ...base,
        '--baseline',
        '--cluster-autocorr',
        '0.7',
        '--individual-autocorr',
        '0.5',
        '--waves',
        '3',
      ]),
    );
    const ref = fx.extension.find(
      (c: { waves: number; baseline: boolean; CV: number }) =>
        c.waves === 3 && c.baseline && c.CV === 0,
    );
    expect(Math.abs(adj.power - ref.power)).toBeLessThan(1e-12);
    expect(adj.power).toBeGreaterThan(plain.power);
    expect(adj.df).toBe(25);
  });

  it('throws TiltakError naming the option', async () => {
    await expect(
      run(['power', '--clusters', '10', '--size', '20', '--effect', '0.3']),
    ).rejects.toThrow(/--icc/);
    await expect(
      run(['power', '--solve', 'clusters', '--size', '20', '--effect', '0.3', '--icc', '0.05']),
    ).rejects.toThrow(/needs the target --power/);
    await expect(
      run([
        'power',
        '--clusters',
        '10',
        '--size',
        '20',
        '--effect',
        '0.3',
        '--icc',
        '0.05',
        '--cluster-autocorr',
        '2',
      ]),
    ).rejects.toThrow(/--cluster-autocorr/);
    await expect(run(['power', '--solve', 'sizes', '--icc', '0.05'])).rejects.toMatchObject({
      code: 'BAD_OPTION',
    });
  });
});
