#!/usr/bin/env bash
# `npm run bench`: Vigil vs prom-client vs the OpenTelemetry metrics SDK, in one process.
# Prints the tables and writes bench/results/latest.md. Extra arguments go to
# bench/metrics.ts: --quick (short rounds, writes nothing), --only=word[,word].
set -euo pipefail
cd "$(dirname "$0")/.."
node --expose-gc --import tsx bench/metrics.ts "$@"
# Event-loop stall while a 100k-series registry is scraped 10/s (honours --quick and --only).
node --import tsx bench/exporter.ts "$@"
# withSpan vs raw startActiveSpan, and what the batch queue drops in a tight loop.
node --expose-gc --import tsx bench/tracing.ts "$@"
