import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CI_SUMMARY = path.join(__dirname, '..', '..', 'scripts', 'ci-summary.js');

/** The closing line CI reads: it must never make a broken run look green. */
describe('ci-summary.js', () => {
  let sandbox: string;
  beforeEach(() => (sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-summary-'))));
  afterEach(() => fs.rmSync(sandbox, { recursive: true, force: true }));

  function summarise(countLines: object[] | undefined, testCommandExitCode = 0, runId?: string) {
    const countsFile = path.join(sandbox, 'counts.jsonl');
    if (countLines) fs.writeFileSync(countsFile, countLines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    const args = [CI_SUMMARY, '--counts', countsFile, '--exit-code', String(testCommandExitCode), ...(runId ? ['--run-id', runId] : [])];
    const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const lines = run.stdout.trimEnd().split('\n');
    return { lastLine: lines[lines.length - 1], output: run.stdout, exitCode: run.status };
  }

  it('sums passed and failed tests over every project', () => {
    const result = summarise([
      { project: 'libs/contracts', passed: 4, failed: 0, failedSuites: 0, suitesFailedWithoutTestFailures: 0, total: 4 },
      { project: 'libs/gnmi-client', passed: 10, failed: 2, failedSuites: 1, suitesFailedWithoutTestFailures: 0, total: 12 },
      { project: 'tools/temporal', passed: 7, failed: 0, failedSuites: 0, suitesFailedWithoutTestFailures: 0, total: 7 },
    ], 1);
    expect(result.lastLine).toBe('tests: 21 passed, 2 failed');
    expect(result.exitCode).toBe(1);
  });

  it('counts a suite that failed without running a test (it did not compile) as a failure', () => {
    const result = summarise([
      { project: 'tools/device-sim', passed: 3, failed: 0, failedSuites: 2, suitesFailedWithoutTestFailures: 1, total: 3 },
    ], 1);
    expect(result.lastLine).toBe('tests: 3 passed, 1 failed');
    expect(result.output).toContain('tools/device-sim  passed 3  failed 0, 1 suite(s) failed without running a failing test');
  });

  it('counts suite failures from lines written before the reporter recorded them separately', () => {
    expect(summarise([{ project: 'contracts', passed: 0, failed: 0, failedSuites: 1, total: 0 }], 1).lastLine).toBe('tests: 0 passed, 1 failed');
  });

  it('reports one failure when there are no results at all', () => {
    const result = summarise(undefined);
    expect(result.lastLine).toBe('tests: 0 passed, 1 failed');
    expect(result.output).toContain('no test results at');
    expect(result.exitCode).toBe(1);
  });

  it('reports one failure when the test command failed but recorded no failing test', () => {
    const result = summarise([{ project: 'libs/contracts', passed: 4, failed: 0, failedSuites: 0, suitesFailedWithoutTestFailures: 0, total: 4 }], 1);
    expect(result.lastLine).toBe('tests: 4 passed, 1 failed');
    expect(result.output).toContain('the test command exited with code 1 although no test failed');
  });

  it('counts only its own run when other test runs share the results file', () => {
    const result = summarise([
      { run: 'ci-1', project: 'libs/contracts', passed: 4, failed: 0, failedSuites: 0, suitesFailedWithoutTestFailures: 0, total: 4 },
      { project: 'tools/device-sim', passed: 30, failed: 3, failedSuites: 1, suitesFailedWithoutTestFailures: 0, total: 33 },
      { run: 'ci-2', project: 'tools/device-sim', passed: 30, failed: 3, failedSuites: 1, suitesFailedWithoutTestFailures: 0, total: 33 },
      { run: 'ci-1', project: 'tools/temporal', passed: 35, failed: 0, failedSuites: 0, suitesFailedWithoutTestFailures: 0, total: 35 },
    ], 0, 'ci-1');
    expect(result.lastLine).toBe('tests: 39 passed, 0 failed');
  });

  it('reports one failure when its run recorded nothing', () => {
    const result = summarise([{ run: 'other', project: 'libs/contracts', passed: 4, failed: 0, failedSuites: 0, suitesFailedWithoutTestFailures: 0, total: 4 }], 0, 'ci-1');
    expect(result.lastLine).toBe('tests: 0 passed, 1 failed');
  });

  it('is green, and exits 0, only when everything passed', () => {
    const result = summarise([{ project: 'libs/contracts', passed: 4, failed: 0, failedSuites: 0, suitesFailedWithoutTestFailures: 0, total: 4 }], 0);
    expect(result.lastLine).toBe('tests: 4 passed, 0 failed');
    expect(result.exitCode).toBe(0);
  });
});
