/**
 * Starting a job's worker thread so that it can load TypeScript. On Node 20 a worker's entry file
 * is resolved before `--import` hooks given in `execArgv` take effect, and hooks registered
 * programmatically in the main thread (bin/tiltak.js) are not inherited; vitest's module runner is
 * not visible to workers either. So every worker starts from a tiny JavaScript bootstrap that
 * registers tsx's ESM hooks in the worker and then imports `worker.ts`. This works the same under
 * vitest, `node --import tsx` and bin/tiltak.js.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import type { WorkerInput } from './types.ts';

let tsxApi: string | undefined;

/**
 * The `file:` URL of tsx's ESM API (`tsx/esm/api`, import condition), resolved from this package.
 * `require.resolve` would pick the CommonJS build, whose `register()` cannot load ESM hooks in a
 * worker, so the path is taken from tsx's package.json exports.
 *
 * @example
 * tsxEsmApiUrl(); // 'file:///…/node_modules/tsx/dist/esm/api/index.mjs'
 */
export function tsxEsmApiUrl(): string {
  if (tsxApi !== undefined) return tsxApi;
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = require(pkgPath) as {
    exports?: Record<string, { import?: { default?: string } | string } | string>;
  };
  const entry = pkg.exports?.['./esm/api'];
  const rel =
    typeof entry === 'object' && typeof entry.import === 'object' && entry.import.default
      ? entry.import.default
      : './dist/esm/api/index.mjs';
  tsxApi = pathToFileURL(join(dirname(pkgPath), rel)).href;
  return tsxApi;
}

/**
 * The URL of the worker entry file.
 *
 * @example
 * WORKER_ENTRY; // 'file:///…/src/jobs/worker.ts'
 */
export const WORKER_ENTRY = new URL('./worker.ts', import.meta.url).href;

/**
 * Start a worker thread that runs one job. The worker inherits a copy of `process.env` (the
 * pseudonymisation key of register imports comes that way) and never shares the main thread's
 * event loop.
 *
 * @example
 * const w = spawnJobWorker({ module: BUILT_IN_KINDS['power-simulation'].module, params, progressIntervalMs: 100, nice: 10 });
 * w.on('message', (m) => console.log(m));
 */
export function spawnJobWorker(input: WorkerInput, resourceLimits?: ResourceLimits): Worker {
  const bootstrap = [
    `import(${JSON.stringify(tsxEsmApiUrl())})`,
    `.then((m) => { m.register(); return import(${JSON.stringify(WORKER_ENTRY)}); })`,
    '.catch((e) => { process.nextTick(() => { throw e; }); });',
  ].join('');
  return new Worker(bootstrap, {
    eval: true,
    workerData: input,
    ...(resourceLimits === undefined ? {} : { resourceLimits }),
  });
}
