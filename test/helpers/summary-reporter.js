// Writes the plain closing line that CI reads ("tests: N passed, N failed[, N skipped]") to
// test-artifacts/summary.txt; scripts/test.sh prints it after jest has finished, as the run's last line.
const fs = require('fs');
const path = require('path');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `tests: ${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    const dir = path.join(__dirname, '..', '..', 'test-artifacts');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'summary.txt'), `${line}\n`);
  }
}
module.exports = SummaryReporter;
