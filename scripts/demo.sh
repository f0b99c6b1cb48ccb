#!/usr/bin/env bash
# The README's demo command (`npm run demo`; set-up runs first as the npm predemo hook).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node bin/gastric-ai.js demo "$@"
