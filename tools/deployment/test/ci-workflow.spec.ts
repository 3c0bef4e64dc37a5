/**
 * .github/workflows/ci.yml, the CI workflow for users of a hosted CI: parsed
 * and checked to run `nx affected` with lint, test and build against the base
 * of the change, on a checkout with the history that needs, with what the
 * tests need installed (npm ci, the Python venv, Node 20).
 */
import { parse } from 'yaml';
import { ciWorkflowProblems, isRecord } from '../src';
import { readText } from './workspace';

const workflow: unknown = parse(readText('.github/workflows/ci.yml'));

function steps(): Array<Record<string, unknown>> {
  if (!isRecord(workflow) || !isRecord(workflow.jobs)) throw new Error('ci.yml has no jobs');
  return Object.values(workflow.jobs).flatMap((job) => (isRecord(job) && Array.isArray(job.steps) ? job.steps.filter(isRecord) : []));
}

describe('.github/workflows/ci.yml', () => {
  it('runs nx affected -t lint test build against the base commit, with full history, Node 20 and npm ci', () => {
    expect(ciWorkflowProblems(workflow)).toEqual([]);
  });

  it('runs on pull requests and on pushes to main', () => {
    expect(isRecord(workflow) && workflow.on).toMatchObject({ pull_request: null, push: { branches: ['main'] } });
  });

  it('installs what the tests need: the Python venv (bootstrap) with setup-python, and one Temporal dev server around nx', () => {
    expect(steps().some((step) => String(step.uses).startsWith('actions/setup-python@'))).toBe(true);
    const runs = steps().map((step) => String(step.run ?? ''));
    expect(runs.some((run) => run.includes('node tools/scripts/bootstrap.js'))).toBe(true);
    expect(runs.some((run) => /with-dev-server\.js -- \\?\s*npx nx affected/.test(run))).toBe(true);
    expect(runs.some((run) => run.includes('nx run temporal:build'))).toBe(true);
  });

  it('checks docker-compose.yml with Compose itself', () => {
    expect(steps().map((step) => String(step.run ?? ''))).toContain('docker compose --profile encryption config --quiet');
  });
});

describe('the CI rules, on broken workflows', () => {
  const base = {
    on: { pull_request: null },
    jobs: {
      ci: {
        steps: [
          { uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } },
          { uses: 'actions/setup-node@v4', with: { 'node-version': 20, cache: 'npm' } },
          { run: 'npm ci' },
          { uses: 'nrwl/nx-set-shas@v4' },
          { run: 'npx nx affected -t lint test build --base=$NX_BASE --head=$NX_HEAD' },
        ],
      },
    },
  };
  const withStep = (index: number, step: Record<string, unknown>) => {
    const copy = structuredClone(base);
    copy.jobs.ci.steps[index] = step as (typeof copy.jobs.ci.steps)[number];
    return copy;
  };

  it('the fixture passes, so each failure below comes from its one change', () => {
    expect(ciWorkflowProblems(base)).toEqual([]);
  });

  it('accepts the --targets spelling', () => {
    expect(ciWorkflowProblems(withStep(4, { run: 'npx nx affected --targets=lint,test,build --base=origin/main' }))).toEqual([]);
  });

  it('refuses nx affected without lint, or without a base', () => {
    expect(ciWorkflowProblems(withStep(4, { run: 'npx nx affected -t test build --base=$NX_BASE' }))).toEqual(['nx affected runs test, build, not lint']);
    expect(ciWorkflowProblems(withStep(4, { run: 'npx nx affected -t lint test build' }))).toEqual([
      'nx affected has no --base: it would compare with nx.json defaultBase, not the pull request base',
    ]);
    expect(ciWorkflowProblems(withStep(4, { run: 'npx nx run-many -t lint test build' }))).toEqual(['no step runs nx affected']);
  });

  it('refuses a shallow checkout, another Node, and no npm ci', () => {
    expect(ciWorkflowProblems(withStep(0, { uses: 'actions/checkout@v4' }))).toEqual(['actions/checkout without fetch-depth: 0: nx affected needs the base commit']);
    expect(ciWorkflowProblems(withStep(1, { uses: 'actions/setup-node@v4', with: { 'node-version': 18, cache: 'npm' } }))).toEqual(['no actions/setup-node with node-version 20']);
    expect(ciWorkflowProblems(withStep(2, { run: 'npm install' }))).toEqual(['no npm ci']);
  });

  it('refuses a base that comes from nowhere', () => {
    expect(ciWorkflowProblems(withStep(3, { run: 'echo no shas' }))).toEqual(['the base commit comes from neither nrwl/nx-set-shas nor the pull request base ref']);
    expect(ciWorkflowProblems(withStep(3, { run: 'git fetch origin main' }))).toEqual(['the base commit comes from neither nrwl/nx-set-shas nor the pull request base ref']);
  });
});
