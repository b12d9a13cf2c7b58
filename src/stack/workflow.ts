import type { StackConfig } from './config.js';
import { IMAGES } from './images.js';
import { toYaml } from './yaml.js';

/**
 * An example GitHub Actions workflow (copy it to .github/workflows/): a Pushgateway service
 * container, the tests run with Vigil's Vitest reporter, which pushes the run's metrics
 * to it once at the end, then a check that the push arrived.
 */
export function workflowConfig(config: StackConfig): Record<string, unknown> {
  const pushgateway = 'http://localhost:9091';
  return {
    name: `${config.project} tests`,
    on: { push: { branches: ['main'] }, pull_request: {} },
    jobs: {
      test: {
        'runs-on': 'ubuntu-latest',
        services: {
          pushgateway: { image: IMAGES.pushgateway, ports: ['9091:9091'] },
        },
        env: {
          // Read by vigil/testing reporters; the grouping key adds branch and runner from the CI variables.
          VIGIL_PUSHGATEWAY_URL: pushgateway,
          VIGIL_PUSH_JOB: `${config.project}-tests`,
        },
        steps: [
          { uses: 'actions/checkout@v4' },
          { uses: 'actions/setup-node@v4', with: { 'node-version': 20, cache: 'npm' } },
          { run: 'npm ci' },
          {
            name: "Run the tests with Vigil's reporter (pushes the results when the run ends)",
            run: 'npx vitest run --reporter=default --reporter=vigil/testing/vitest',
          },
          {
            name: 'Show the pushed test metrics',
            if: 'always()',
            run: `curl -sf ${pushgateway}/metrics | grep -E '^vigil_(tests_total|test_run_success)'`,
          },
        ],
      },
    },
  };
}

export function workflowYaml(config: StackConfig): string {
  return toYaml(workflowConfig(config));
}
