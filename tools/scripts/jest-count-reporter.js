// Appends each Jest run's totals to .data/test-results/counts.jsonl so .ci/run
// can print one `tests: N passed, M failed` line across every project.
const fs = require('node:fs');
const path = require('node:path');

const WORKSPACE_ROOT = path.join(__dirname, '..', '..');

// SYNAPSE_TEST_LABEL tells apart two runs of one project in the summary
// (`npm run test:postgres` runs workflow-worker's files again on PostgreSQL).
function projectName(rootDir) {
  const name = path.relative(WORKSPACE_ROOT, rootDir) || path.basename(rootDir);
  return process.env.SYNAPSE_TEST_LABEL ? `${name} [${process.env.SYNAPSE_TEST_LABEL}]` : name;
}

class CountReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }
  onRunComplete(_contexts, results) {
    const dir = path.join(WORKSPACE_ROOT, '.data', 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    const failedSuites = results.numFailedTestSuites + results.numRuntimeErrorTestSuites;
    // A suite that fails without a failing test (it did not compile, its
    // module threw on load, a hook failed) is a failure a test count alone
    // would hide.
    const suitesFailedWithoutTestFailures = results.testResults.filter(
      (suite) => (suite.testExecError || suite.failureMessage) && suite.numFailingTests === 0,
    ).length;
    const line = {
      // Set by .ci/run, so its summary counts only its own run even when
      // other test runs share this checkout's .data/ at the same time.
      ...(process.env.SYNAPSE_TEST_RUN_ID ? { run: process.env.SYNAPSE_TEST_RUN_ID } : {}),
      project: projectName(this.rootDir),
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      failedSuites,
      suitesFailedWithoutTestFailures,
      total: results.numTotalTests,
    };
    fs.appendFileSync(path.join(dir, 'counts.jsonl'), JSON.stringify(line) + '\n');
  }
}
module.exports = CountReporter;
