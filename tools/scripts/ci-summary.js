#!/usr/bin/env node
// Prints the closing line CI reads, `tests: N passed, M failed`, summed over
// every Jest run recorded in .data/test-results/counts.jsonl (written by
// jest-count-reporter.js). A suite that failed without a failing test (it did
// not compile) counts as one failure; no results at all, or a failed test
// command with no recorded failure, count as one failure too, so a broken run
// never reads as green. Exits 1 when M > 0.
//
// With --run-id, only lines tagged with that run (SYNAPSE_TEST_RUN_ID, which
// .ci/run sets) count.
//
// usage: node tools/scripts/ci-summary.js [--counts FILE] [--exit-code N] [--run-id ID]
const fs = require('node:fs');
const path = require('node:path');

function parseArgs(argv) {
  const options = {
    countsFile: path.join(__dirname, '..', '..', '.data', 'test-results', 'counts.jsonl'),
    testCommandExitCode: 0,
    runId: undefined,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--counts' && value !== undefined) options.countsFile = value;
    else if (flag === '--exit-code' && value !== undefined) options.testCommandExitCode = Number(value);
    else if (flag === '--run-id' && value !== undefined) options.runId = value;
    else throw new Error(`unknown argument ${flag}; usage: ci-summary.js [--counts FILE] [--exit-code N] [--run-id ID]`);
  }
  return options;
}

function summarise({ countsFile, testCommandExitCode, runId }) {
  const notes = [];
  let passed = 0;
  let failed = 0;
  if (!fs.existsSync(countsFile)) {
    notes.push(`no test results at ${countsFile}: no test run completed`);
    return { passed, failed: 1, notes };
  }
  const lines = fs.readFileSync(countsFile, 'utf8').split('\n').filter((line) => line.trim() !== '');
  let counted = 0;
  for (const text of lines) {
    let run;
    try {
      run = JSON.parse(text);
    } catch {
      notes.push(`unreadable result line, counted as a failure: ${text}`);
      failed += 1;
      continue;
    }
    if (runId !== undefined && run.run !== runId) continue;
    counted += 1;
    // Lines from before the reporter recorded suite failures separately.
    const suiteFailures = typeof run.suitesFailedWithoutTestFailures === 'number'
      ? run.suitesFailedWithoutTestFailures
      : run.failed === 0 ? run.failedSuites || 0 : 0;
    passed += run.passed || 0;
    failed += (run.failed || 0) + suiteFailures;
    const suiteNote = suiteFailures > 0 ? `, ${suiteFailures} suite(s) failed without running a failing test` : '';
    notes.push(`  ${run.project}  passed ${run.passed}  failed ${run.failed}${suiteNote}`);
  }
  if (counted === 0) {
    notes.push(`${countsFile} holds no results${runId === undefined ? '' : ` of run ${runId}`}: no test run completed`);
    failed += 1;
  }
  if (testCommandExitCode !== 0 && failed === 0) {
    notes.push(`the test command exited with code ${testCommandExitCode} although no test failed: counted as a failure`);
    failed = 1;
  }
  return { passed, failed, notes };
}

const { passed, failed, notes } = summarise(parseArgs(process.argv.slice(2)));
for (const note of notes) console.log(note);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
