import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Folder of the web UI sources (`web/`).
 *
 * @example
 * WEB_DIR; // '/…/tiltak/web'
 */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

/**
 * Folder of the built UI (`web/dist`), what the server serves.
 *
 * @example
 * WEB_DIST; // '/…/tiltak/web/dist'
 */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * True when `web/dist` is missing or older than any UI source (`web/src/**`, `web/index.html`,
 * `web/vite.config.ts`).
 *
 * @example
 * if (webIsStale()) await buildWeb();
 */
export function webIsStale(): boolean {
  const built = `${WEB_DIST}index.html`;
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const newest = (path: string): number => {
    const st = statSync(path);
    if (!st.isDirectory()) return st.mtimeMs;
    return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
  };
  return [`${WEB_DIR}src`, `${WEB_DIR}index.html`, `${WEB_DIR}vite.config.ts`].some(
    (p) => existsSync(p) && newest(p) > builtAt,
  );
}

/**
 * Build the UI with Vite into `web/dist` when it is missing or stale (or always, with `force`).
 * Vite is loaded only here, so the rest of the CLI does not pay for it.
 *
 * @example
 * await buildWeb(); // builds when needed; otherwise returns at once
 */
export async function buildWeb(force = false): Promise<string> {
  if (!force && !webIsStale()) return WEB_DIST;
  const { build } = await import('vite');
  // Vite follows NODE_ENV for React's build; under a test runner it is 'test', which would ship
  // React's development build (and StrictMode's double effects) to the browser tests.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: `${WEB_DIR}vite.config.ts`, logLevel: 'warn', mode: 'production' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return WEB_DIST;
}
