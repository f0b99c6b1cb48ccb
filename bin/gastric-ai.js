#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled TypeScript in dist/ (`npm run build`, done by the set-up script).
const path = require('path');
const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
try {
  require.resolve(entry);
} catch {
  console.error('gastric-ai: dist/ is missing. Run `npm run build` (or `npm run setup`) in ' + path.join(__dirname, '..'));
  process.exit(2);
}
require(entry).main(process.argv).catch((err) => {
  console.error(`gastric-ai: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
