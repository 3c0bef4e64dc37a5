// Appends each Jest run's totals to .data/test-results/counts.jsonl so .ci/run
// can print one `tests: N passed, M failed` line across every project.
const fs = require('node:fs');
const path = require('node:path');

class CountReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }
  onRunComplete(_contexts, results) {
    const dir = path.join(__dirname, '..', '..', '.data', 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    const failedSuites = results.numFailedTestSuites + results.numRuntimeErrorTestSuites;
    const line = {
      project: path.basename(this.rootDir),
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      failedSuites,
      total: results.numTotalTests,
    };
    fs.appendFileSync(path.join(dir, 'counts.jsonl'), JSON.stringify(line) + '\n');
  }
}
module.exports = CountReporter;
