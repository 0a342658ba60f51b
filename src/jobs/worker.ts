/**
 * Entry of a job's worker thread: import the task module named in `workerData`, run it with a
 * throttled progress reporter, and post back its JSON result or its error. The runner starts one
 * worker per job and terminates it to cancel.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { jobError, toJson } from './json.ts';
import { progressThrottle } from './throttle.ts';
import type { JobContext, WorkerInput, WorkerMessage } from './types.ts';

/**
 * Run one job in this thread and report to `post`. Exported so the benchmark can run a task the
 * same way in the main thread.
 *
 * @example
 * await runTask({ module: url, params, progressIntervalMs: 100, nice: 10 }, (m) => parentPort!.postMessage(m));
 */
export async function runTask(input: WorkerInput, post: (m: WorkerMessage) => void): Promise<void> {
  const progress = progressThrottle(
    (fraction, message) => post({ type: 'progress', fraction, message }),
    input.progressIntervalMs,
  );
  const ctx: JobContext = { progress };
  try {
    const mod = (await import(input.module)) as {
      run?: (params: unknown, ctx: JobContext) => unknown;
    };
    if (typeof mod.run !== 'function') {
      post({
        type: 'failed',
        error: { code: 'BAD_TASK', message: `task module has no run function: ${input.module}` },
      });
      return;
    }
    const result = toJson(await mod.run(input.params, ctx));
    post({ type: 'succeeded', result });
  } catch (e) {
    post({ type: 'failed', error: jobError(e) });
  }
}

/**
 * Lower this thread's scheduling priority (Linux `nice`), so that on a busy machine the web
 * server's thread wins the CPU over a job. `os.setPriority` takes a process id, but on Linux
 * `setpriority` applied to a thread id affects only that thread; `/proc/thread-self` names the
 * calling thread's id. Elsewhere (or without permission) this does nothing and returns false.
 *
 * @example
 * lowerThreadPriority(10); // true on Linux
 */
export function lowerThreadPriority(nice: number): boolean {
  if (process.platform !== 'linux' || nice <= 0) return false;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, Math.min(19, nice));
    return true;
  } catch {
    return false;
  }
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object') {
  const port = parentPort;
  lowerThreadPriority((workerData as WorkerInput).nice);
  await runTask(workerData as WorkerInput, (m) => port.postMessage(m));
}
