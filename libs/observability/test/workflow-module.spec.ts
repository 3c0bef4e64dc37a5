import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const DIST = path.join(__dirname, '..', 'dist');

/** Every module a built file requires, following the relative ones. */
function requireGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, target] of readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
      if (target.startsWith('.')) visit(require.resolve(target, { paths: [path.dirname(file)] }));
      else packages.add(target);
    }
  };
  visit(entry);
  return { files: [...files].map((file) => path.relative(DIST, file)).sort(), packages: [...packages].sort() };
}

describe('the built workflow interceptors module', () => {
  beforeAll(() => {
    if (!existsSync(path.join(DIST, 'index.js'))) throw new Error(`${DIST} is missing: build the library first (npx nx run observability:build)`);
  });

  it('is where the built library says, so a worker or bundler given the path finds it', () => {
    const built = require(path.join(DIST, 'index.js')) as { WORKFLOW_INTERCEPTORS_MODULE: string };
    expect(built.WORKFLOW_INTERCEPTORS_MODULE).toBe(path.join(DIST, 'workflow-interceptors.js'));
    expect(existsSync(built.WORKFLOW_INTERCEPTORS_MODULE)).toBe(true);
  });

  it('loads nothing into the workflow sandbox but @temporalio/workflow and its own pure helpers', () => {
    // The lint rule against I/O covers apps/workflow-worker/src/workflows only; this guards the
    // code this library puts into every workflow's sandbox, where Temporal replays it.
    expect(requireGraph(path.join(DIST, 'workflow-interceptors.js'))).toEqual({
      files: ['labels.js', 'log-context.js', 'metric-names.js', 'workflow-interceptors.js'],
      packages: ['@temporalio/workflow'],
    });
  });
});
