import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console page: plain TypeScript and uPlot, bundled into `dist/console/web` (the
 * console backend's default `assetsDir`). Everything ships in the bundle: the backend's
 * CSP is `default-src 'self'`, so no CDN, no inline script, no eval.
 * Tests build elsewhere with `build({ configFile, build: { outDir } })`.
 */
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../../dist/console/web', import.meta.url)),
    // The output is outside `root`; Vite only empties it when told to.
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // One small app: no hashed-chunk splitting needed; assets inline below 4 KiB would be data: URLs.
    assetsInlineLimit: 0,
  },
});
