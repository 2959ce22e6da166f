#!/usr/bin/env bash
# `npm test`: engine extension -> lake -> type-check -> unit -> build -> e2e -> one summary. Stages that can still say
# something keep going after a failure; a failed build stops (e2e would only test a stale dist/).
# The last line is always `tests: N passed, N failed`; the exit code is non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n==== %s ====\n' "$*"; }
failed=()
rm -rf test-results
mkdir -p test-results

summary() {
  stage "summary"
  local args=(--unit test-results/unit.json)
  [[ "${e2e_ran:-0}" == 1 ]] && args+=(--e2e test-results/e2e.json)
  for s in "${failed[@]+"${failed[@]}"}"; do args+=(--stage-failed "$s"); done
  npx tsx scripts/summarize-tests.ts "${args[@]}"
}

stage "system packages"
bash scripts/ensure-system-deps.sh

stage "engine: parquet extension"
# Unit tests run the wasm engine too, so the extension comes before them; a failure stops here.
if ! npm run --silent build:engine; then
  failed+=(engine)
  summary || true
  exit 1
fi

lake_ok=1
stage "demo lake"
if [[ -f data/manifest.json ]]; then
  echo "data/manifest.json exists; keeping it (adding rollups if it predates them)"
  node bin/quantiv.mjs rollup --data data || { failed+=(lake); lake_ok=0; }
elif ! node bin/quantiv.mjs generate --quiet; then
  failed+=(lake); lake_ok=0
fi

stage "type-check"
if [[ -n "$(find src -name '*.svelte' -print -quit 2>/dev/null)" ]]; then
  npx svelte-check --tsconfig ./tsconfig.json || failed+=(typecheck)
else
  npx tsc --noEmit -p tsconfig.json || failed+=(typecheck)
fi

# CI (.ci/run) may run a job in the background through the stages above; the timed tests from here
# on wait until it has written its done file, so they never share the cores with it.
if [[ -n "${QUANTIV_CI_BACKGROUND_DONE:-}" ]]; then
  waited=0
  while [[ ! -e "$QUANTIV_CI_BACKGROUND_DONE" && $waited -lt 600 ]]; do sleep 1; waited=$((waited + 1)); done
  echo "waited ${waited}s for CI's background job"
fi

stage "unit tests (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile=test-results/unit.json || failed+=(unit)

stage "build (vite)"
if ! npx vite build; then
  failed+=(build)
  summary || true
  exit 1
fi

e2e_ran=0
if [[ "$lake_ok" == 1 ]]; then
  stage "e2e (playwright)"
  e2e_ran=1
  npx playwright test || failed+=(e2e)
else
  echo "skipping e2e: no demo lake"
fi

summary
