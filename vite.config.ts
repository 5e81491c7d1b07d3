/**
 * The admin center build: src/web -> dist/web, served by `dovetail serve` (src/web/serve-web.ts).
 * Runs on `npm ci` (prepare) and before `npm test` (pretest), so no manual step is needed.
 */
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/web',
  base: '/',
  plugins: [preact()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill would be an inline script; the content security policy allows none.
    modulePreload: { polyfill: false },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' } },
});
