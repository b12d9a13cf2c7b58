#!/usr/bin/env bash
# `npm test`: install dependencies if needed, make sure the real components are there,
# type-check and lint, run all Vitest projects (unit, conformance, integration), print "N passed, N failed[, N skipped]".
#
#   VIGIL_UNIT_ONLY=1 npm test      unit tests only, no components (not honoured in CI)
#   npm test -- -t 'histogram'      extra arguments go to `vitest run`
set -euo pipefail
cd "$(dirname "$0")/.."

# Components every full run needs (names understood by scripts/install-components.sh).
COMPONENTS=(prometheus promtool python3-prometheus-client prometheus-pushgateway)

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

vitest_args=(run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json)
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
if ! npx tsc --noEmit -p . || ! npx biome check .; then
  loud "Type check or lint failed (see above). Fix it, or run 'npm run format' for formatting."
  echo "0 passed, 1 failed"
  exit 1
fi

# (d) run
mkdir -p test-results
rm -f test-results/vitest.json
set +e
npx vitest "${vitest_args[@]}" "$@"
code=$?
set -e

# (e) one plain summary line
node scripts/summarize-vitest.mjs test-results/vitest.json "$code"
exit "$code"
