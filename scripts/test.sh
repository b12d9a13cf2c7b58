#!/usr/bin/env bash
# `npm test`: install dependencies if needed, make sure the real components are there,
# type-check and lint, run all Vitest projects (unit, conformance, integration), print "N passed, N failed[, N skipped]".
#
#   VIGIL_UNIT_ONLY=1 npm test      unit tests only, no components (not honoured in CI)
#   npm test -- -t 'histogram'      extra arguments go to `vitest run`
set -euo pipefail
cd "$(dirname "$0")/.."

# Components every full run needs (names understood by scripts/install-components.sh).
COMPONENTS=(prometheus promtool python3-prometheus-client prometheus-pushgateway
  prometheus-alertmanager amtool victoria-metrics chromium)

loud() {
  {
    echo
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    for line in "$@"; do echo "!!! $line"; done
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo
  } >&2
}

in_ci() {
  case "${CI:-}" in
    "" | 0 | false | FALSE | False) return 1 ;;
    *) return 0 ;;
  esac
}

# (a) dependencies
if [ -f package-lock.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    # npm install, not npm ci: npm 11 rejects a lock file that leaves out other platforms'
    # optional packages (@rollup/rollup-*, @biomejs/cli-*), which is how it writes them here.
    echo "test.sh: node_modules missing or older than package-lock.json: npm install"
    npm install --no-audit --no-fund
  fi
elif [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ]; then
  echo "test.sh: no package-lock.json: npm install"
  npm install
fi

# (b) real components
unit_only=0
if [ "${VIGIL_UNIT_ONLY:-}" = 1 ]; then
  if in_ci; then
    loud "VIGIL_UNIT_ONLY=1 is IGNORED in CI (CI=${CI})." \
      "In CI every test runs against the real components; a missing one is a failure."
  else
    unit_only=1
  fi
fi

# Dogfood: Vigil's own reporter records this run (test-results/vigil-metrics.prom) and
# pushes it when VIGIL_PUSHGATEWAY_URL is set; it never changes the run's result.
export VIGIL_METRICS_FILE="${VIGIL_METRICS_FILE:-test-results/vigil-metrics.prom}"
export VIGIL_PUSH_JOB="${VIGIL_PUSH_JOB:-vigil-tests}"
vitest_args=(run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
  --reporter=./src/testing/vitest.ts)
if [ "$unit_only" -eq 1 ]; then
  loud "VIGIL_UNIT_ONLY=1: running UNIT tests only." \
    "Conformance and integration tests (real Prometheus, promtool, Python parsers, Pushgateway) are NOT run." \
    "This run does not show that Vigil works with the real components."
  vitest_args+=(--project unit)
elif ! bash scripts/install-components.sh "${COMPONENTS[@]}"; then
  loud "Required components are missing and could not be installed (see above)." \
    "Install them, or run VIGIL_UNIT_ONLY=1 npm test locally for unit tests only."
  exit 1
fi

# (c) static checks: types (including the expectTypeOf tests) and lint
if ! npx tsc --noEmit -p . || ! npx tsc --noEmit -p src/console/web || ! npx biome check .; then
  loud "Type check or lint failed (see above). Fix it, or run 'npm run format' for formatting."
  echo "0 passed, 1 failed"
  exit 1
fi

# (d) run. In CI, a Pushgateway started for the run receives this run's own test metrics
# (dogfood), and the push is checked afterwards.
mkdir -p test-results
rm -f test-results/vitest.json
gateway_pid=""
if in_ci && [ "$unit_only" -eq 0 ] && [ -z "${VIGIL_PUSHGATEWAY_URL:-}" ]; then
  gateway_port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  /usr/bin/prometheus-pushgateway --web.listen-address="127.0.0.1:${gateway_port}" --persistence.file="" \
    > test-results/pushgateway.log 2>&1 &
  gateway_pid=$!
  trap '[ -n "$gateway_pid" ] && kill "$gateway_pid" 2>/dev/null || true' EXIT
  export VIGIL_PUSHGATEWAY_URL="http://127.0.0.1:${gateway_port}"
fi
set +e
npx vitest "${vitest_args[@]}" "$@"
code=$?
set -e
if [ -n "$gateway_pid" ]; then
  if node -e "fetch(process.argv[1] + '/metrics', { signal: AbortSignal.timeout(5000) }).then((r) => r.text())
      .then((t) => process.exit(/^vigil_tests_total\{/m.test(t) ? 0 : 1), () => process.exit(1))" "$VIGIL_PUSHGATEWAY_URL"; then
    echo "test.sh: this run's test metrics reached the Pushgateway (job ${VIGIL_PUSH_JOB})."
  else
    loud "This run's test metrics did not reach the Pushgateway at ${VIGIL_PUSHGATEWAY_URL} (see above)."
    [ "$code" -ne 0 ] || code=1
  fi
fi

# (e) one plain summary line
node scripts/summarize-vitest.mjs test-results/vitest.json "$code"
exit "$code"
