#!/usr/bin/env bash
# `npm start`: install what is missing, build, and run the demo on the embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm ci is not used: npm 11 rejects this lock file for the platform packages it leaves out.
  npm install --no-audit --no-fund
fi
npx tsup --silent
npx vite build --config src/console/web/vite.config.ts --logLevel warn
exec node dist/demo/main.js
