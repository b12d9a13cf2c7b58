import { exponentialBuckets, type Registry } from '../metrics/index.js';

/**
 * Simulated activity for the demo: a worker processing files, outbound API calls and
 * test runs, recorded the way a real service would record them.
 */
export function simulate(registry: Registry, random: () => number = Math.random): () => void {
  const filesProcessed = registry.counter({
    name: 'demo_files_processed_total',
    help: 'Files the worker finished, by outcome.',
    labelNames: ['outcome'],
  });
  const fileDuration = registry.histogram({
    name: 'demo_file_processing_duration_seconds',
    help: 'Time to process one file.',
    buckets: exponentialBuckets(0.005, 2, 10),
  });
  const queueDepth = registry.gauge({ name: 'demo_queue_depth', help: 'Files waiting for the worker.' });
  const apiCalls = registry.counter({
    name: 'demo_api_calls_total',
    help: 'Outbound API calls, by provider and outcome.',
    labelNames: ['provider', 'outcome'],
  });
  const apiDuration = registry.histogram({
    name: 'demo_api_call_duration_seconds',
    help: 'Outbound API call latency.',
    labelNames: ['provider'],
  });
  const testRuns = registry.counter({
    name: 'demo_tests_total',
    help: 'Tests run, by outcome.',
    labelNames: ['outcome'],
  });
  const testDuration = registry.summary({
    name: 'demo_test_duration_seconds',
    help: 'Test durations over the last ten minutes.',
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 600,
  });

  const done = { ok: filesProcessed.labels({ outcome: 'ok' }), failed: filesProcessed.labels({ outcome: 'failed' }) };
  const providers = ['github', 'openai', 'stripe'] as const;

  const tick = () => {
    queueDepth.set(Math.floor(random() * 50));
    for (let i = 0; i < 5; i++) {
      fileDuration.observe(0.005 + random() * random() * 2);
      (random() < 0.95 ? done.ok : done.failed).inc();
    }
    const provider = providers[Math.floor(random() * providers.length)] ?? 'github';
    const outcome = random() < 0.9 ? 'success' : random() < 0.5 ? 'rate_limited' : 'error';
    apiCalls.inc({ provider, outcome });
    apiDuration.observe({ provider }, 0.05 + random() * 0.8);
    const passed = random() < 0.97;
    testRuns.inc({ outcome: passed ? 'passed' : 'failed' });
    testDuration.observe(random() * 3);
  };
  tick();
  const timer = setInterval(tick, 250);
  timer.unref();
  return () => clearInterval(timer);
}
