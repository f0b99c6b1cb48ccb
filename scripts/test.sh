#!/usr/bin/env bash
# The test command behind `npm test` (set-up runs first as the npm pretest hook): type check, dependency rules
# (.dependency-cruiser.cjs), then every jest suite.
set -uo pipefail
cd "$(dirname "$0")/.."
rm -f test-artifacts/summary.txt
npx tsc --noEmit -p . || { echo 'tests: 0 passed, 1 failed (type check)'; exit 1; }
npx depcruise src --config .dependency-cruiser.cjs || { echo 'tests: 0 passed, 1 failed (dependency rules)'; exit 1; }
npx jest --ci "$@"
rc=$?
[[ -f test-artifacts/summary.txt ]] && cat test-artifacts/summary.txt
exit $rc
