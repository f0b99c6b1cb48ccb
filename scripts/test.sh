#!/usr/bin/env bash
# The test command behind `npm test` (set-up runs first as the npm pretest hook): type check, dependency rules
# (.dependency-cruiser.cjs), the Python trainer's unit tests (trainer/tests), then every jest suite.
set -uo pipefail
cd "$(dirname "$0")/.."
rm -f test-artifacts/summary.txt
npx tsc --noEmit -p . || { echo 'tests: 0 passed, 1 failed (type check)'; exit 1; }
npx depcruise src --config .dependency-cruiser.cjs || { echo 'tests: 0 passed, 1 failed (dependency rules)'; exit 1; }
python=${GASTRIC_AI_PYTHON:-/usr/bin/python3}
mkdir -p test-artifacts
if ! (cd trainer && "$python" -m unittest discover -s tests -t .) >test-artifacts/trainer-tests.txt 2>&1; then
  tail -n 40 test-artifacts/trainer-tests.txt
  echo 'tests: 0 passed, 1 failed (trainer unit tests, test-artifacts/trainer-tests.txt)'
  exit 1
fi
tail -n 3 test-artifacts/trainer-tests.txt
npx jest --ci "$@"
rc=$?
[[ -f test-artifacts/summary.txt ]] && cat test-artifacts/summary.txt
exit $rc
