/**
 * What goes into an image: the app's runtime closure of workspace packages
 * (dependencies, never devDependencies), each as package.json plus its
 * "files"; the require graph that must resolve inside that tree; and the
 * variables a package's source reads. Real packages first, then small
 * fixture workspaces for the failures.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { copyRuntimeFiles, envVariablesInSource, envVariablesReadByApp, runtimeClosure, runtimeEntries, walkModuleGraph, workspacePackages } from '../src';
import { ROOT } from './workspace';

const scratch = mkdtempSync(path.join(tmpdir(), 'runtime-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the runtime closure of an app', () => {
  it('follows dependencies into workspace libraries, and leaves devDependencies (simulators, test tools) out', () => {
    const deviceWorker = runtimeClosure(ROOT, ['apps/device-worker']).map((p) => p.dir);
    // gnmi-client only through device-config's and the worker's own dependencies; contracts through all of them.
    expect(deviceWorker).toEqual(expect.arrayContaining(['apps/device-worker', 'libs/contracts', 'libs/device-config', 'libs/gnmi-client']));
    for (const devOnly of ['tools/device-sim', 'tools/lab', 'tools/temporal']) expect(deviceWorker).not.toContain(devOnly);
    expect(runtimeClosure(ROOT, ['apps/workflow-worker']).map((p) => p.dir)).not.toContain('tools/device-sim');
    expect(deviceWorker.every((dir) => !dir.startsWith('apps/') || dir === 'apps/device-worker')).toBe(true);
  });

  it("takes each package's data files with its dist: gnmi-client's proto, infrahub-sim's schema", () => {
    const packages = workspacePackages(ROOT);
    expect(runtimeEntries(packages.get('@synapse/gnmi-client')!)).toEqual(['package.json', 'dist', 'proto']);
    expect(runtimeEntries(packages.get('@synapse/infrahub-sim')!)).toEqual(expect.arrayContaining(['package.json', 'dist', 'schema']));
  });

  it('copies them in the workspace layout, without sources or incremental build state', () => {
    const out = path.join(scratch, 'device-worker');
    copyRuntimeFiles(ROOT, ['apps/device-worker'], out);
    expect(existsSync(path.join(out, 'libs/gnmi-client/proto/gnmi.proto'))).toBe(true);
    expect(existsSync(path.join(out, 'apps/device-worker/dist/main.js'))).toBe(true);
    expect(existsSync(path.join(out, 'apps/device-worker/src'))).toBe(false);
    expect(readdirSync(path.join(out, 'libs/contracts/dist')).filter((f) => f.endsWith('.tsbuildinfo'))).toEqual([]);
    expect(readdirSync(out).sort()).toEqual(['apps', 'libs']);
  });

  it('resolves every require of the device-worker inside that tree, with each npm package declared where it is used', () => {
    const out = path.join(scratch, 'device-worker');
    const dirs = new Map(runtimeClosure(ROOT, ['apps/device-worker']).map((p) => [p.name, p.dir]));
    const graph = walkModuleGraph(out, 'apps/device-worker/dist/main.js', dirs);
    expect(graph.problems).toEqual([]);
    expect(graph.files).toEqual(expect.arrayContaining(['libs/gnmi-client/dist/index.js', 'libs/contracts/dist/index.js']));
    expect(graph.packages).toEqual(expect.arrayContaining([{ name: '@grpc/grpc-js', requiredBy: '@synapse/gnmi-client' }, { name: '@temporalio/worker', requiredBy: '@synapse/device-worker' }]));
  });
});

describe('on a broken workspace', () => {
  const root = path.join(scratch, 'fixture');
  const write = (file: string, content: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  };
  beforeAll(() => {
    write('package.json', JSON.stringify({ name: 'fixture', workspaces: ['pkgs/*'] }));
    write('pkgs/app/package.json', JSON.stringify({ name: '@x/app', main: 'dist/main.js', files: ['dist'], dependencies: { '@x/lib': '*' }, devDependencies: { '@x/sim': '*' } }));
    write('pkgs/app/dist/main.js', "require('@x/lib'); require('left-pad'); require('./gone'); require('node:fs');\n");
    write('pkgs/lib/package.json', JSON.stringify({ name: '@x/lib', main: 'dist/index.js', files: ['dist'], nx: { name: 'lib' } }));
    write('pkgs/sim/package.json', JSON.stringify({ name: '@x/sim', files: ['dist'] }));
    write('pkgs/bare/package.json', JSON.stringify({ name: '@x/bare' }));
  });

  it('names the package that was not built, and how to build it', () => {
    expect(() => copyRuntimeFiles(root, ['pkgs/app'], path.join(scratch, 'out-1'))).toThrow('pkgs/lib/dist does not exist: build @x/lib first (npx nx run lib:build)');
  });

  it('refuses a package without a "files" list, and a directory that is not a workspace package', () => {
    expect(() => runtimeEntries(workspacePackages(root).get('@x/bare')!)).toThrow('pkgs/bare/package.json has no "files" list');
    expect(() => runtimeClosure(root, ['pkgs/nope'])).toThrow('pkgs/nope is not a workspace package');
  });

  it('reports requires that would fail in the image: a missing file, an undeclared package, a library not copied', () => {
    const graph = walkModuleGraph(root, 'pkgs/app/dist/main.js', new Map([['@x/lib', 'pkgs/lib']]));
    expect(graph.problems).toEqual([
      'pkgs/app/dist/main.js: require("@x/lib") does not resolve inside pkgs/lib in the image (is it copied?)',
      'pkgs/app/dist/main.js: requires left-pad, which @x/app does not list in "dependencies"',
      'pkgs/app/dist/main.js: require("./gone") does not resolve to a file in the image',
    ]);
    expect(walkModuleGraph(root, 'pkgs/app/dist/nothing.js', new Map()).problems).toEqual(['the entry pkgs/app/dist/nothing.js does not exist']);
  });

  it('the build-stage CLI exits 2 with its usage when called without packages', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'tools/deployment/dist/copy-runtime-files.js'), '/tmp/x'], { encoding: 'utf8', cwd: root });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('an output directory and at least one package directory are required');
  });
});

describe('variables a source file reads', () => {
  it('finds the forms this code base uses, and ignores names only mentioned in comments or prose', () => {
    const source = `
      // SYNAPSE_IN_A_COMMENT is documented here only
      /* TEMPORAL_BLOCK_COMMENT too */
      const a = process.env.SYNAPSE_DIRECT;
      const b = env?.SYNAPSE_OPTIONAL_CHAIN;
      const c = env['SYNAPSE_INDEXED'];
      const Settings = z.object({
        SYNAPSE_SCHEMA_KEY: z.string(),
      });
      const d = integer(env, 'SYNAPSE_HELPER_ARGUMENT', 1, 0, 2);
      const e = 'a message naming SYNAPSE_IN_PROSE is not a read';
      const url = 'http://example.net/SYNAPSE_PATH_PART';
    `;
    expect([...envVariablesInSource(source)].sort()).toEqual(['SYNAPSE_DIRECT', 'SYNAPSE_HELPER_ARGUMENT', 'SYNAPSE_INDEXED', 'SYNAPSE_OPTIONAL_CHAIN', 'SYNAPSE_SCHEMA_KEY']);
  });

  it("counts the variables of an app's libraries as the app's", () => {
    const reads = envVariablesReadByApp(ROOT, 'apps/infrahub-worker');
    expect(reads.get('INFRAHUB_TIMEOUT')).toEqual(expect.arrayContaining(['libs/infrahub-client/src/config.ts']));
    expect(reads.has('SYNAPSE_GNMI_TIMEOUT_MS')).toBe(false);
    expect(envVariablesReadByApp(ROOT, 'apps/device-worker').has('SYNAPSE_GNMI_TIMEOUT_MS')).toBe(true);
  });
});
