import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Vite configuration of the web UI: the app lives in `web/`, builds to `web/dist`, and in
 * development proxies `/api` to a running `tiltak serve` on port 8080.
 *
 * @example
 * // npx vite build --config web/vite.config.ts
 */
export default defineConfig({
  root,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
