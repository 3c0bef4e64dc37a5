/**
 * `nx affected -t lint` means something only if every project has a lint
 * target. Each runs `eslint .` from its own folder, where ESLint must find
 * the root eslint.config.mjs and apply it exactly as the root `eslint .`
 * does: typed rules on src/, the workflow import bans on workflow code.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { workspacePackages } from '../src';
import { ROOT } from './workspace';

const packages = [...workspacePackages(ROOT).values()].sort((a, b) => a.dir.localeCompare(b.dir));

function firstSourceFile(dir: string): string | undefined {
  const src = path.join(ROOT, dir, 'src');
  let entries: string[];
  try {
    entries = readdirSync(src);
  } catch {
    return undefined;
  }
  const file = entries.find((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts'));
  return file ? `src/${file}` : undefined;
}

describe('lint targets', () => {
  it('finds every workspace project', () => {
    expect(packages.map((p) => p.dir)).toEqual(expect.arrayContaining(['apps/workflow-worker', 'libs/contracts', 'tools/deployment', 'libs/gnmi-client/integration']));
  });

  it.each(packages.map((p) => [p.dir, p] as const))('%s runs eslint from its own folder', (dir, pkg) => {
    const hasSources = firstSourceFile(dir) !== undefined;
    // A project with no src/ has nothing the root config lints; ESLint would otherwise call that an error.
    expect(pkg.manifest.scripts?.lint).toBe(hasSources ? 'eslint .' : 'eslint . --no-error-on-unmatched-pattern');
  });

  it.each(packages.filter((p) => firstSourceFile(p.dir)).map((p) => [p.dir] as const))('%s: the root config applies its typed rules to src/ from the project folder', (dir) => {
    expect(eslintRun().rules[dir]).toEqual(expect.arrayContaining(['@typescript-eslint/no-floating-promises', '@typescript-eslint/no-misused-promises']));
  });

  it('reports a floating promise in a worker, linted from the worker folder (type information included)', () => {
    expect(eslintRun().floatingPromise).toEqual(['@typescript-eslint/no-floating-promises']);
  });

  it('bans Node built-ins in workflow code, linted from the workflow-worker folder', () => {
    expect(eslintRun().workflowImport).toEqual(['no-restricted-imports']);
  });
});

interface EslintRun {
  /** Project dir -> rule ids ESLint applies to its first src file, with the project folder as cwd. */
  rules: Record<string, string[]>;
  floatingPromise: string[];
  workflowImport: string[];
}

let run: EslintRun | undefined;
/**
 * ESLint loads eslint.config.mjs with a dynamic import, which Jest's module
 * sandbox refuses, so it runs in a plain node child, as `npm run lint` would.
 */
function eslintRun(): EslintRun {
  if (run) return run;
  const targets = packages.filter((p) => firstSourceFile(p.dir)).map((p) => ({ dir: p.dir, cwd: path.join(ROOT, p.dir), file: firstSourceFile(p.dir)! }));
  const script = `
    const { ESLint } = require('eslint');
    (async () => {
      const targets = ${JSON.stringify(targets)};
      const rules = {};
      for (const t of targets) {
        const config = await new ESLint({ cwd: t.cwd }).calculateConfigForFile(t.file);
        rules[t.dir] = Object.keys((config && config.rules) || {});
      }
      const lint = async (dir, code, filePath) => {
        const [result] = await new ESLint({ cwd: require('node:path').join(${JSON.stringify(ROOT)}, dir) }).lintText(code, { filePath });
        return result.messages.map((m) => m.ruleId);
      };
      const floatingPromise = await lint('apps/device-worker', 'async function backup(): Promise<void> {}\\nbackup();\\n', 'src/main.ts');
      const workflowImport = await lint('apps/workflow-worker', "import { readFileSync } from 'node:fs';\\nexport const read = readFileSync;\\n", 'src/workflows/index.ts');
      process.stdout.write(JSON.stringify({ rules, floatingPromise, workflowImport }));
    })().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
  `;
  const child = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
  if (child.status !== 0) throw new Error(`eslint child failed (${child.status}): ${child.stderr}`);
  run = JSON.parse(child.stdout) as EslintRun;
  return run;
}
