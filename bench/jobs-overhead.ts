/**
 * Overhead of running a small job through the job runner (a fresh worker thread that loads tsx and
 * the task module, structured-clone of parameters and result) against calling the task directly
 * in this thread. There is no R counterpart: this measures Tiltak's own plumbing, so no ratio
 * against R is printed. Run: node --import tsx bench/jobs-overhead.ts
 */
import { loadavg } from 'node:os';
import { createJobRunner, type JobInfo, type JobRunner } from '../src/jobs/index.ts';
import { BUILT_IN_KINDS } from '../src/jobs/kinds.ts';
import { runTask } from '../src/jobs/worker.ts';

const RUNS = 7;
const cases = {
  'ri-enumeration': {
    outcome: [15, 15, 20, 20, 10, 15, 30],
    treatment: [1, 0, 0, 0, 0, 0, 1],
    cluster: [0, 1, 2, 3, 4, 5, 6],
  },
  'power-simulation': { nClusters: 6, clusterSize: 10, icc: 0.05, effect: 0.5, reps: 200, seed: 1 },
} as const;

function finished(r: JobRunner, id: string): Promise<JobInfo> {
  return new Promise((resolve) => {
    r.subscribe(id, (j) => {
      if (j.status !== 'queued' && j.status !== 'running') resolve(j);
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(
  `load average ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')} on a shared 2-core machine; ${RUNS} runs each, medians`,
);
const runner = createJobRunner();
for (const [kind, raw] of Object.entries(cases) as [keyof typeof cases, unknown][]) {
  const def = BUILT_IN_KINDS[kind];
  const params: unknown = def.params.parse(raw);
  const direct: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    await runTask({ module: def.module, params, progressIntervalMs: 100, nice: 0 }, () => {});
    if (i > 0) direct.push(performance.now() - t0); // the first call loads the module
  }
  const viaWorker: number[] = [];
  const toStart: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    const job = runner.submit(kind, raw, { actor: 'bench' });
    let started = Number.NaN;
    const off = runner.subscribe(job.id, (j) => {
      if (Number.isNaN(started) && j.progress.fraction >= 0 && j.progress.message !== 'starting') {
        started = performance.now() - t0;
      }
    });
    const done = await finished(runner, job.id);
    off();
    if (done.status !== 'succeeded') throw new Error(`${kind} failed: ${done.error?.message}`);
    const ms = performance.now() - t0;
    if (i === 0) console.log(`${kind}: first job (cold tsx cache possible) ${ms.toFixed(0)} ms`);
    else {
      viaWorker.push(ms);
      toStart.push(started);
    }
  }
  const d = median(direct);
  const w = median(viaWorker);
  console.log(
    `${kind}: direct ${d.toFixed(1)} ms, through a worker ${w.toFixed(0)} ms ` +
      `(first message from the task after ${median(toStart).toFixed(0)} ms): overhead ${(w - d).toFixed(0)} ms per job`,
  );
}
await runner.close();
