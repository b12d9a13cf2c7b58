import { workerMetrics } from '../catalog/index.js';
import type { Registry } from '../metrics/index.js';
import { type TracingHandle, withExemplars } from '../tracing/index.js';

/**
 * Background activity beside the HTTP traffic: a file-watcher worker processing files in
 * runs, and test runs with their outcomes and durations (Vigil's test reporters will
 * record these for real). With `tracing`, each worker run is a trace (one span per file)
 * and the test counter carries trace exemplars.
 */
export function simulate(registry: Registry, random: () => number = Math.random, tracing?: TracingHandle): () => void {
  const workers = workerMetrics({ registry });
  const testRuns = withExemplars(
    registry.counter({
      name: 'demo_tests_total',
      help: 'Tests run, by outcome.',
      labelNames: ['outcome'],
    }),
  );
  const span = <T>(name: string, fn: () => T): T => (tracing === undefined ? fn() : tracing.withSpan(name, fn));
  const testDuration = registry.summary({
    name: 'demo_test_duration_seconds',
    help: 'Test durations over the last ten minutes.',
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 600,
  });

  const tick = () => {
    void span('file-watcher run', () =>
      workers.time({ worker: 'file-watcher', trigger: 'file_change' }, async () => {
        const files = 1 + Math.floor(random() * 5);
        for (let i = 0; i < files; i++) {
          await span('process file', async () => {
            await new Promise((resolve) => setTimeout(resolve, random() * 20));
            workers.fileProcessed({ worker: 'file-watcher', outcome: random() < 0.97 ? 'success' : 'error' });
          });
        }
        if (random() < 0.02) throw new Error('disk full');
      }),
    ).catch(() => {});
    span('test run', () => {
      testRuns.inc({ outcome: random() < 0.97 ? 'passed' : 'failed' });
      testDuration.observe(random() * 3);
    });
  };
  tick();
  const timer = setInterval(tick, 500);
  timer.unref();
  return () => clearInterval(timer);
}
