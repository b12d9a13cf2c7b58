import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'metrics/index': 'src/metrics/index.ts',
    'collectors/index': 'src/collectors/index.ts',
    'catalog/index': 'src/catalog/index.ts',
    'exporter/index': 'src/exporter/index.ts',
    'push/index': 'src/push/index.ts',
    'tracing/index': 'src/tracing/index.ts',
    'testing/index': 'src/testing/index.ts',
    'testing/vitest': 'src/testing/vitest.ts',
    'testing/node-test': 'src/testing/node-test.ts',
    'http/node/index': 'src/http/node/index.ts',
    'http/express/index': 'src/http/express/index.ts',
    'http/fastify/index': 'src/http/fastify/index.ts',
    'http/hono/index': 'src/http/hono/index.ts',
    'cli/main': 'src/cli/main.ts',
    'demo/main': 'src/demo/main.ts',
  },
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
});
